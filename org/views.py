"""Signing in and out, changing one's password, and the home page that sends each role to where its day's work is."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from org.models import Role

# Where each role's work starts (issue 5): the center triages, handlers work their inbox, section
# leaders sign off, the principal watches the nightly dashboard, the inspector reads the reports.
HOME_BY_ROLE = {
    Role.CENTER_STAFF: "workbench",
    Role.UNIT_HANDLER: "inbox",
    Role.SECTION_LEADER: "signoff-queue",
    Role.PRINCIPAL_LEADER: "dashboard",
    Role.INSPECTOR: "reports",
    # the upstream platform is a machine client: its home is the API documentation
    Role.PLATFORM: "swagger-ui",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(HOME_BY_ROLE.get(request.user.role, "workbench"))


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logout is a POST (Django 5), sent from the header's form."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """Anyone signed in changes their own password (the old one first; the validators of settings apply).
    The session stays signed in; the user's API tokens are revoked (org/auth.py)."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response

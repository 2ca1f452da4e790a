"""Signing in and out, changing one's password, and the home page that sends each role to where its day's work is."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from org.abilities import home_page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where the user's work starts: their role's first page (``org.abilities``)."""
    return redirect(home_page(request.user) or "password_change")


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

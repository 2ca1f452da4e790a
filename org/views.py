"""Signing in and out, changing one's password, and the home page that sends each role to where its day's work is."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jxq_cases.lib.errors import DomainError
from jxq_cases.lib.params import id_param
from org.abilities import home_page, may
from org.geography import as_feature_collection, load_geography
from org.models import CommunityArea, GridCell, Street
from org.streets import street_ids_of


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


# --- the street's geography (docs/geography.md) ---------------------------------------------------


def _require(request: HttpRequest, ability: str) -> None:
    if not may(request.user, ability):
        raise Http404(_("This page is not part of your work."))


@login_required
def street_geojson(request: HttpRequest) -> JsonResponse:
    """The street's communities and grid cells as GeoJSON, for the maps of the staff's pages."""
    if not (may(request.user, "tickets.list") or may(request.user, "geography.edit")):
        raise Http404(_("This page is not part of your work."))
    return JsonResponse(as_feature_collection(street_ids_of(request.user)), json_dumps_params={"ensure_ascii": False})


class GeographyUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("GeoJSON file"), help_text=gettext_lazy("Replaces every community boundary and grid cell.")
    )


class GridWorkerForm(forms.ModelForm):
    class Meta:
        model = GridCell
        fields = ["name", "grid_worker", "grid_worker_phone"]


@login_required
def geography(request: HttpRequest) -> HttpResponse:
    """The center edits the street's geography: a new GeoJSON file (whole or refused), a cell's name
    and grid worker. Its own street's communities and cells only (docs/district.md)."""
    _require(request, "geography.edit")
    streets = street_ids_of(request.user)
    street = Street.objects.filter(pk__in=streets).order_by("name").first()
    if street is None:
        raise Http404(_("This page is not part of your work."))
    own_cells = GridCell.objects.filter(community__street_id__in=streets)
    if request.method == "POST" and "file" in request.FILES:
        upload = request.FILES["file"]
        try:
            result = load_geography(upload, file_name=upload.name, street=street)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request,
                _("%(communities)d community areas and %(cells)d grid cells loaded.")
                % {"communities": result.communities, "cells": result.grid_cells},
            )
        return redirect("geography")
    if request.method == "POST":
        cell = get_object_or_404(own_cells, pk=id_param(request.POST.get("cell")))
        form = GridWorkerForm(request.POST, instance=cell)
        if form.is_valid():
            form.save()
            messages.success(request, _("Grid cell %(code)s saved.") % {"code": cell.code})
        else:
            messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("geography")
    areas = list(CommunityArea.objects.filter(community__street_id__in=streets).select_related("community"))
    cells = list(own_cells.select_related("community").order_by("community__sort_order", "code"))
    return render(
        request,
        "org/geography.html",
        {
            "title": _("The street's communities and grid cells"),
            "areas": areas,
            "cells": cells,
            "is_demo": any(a.is_demo for a in areas) or any(c.is_demo for c in cells),
            "upload": GeographyUploadForm(),
        },
    )

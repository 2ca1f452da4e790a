"""The addresses the street could not place, for the center to place each once (docs/geography.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dispatch import access
from intake.models import PlaceOrigin, Ticket
from intake.places import place_address, unresolved_addresses
from jxq_cases.lib.errors import DomainError
from jxq_cases.lib.params import id_param
from org.models import GridCell


def _float(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


@login_required
def unplaced_addresses(request: HttpRequest) -> HttpResponse:
    """Each unresolved address once, most tickets first; placing it teaches the gazetteer."""
    if not access.may(request.user, "places.resolve"):
        raise Http404(_("This page is not part of your work."))
    # a center places its own streets' addresses in its own streets' cells (docs/district.md)
    streets = access.street_ids(request.user)
    own_cells = GridCell.objects.filter(community__street_id__in=streets)
    if request.method == "POST":
        cell = get_object_or_404(own_cells, pk=id_param(request.POST.get("grid_cell")))
        address = request.POST.get("address", "")
        try:
            placed = place_address(
                address, grid_cell=cell, lon=_float(request.POST.get("lon")), lat=_float(request.POST.get("lat"))
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request,
                _("%(address)s is placed in %(cell)s: %(n)d tickets.")
                % {"address": address, "cell": cell.name, "n": placed},
            )
        return redirect("unplaced-addresses")
    return render(
        request,
        "dispatch/unplaced.html",
        {
            "title": _("Addresses to place"),
            "addresses": unresolved_addresses(street_ids=streets),
            "unresolved": Ticket.objects.filter(place_origin=PlaceOrigin.UNRESOLVED, street_id__in=streets).count(),
            "cells": list(own_cells.select_related("community").order_by("community__sort_order", "code")),
        },
    )

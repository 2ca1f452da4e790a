"""The center's page of new categories (ability ``categories.review``): confirm each, or map it to an
existing category (``intake.categories``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from intake import categories
from intake.models import Category
from jxq_cases.lib.errors import DomainError
from org.abilities import may


class MapCategoryForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Same as"), queryset=Category.objects.filter(confirmed=True))


def _require_center(request: HttpRequest) -> None:
    if not may(request.user, "categories.review"):
        raise Http404(gettext("New categories are confirmed by the complaint center."))


@login_required
@require_GET
def new_categories(request: HttpRequest) -> HttpResponse:
    _require_center(request)
    rows = []
    confirmed = None  # the street's categories, read once for every row's select
    for new in categories.new_categories():
        form = MapCategoryForm(auto_id=f"map-{new.category.pk}-%s")
        if confirmed is None:
            confirmed = list(form.fields["into"].choices)
        form.fields["into"].choices = confirmed
        rows.append({"new": new, "form": form})
    return render(request, "intake/new_categories.html", {"title": _("New categories"), "rows": rows})


@login_required
@require_POST
def confirm_category(request: HttpRequest, pk: int) -> HttpResponse:
    _require_center(request)
    try:
        category = categories.confirm_category(pk)
    except DomainError as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(request, gettext("%(name)s is now one of the street's categories.") % {"name": category.name})
    return redirect("categories-new")


@login_required
@require_POST
def map_category(request: HttpRequest, pk: int) -> HttpResponse:
    _require_center(request)
    form = MapCategoryForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the street's confirmed categories."))
        return redirect("categories-new")
    try:
        moved = categories.map_category(pk, into=form.cleaned_data["into"])
    except DomainError as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(
            request,
            gettext("%(n)d tickets moved to %(name)s.") % {"n": moved, "name": form.cleaned_data["into"].name},
        )
    return redirect("categories-new")

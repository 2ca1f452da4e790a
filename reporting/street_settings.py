"""The street's settings in the pages, for the center's administrator (ability ``settings.edit``):
the working-day overrides and the deadline rules (``dispatch.deadlines``: saving either recomputes
the open tickets' deadlines) and the scoring policy of the composite score (``reporting.models``).

Every change is recorded (``org.setting_changes``: who, when, which setting and field, old → new) by
the function that makes it, in its transaction (``dispatch.deadlines``, ``reporting.policies``; the
Django admin calls the same functions), and the page lists the latest changes. It sits in reporting because
it edits both dispatch's and reporting's settings; the Django admin is no longer the place for them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access, deadlines
from dispatch.models import CalendarOverride, DeadlinePolicy, DeadlineRule
from org.models import SettingChange
from reporting import policies
from reporting.models import ScoringPolicy

if TYPE_CHECKING:
    from dispatch.access import SignedInRequest

CHANGES_SHOWN = 100


class DeadlinePolicyForm(forms.ModelForm):
    class Meta:
        model = DeadlinePolicy
        fields = ["acknowledge_hours", "contact_hours", "handle_amount", "handle_unit", "due_soon_fraction"]


class CalendarOverrideForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_working_day = forms.TypedChoiceField(
        label=_("That day is"),
        choices=[("1", _("a working day")), ("0", _("a day off"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=100)


class ScoringPolicyForm(forms.ModelForm):
    class Meta:
        model = ScoringPolicy
        fields = ["name", "effective_from", "w_response", "w_resolution", "w_satisfaction"]
        fields += ["decimals", "min_counted_to_rank"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _require_admin(request: HttpRequest) -> None:
    if not access.may(request.user, "settings.edit"):
        raise Http404(gettext("The settings are kept by the center's administrator."))


def _page(request: HttpRequest, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    policies = {p.rule: p for p in DeadlinePolicy.objects.all()}
    rules = [
        {
            "rule": rule,
            "label": label,
            "form": bound.get(f"deadline-{rule}")
            or DeadlinePolicyForm(instance=policies.get(rule), prefix=rule, auto_id=f"{rule}-%s"),
        }
        for rule, label in DeadlineRule.choices
    ]
    scoring = [
        {"policy": p, "form": bound.get(f"scoring-{p.pk}") or ScoringPolicyForm(instance=p, prefix=f"p{p.pk}")}
        for p in ScoringPolicy.objects.order_by("-effective_from")
    ]
    context = {
        "title": _("Settings"),
        "rules": rules,
        "overrides": list(CalendarOverride.objects.order_by("-on")),
        "override_form": bound.get("override") or CalendarOverrideForm(auto_id="override-%s"),
        "scoring": scoring,
        "new_scoring_form": bound.get("scoring-new") or ScoringPolicyForm(prefix="new"),
        "changes": list(SettingChange.objects.select_related("changed_by")[:CHANGES_SHOWN]),
    }
    return render(request, "reporting/settings.html", context, status=status)


@login_required
@require_GET
def street_settings(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return _page(request)


def _refused(request: HttpRequest, key: str, form: forms.BaseForm) -> HttpResponse:
    messages.error(request, gettext("Not saved: check the highlighted fields."))
    return _page(request, bound={key: form}, status=400)


@login_required
@require_POST
def save_deadline_rule(request: SignedInRequest, rule: str) -> HttpResponse:
    """One deadline rule: saved, recorded and the open tickets it governs recomputed — all or nothing."""
    _require_admin(request)
    if rule not in DeadlineRule.values:
        raise Http404(gettext("No such deadline rule."))
    current = DeadlinePolicy.objects.filter(rule=rule).first()
    form = DeadlinePolicyForm(request.POST, instance=current, prefix=rule, auto_id=f"{rule}-%s")
    fields = DeadlinePolicyForm.Meta.fields
    if not form.is_valid():
        return _refused(request, f"deadline-{rule}", form)
    changed = deadlines.save_policy(rule, by=request.user, **{name: form.cleaned_data[name] for name in fields})
    messages.success(request, gettext("Saved; %(n)d open tickets got new deadlines.") % {"n": changed})
    return redirect("street-settings")


@login_required
@require_POST
def save_calendar_override(request: SignedInRequest) -> HttpResponse:
    _require_admin(request)
    form = CalendarOverrideForm(request.POST, auto_id="override-%s")
    if not form.is_valid():
        return _refused(request, "override", form)
    on = form.cleaned_data["on"]
    changed = deadlines.set_calendar_override(
        on, is_working_day=form.cleaned_data["is_working_day"], note=form.cleaned_data["note"], by=request.user
    )
    messages.success(request, gettext("Saved; %(n)d open tickets got new deadlines.") % {"n": changed})
    return redirect("street-settings")


@login_required
@require_POST
def remove_calendar_override(request: SignedInRequest, on: str) -> HttpResponse:
    _require_admin(request)
    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        raise Http404(gettext("No such day.")) from None
    get_object_or_404(CalendarOverride, on=day)
    changed = deadlines.remove_calendar_override(day, by=request.user)
    messages.success(request, gettext("Removed; %(n)d open tickets got new deadlines.") % {"n": changed})
    return redirect("street-settings")


@login_required
@require_POST
def save_scoring_policy(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    """A scoring policy, new or changed; the model's rules hold (first of a month, weights add up to 1)."""
    _require_admin(request)
    current = get_object_or_404(ScoringPolicy, pk=pk) if pk else None
    form = ScoringPolicyForm(request.POST, instance=current, prefix=f"p{pk}" if pk else "new")
    if not form.is_valid():
        return _refused(request, f"scoring-{pk}" if pk else "scoring-new", form)
    policies.save_scoring_policy(form.save(commit=False), by=request.user)
    messages.success(request, gettext("Scoring policy saved."))
    return redirect("street-settings")

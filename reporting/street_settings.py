"""A street's settings in the pages, for its center's administrator (ability ``settings.edit``): the
street's working-day overrides and deadline rules (``dispatch.deadlines``: saving either recomputes
the street's open tickets' deadlines), its scoring policies (``reporting.models``) and its sign-off
chains (``dispatch.sign_off_chains``).

Scoped to the administrator's street (``access.settings_street``, docs/district.md "Settings per
street"): the page shows what is in effect for the street — its own rows, else the defaults of every
street — and a save writes the street's own row, never a default. Another street's rows are not
shown and cannot be named (404); the defaults are read here and kept by a superuser in the Django
admin. Every change is recorded with its street (``org.setting_changes``) by the function that
makes it, in its transaction (the Django admin calls the same functions), and the page lists the
street's latest changes. It sits in reporting because it edits both dispatch's and reporting's
settings.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access, deadlines, sign_off_chains
from dispatch.models import CalendarOverride, DeadlinePolicy, DeadlineRule, SignOffChain, SignOffChainKind
from dispatch.workflow import signoff
from jxq_cases.lib import clock
from org.models import Role, SettingChange, Street
from reporting import policies
from reporting.models import ScoringPolicy
from reporting.rates import PolicyBook

if TYPE_CHECKING:
    from dispatch.access import SignedInRequest

CHANGES_SHOWN = 100

# the orders of signers a chain may have (both signing roles, once each, in either order)
CHAIN_CHOICES = [
    [Role.SECTION_LEADER],
    [Role.PRINCIPAL_LEADER],
    [Role.SECTION_LEADER, Role.PRINCIPAL_LEADER],
    [Role.PRINCIPAL_LEADER, Role.SECTION_LEADER],
]


class DeadlinePolicyForm(forms.ModelForm):
    class Meta:
        model = DeadlinePolicy
        fields = deadlines.POLICY_FIELDS


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


def _chain_choices() -> list[tuple[str, str]]:
    """Each order of signers, as people read it (in the request's language)."""
    return [(",".join(roles), sign_off_chains.roles_shown(roles)) for roles in CHAIN_CHOICES]


class SignOffChainForm(forms.Form):
    signers = forms.ChoiceField(label=_("Signers in order"), choices=_chain_choices)

    @property
    def roles(self) -> list[str]:
        return str(self.cleaned_data["signers"]).split(",")


def street_admin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view of a street's administrator: 404 for whoever keeps no settings, 403 (with the reason)
    for an administrator of no single street; the view gets the street."""

    @wraps(view)
    def wrapped(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.may(request.user, "settings.edit"):
            raise Http404(gettext("The settings are kept by the center's administrator."))
        street = access.settings_street(request.user)
        if street is None:
            message = gettext(
                "Your account belongs to no single street, so there are no street settings to keep here. "
                "The defaults of every street are kept by a superuser in the admin."
            )
            return render(request, "reporting/settings_refused.html", {"message": message}, status=403)
        return view(request, street, *args, **kwargs)

    return login_required(wrapped)


def _page(request: HttpRequest, street: Street, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    own_rules = {p.rule: p for p in DeadlinePolicy.objects.filter(street=street)}
    effective = deadlines.load_rules(street.pk)
    rules = []
    for rule, label in DeadlineRule.choices:
        instance = own_rules.get(rule) or DeadlinePolicy(rule=rule, street=street, **effective[rule].__dict__)
        form = bound.get(f"deadline-{rule}") or DeadlinePolicyForm(instance=instance, prefix=rule, auto_id=f"{rule}-%s")
        rules.append({"rule": rule, "label": label, "own": rule in own_rules, "form": form})

    own_days = list(CalendarOverride.objects.filter(street=street).order_by("-on"))
    taken = {o.on for o in own_days}
    default_days = CalendarOverride.objects.filter(street__isnull=True).order_by("-on")

    own_policies = ScoringPolicy.objects.filter(street=street).order_by("-effective_from")
    scoring = [
        {"policy": p, "form": bound.get(f"scoring-{p.pk}") or ScoringPolicyForm(instance=p, prefix=f"p{p.pk}")}
        for p in own_policies
    ]
    in_effect = PolicyBook(street=street).for_month(clock.month_start(clock.today()))

    own_chains = {c.chain: c for c in SignOffChain.objects.filter(street=street)}
    street_chains = signoff.chains(street.pk)
    chains = []
    for chain, label in SignOffChainKind.choices:
        roles = street_chains[chain]
        initial = {"signers": ",".join(roles)}
        form = bound.get(f"chain-{chain}") or SignOffChainForm(initial=initial, prefix=chain, auto_id=f"{chain}-%s")
        shown = sign_off_chains.roles_shown(roles)
        chains.append({"chain": chain, "label": label, "own": chain in own_chains, "form": form, "shown": shown})

    context = {
        "title": _("Settings"),
        "street": street,
        "rules": rules,
        "overrides": own_days,
        "default_overrides": [{"row": o, "overridden": o.on in taken} for o in default_days],
        "override_form": bound.get("override") or CalendarOverrideForm(auto_id="override-%s"),
        "scoring": scoring,
        "default_scoring": list(ScoringPolicy.objects.filter(street__isnull=True).order_by("-effective_from")),
        "scoring_in_effect": in_effect,
        "new_scoring_form": bound.get("scoring-new") or ScoringPolicyForm(prefix="new"),
        "chains": chains,
        "changes": list(SettingChange.objects.filter(street=street).select_related("changed_by")[:CHANGES_SHOWN]),
    }
    return render(request, "reporting/settings.html", context, status=status)


@require_GET
@street_admin
def street_settings(request: SignedInRequest, street: Street) -> HttpResponse:
    return _page(request, street)


def _refused(request: HttpRequest, street: Street, key: str, form: forms.BaseForm) -> HttpResponse:
    messages.error(request, gettext("Not saved: check the highlighted fields."))
    return _page(request, street, bound={key: form}, status=400)


@require_POST
@street_admin
def save_deadline_rule(request: SignedInRequest, street: Street, rule: str) -> HttpResponse:
    """The street's own deadline rule: saved, recorded and the street's open tickets it governs
    recomputed — all or nothing. The default rule is never written here."""
    if rule not in DeadlineRule.values:
        raise Http404(gettext("No such deadline rule."))
    current = DeadlinePolicy.objects.filter(rule=rule, street=street).first()
    form = DeadlinePolicyForm(request.POST, instance=current, prefix=rule, auto_id=f"{rule}-%s")
    if not form.is_valid():
        return _refused(request, street, f"deadline-{rule}", form)
    values = {name: form.cleaned_data[name] for name in deadlines.POLICY_FIELDS}
    changed = deadlines.save_policy(rule, by=request.user, street=street, **values)
    messages.success(request, gettext("Saved; %(n)d open tickets got new deadlines.") % {"n": changed})
    return redirect("street-settings")


@require_POST
@street_admin
def remove_deadline_rule(request: SignedInRequest, street: Street, rule: str) -> HttpResponse:
    """Drop the street's own deadline rule: the default holds again (no own rule: 404)."""
    if rule not in DeadlineRule.values:
        raise Http404(gettext("No such deadline rule."))
    get_object_or_404(DeadlinePolicy, rule=rule, street=street)
    changed = deadlines.remove_street_policy(rule, by=request.user, street=street)
    messages.success(request, gettext("Saved; %(n)d open tickets got new deadlines.") % {"n": changed})
    return redirect("street-settings")


@require_POST
@street_admin
def save_calendar_override(request: SignedInRequest, street: Street) -> HttpResponse:
    """A working day of the street's own (it wins over a default row for that day)."""
    form = CalendarOverrideForm(request.POST, auto_id="override-%s")
    if not form.is_valid():
        return _refused(request, street, "override", form)
    changed = deadlines.set_calendar_override(
        form.cleaned_data["on"],
        is_working_day=form.cleaned_data["is_working_day"],
        note=form.cleaned_data["note"],
        by=request.user,
        street=street,
    )
    messages.success(request, gettext("Saved; %(n)d open tickets got new deadlines.") % {"n": changed})
    return redirect("street-settings")


@require_POST
@street_admin
def remove_calendar_override(request: SignedInRequest, street: Street, pk: int) -> HttpResponse:
    """Remove one of the street's own working days (another street's or a default row: 404)."""
    row = get_object_or_404(CalendarOverride, pk=pk, street=street)
    changed = deadlines.remove_calendar_overrides([row], by=request.user)
    messages.success(request, gettext("Removed; %(n)d open tickets got new deadlines.") % {"n": changed})
    return redirect("street-settings")


@require_POST
@street_admin
def save_scoring_policy(request: SignedInRequest, street: Street, pk: int | None = None) -> HttpResponse:
    """A scoring policy of the street's own, new or changed; the model's rules hold (first of a
    month, weights add up to 1, one policy a date). A default or another street's policy: 404."""
    current = get_object_or_404(ScoringPolicy, pk=pk, street=street) if pk else ScoringPolicy(street=street)
    key = f"scoring-{pk}" if pk else "scoring-new"
    form = ScoringPolicyForm(request.POST, instance=current, prefix=f"p{pk}" if pk else "new")
    if not form.is_valid():
        return _refused(request, street, key, form)
    policy = form.save(commit=False)
    policy.street = street
    try:
        policies.save_scoring_policy(policy, by=request.user)
    except ValidationError as error:  # the rules that need the street (one policy a date per street)
        form.add_error(None, error)
        return _refused(request, street, key, form)
    messages.success(request, gettext("Scoring policy saved."))
    return redirect("street-settings")


@require_POST
@street_admin
def remove_scoring_policy(request: SignedInRequest, street: Street, pk: int) -> HttpResponse:
    """Remove one of the street's own scoring policies (a default or another street's: 404)."""
    policy = get_object_or_404(ScoringPolicy, pk=pk, street=street)
    policies.delete_scoring_policies([policy], by=request.user)
    messages.success(request, gettext("Scoring policy removed."))
    return redirect("street-settings")


def _chain_kind(chain: str) -> str:
    if chain not in SignOffChainKind.values:
        raise Http404(gettext("No such sign-off chain."))
    return chain


@require_POST
@street_admin
def save_sign_off_chain(request: SignedInRequest, street: Street, chain: str) -> HttpResponse:
    """The street's own signers of a document kind (documents already submitted keep theirs)."""
    chain = _chain_kind(chain)
    form = SignOffChainForm(request.POST, prefix=chain, auto_id=f"{chain}-%s")
    if not form.is_valid():
        return _refused(request, street, f"chain-{chain}", form)
    sign_off_chains.save_chain(chain, form.roles, by=request.user, street=street)
    messages.success(request, gettext("Sign-off chain saved; documents already submitted keep theirs."))
    return redirect("street-settings")


@require_POST
@street_admin
def remove_sign_off_chain(request: SignedInRequest, street: Street, chain: str) -> HttpResponse:
    """Drop the street's own chain of a document kind: the default holds again for it."""
    row = get_object_or_404(SignOffChain, chain=_chain_kind(chain), street=street)
    sign_off_chains.delete_chains([row], by=request.user)
    messages.success(request, gettext("The default sign-off chain holds again for the street."))
    return redirect("street-settings")

"""Deadlines (docs/domain.md §3): one pure computation, stored on the ticket, recomputed when rules change.

Rules (DeadlinePolicy, one row per rule; urgent wins over consultation):
- acknowledge (签收) within ``acknowledge_hours`` of dispatch;
- contact within ``contact_hours`` of the acknowledgement (of the dispatch until then);
- handle within ``handle_amount`` hours, calendar days or working days of the handling clock's start:
  the acknowledgement, or the reopening for second handling.

Working days follow the official calendar (chinesecalendar: holidays and swapped working weekends),
corrected by CalendarOverride rows; for years the package does not know, Monday-Friday. "N working
days after t" is the same local clock time on the N-th working day after t's date.

The clock stops while an extension request waits: no deadline runs (next_due_at is NULL, so no
warning fires); when it is decided, the waiting time is added to ``handle_paused_for`` and thus to
the handling deadline. An approved extension fixes ``extended_handle_due_at`` (the handling deadline
then ignores the rule until the next reopening).

``next_due_at`` is the deadline running now (acknowledge while not acknowledged, contact until
contacted, handle while handling) and ``next_warn_at`` the moment it is "due soon": when only
``due_soon_fraction`` (default 25%) of its time is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import chinese_calendar
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext

from intake.models import CLOCK_RUNNING, Kind, Status, Ticket, Urgency
from jxq_cases.lib import clock
from org import setting_changes

if TYPE_CHECKING:
    from dispatch.models import CalendarOverride
    from org.models import Street, User


@dataclass(frozen=True)
class Rule:
    acknowledge_hours: int
    contact_hours: int
    handle_amount: int
    handle_unit: str  # hours | calendar_days | working_days
    due_soon_fraction: Decimal = Decimal("0.25")


# Mirrors dispatch/migrations/0002_default_deadline_policies.py; used when a rule row is missing.
DEFAULT_RULES = {
    "urgent": Rule(1, 2, 24, "hours"),
    "normal": Rule(4, 24, 7, "calendar_days"),
    "consult": Rule(4, 24, 24, "hours"),
}

CLOCK_FIELDS = [
    "acknowledge_due_at",
    "contact_due_at",
    "handle_due_at",
    "next_due_kind",
    "next_due_at",
    "next_warn_at",
    "warning_level",
    "warned_at",
]


def is_working_day(day: date, overrides: Mapping[date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no data for
        return day.weekday() < 5


def add_working_days(start: datetime, days: int, overrides: Mapping[date, bool]) -> datetime:
    """The same wall-clock time (Beijing time) on the ``days``-th working day after ``start``'s date."""
    local = clock.local(start)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            remaining -= 1
    return clock.at_local(day, local.time())


def add_period(start: datetime, amount: int, unit: str, overrides: Mapping[date, bool]) -> datetime:
    if unit == "hours":
        return start + timedelta(hours=amount)
    if unit == "calendar_days":
        local = clock.local(start)
        # calendar days in local time: a DST-free zone, but keep the wall clock explicit anyway
        return clock.at_local(local.date() + timedelta(days=amount), local.time())
    if unit == "working_days":
        return add_working_days(start, amount, overrides)
    raise ValueError(f"unknown deadline unit {unit!r}")


def rule_key(urgency: str, kind: str) -> str:
    if urgency == Urgency.URGENT:
        return "urgent"
    if kind == Kind.CONSULT:
        return "consult"
    return "normal"


def load_rules(street_id: int | None = None) -> dict[str, Rule]:
    """The rules of a street: the built-in defaults, the default rows (no street), then the street's
    own rows, each later one winning (docs/district.md)."""
    from dispatch.models import DeadlinePolicy

    rules = dict(DEFAULT_RULES)
    rows = DeadlinePolicy.objects.filter(Q(street__isnull=True) | Q(street_id=street_id))
    for p in sorted(rows, key=lambda p: p.street_id is not None):
        rules[p.rule] = Rule(
            p.acknowledge_hours, p.contact_hours, p.handle_amount, p.handle_unit, Decimal(p.due_soon_fraction)
        )
    return rules


def load_overrides(street_id: int | None = None) -> dict[date, bool]:
    """The working-day overrides of a street: the default rows (no street), then the street's own
    rows, a street's row for a day winning (docs/district.md). One query."""
    return OverrideBook.load(street_id).of(street_id)


class OverrideBook:
    """Every street's working-day overrides read in one query: the defaults and each street's own
    rows, merged per street on first use and kept (``recompute_open_tickets`` asks once a street)."""

    def __init__(self, rows: Iterable[tuple[int | None, date, bool]]) -> None:
        self.defaults: dict[date, bool] = {}
        self.own: dict[int, dict[date, bool]] = {}
        for street_id, on, working in rows:
            (self.defaults if street_id is None else self.own.setdefault(street_id, {}))[on] = working
        self._merged: dict[int | None, dict[date, bool]] = {}

    @classmethod
    def load(cls, street_id: int | None = None, *, every_street: bool = False) -> OverrideBook:
        """The defaults and one street's rows, or every street's (``every_street``)."""
        from dispatch.models import CalendarOverride

        rows = CalendarOverride.objects.all()
        if not every_street:
            rows = rows.filter(Q(street__isnull=True) | Q(street_id=street_id))
        return cls(rows.values_list("street_id", "on", "is_working_day"))

    def of(self, street_id: int | None) -> dict[date, bool]:
        if street_id not in self._merged:
            self._merged[street_id] = {**self.defaults, **self.own.get(street_id or 0, {})}
        return self._merged[street_id]


def _warn_at(start: datetime | None, due: datetime, fraction: Decimal) -> datetime:
    if start is None or start >= due:
        return due
    return due - (due - start) * float(fraction)


def compute_deadlines(
    *,
    status: str,
    urgency: str,
    kind: str,
    dispatched_at: datetime | None,
    acknowledged_at: datetime | None,
    handle_started_at: datetime | None,
    handle_paused_for: timedelta,
    extended_handle_due_at: datetime | None,
    extension_pending: bool,
    rules: Mapping[str, Rule],
    overrides: Mapping[date, bool],
) -> dict[str, Any]:
    """The deadline columns of a ticket in this situation (a pure function of its arguments)."""
    rule = rules[rule_key(urgency, kind)]
    out: dict[str, Any] = dict.fromkeys(
        ["acknowledge_due_at", "contact_due_at", "handle_due_at", "next_due_at", "next_warn_at"]
    )
    out["next_due_kind"] = ""
    if dispatched_at is None:
        return out
    out["acknowledge_due_at"] = dispatched_at + timedelta(hours=rule.acknowledge_hours)
    clock_start = acknowledged_at or dispatched_at
    out["contact_due_at"] = clock_start + timedelta(hours=rule.contact_hours)
    handle_start = handle_started_at or clock_start
    if extended_handle_due_at is not None:
        out["handle_due_at"] = extended_handle_due_at
    else:
        out["handle_due_at"] = add_period(handle_start, rule.handle_amount, rule.handle_unit, overrides) + (
            handle_paused_for or timedelta(0)
        )
    if status not in CLOCK_RUNNING or extension_pending:
        return out
    if status == Status.DISPATCHED and acknowledged_at is None:
        kind_, start, due = "acknowledge", dispatched_at, out["acknowledge_due_at"]
    elif status == Status.DISPATCHED:
        kind_, start, due = "contact", clock_start, out["contact_due_at"]  # = acknowledged_at
    else:
        kind_, start, due = "handle", handle_start, out["handle_due_at"]
    out["next_due_kind"] = kind_
    out["next_due_at"] = due
    out["next_warn_at"] = _warn_at(start, due, rule.due_soon_fraction)
    return out


def has_pending_extension(ticket_id: int | None) -> bool:
    """Does an extension request of this ticket wait for a decision (its clock stands still)?"""
    from dispatch.models import ExtensionRequest, RequestStatus

    if ticket_id is None:  # an unsaved ticket has no requests
        return False
    return ExtensionRequest.objects.filter(ticket_id=ticket_id, status=RequestStatus.PENDING).exists()


def apply_deadlines(
    ticket: Ticket,
    *,
    extension_pending: bool | None = None,
    rules: Mapping[str, Rule] | None = None,
    overrides: Mapping[date, bool] | None = None,
) -> list[str]:
    """Set the ticket's deadline columns from its current state; returns the fields that changed.

    A changed running deadline clears the warning, so the warning task judges it afresh.
    """
    if extension_pending is None:
        extension_pending = has_pending_extension(ticket.pk)
    values = compute_deadlines(
        status=ticket.status,
        urgency=ticket.urgency,
        kind=ticket.kind,
        dispatched_at=ticket.dispatched_at,
        acknowledged_at=ticket.acknowledged_at,
        handle_started_at=ticket.handle_started_at,
        handle_paused_for=ticket.handle_paused_for,
        extended_handle_due_at=ticket.extended_handle_due_at,
        extension_pending=extension_pending,
        rules=rules if rules is not None else load_rules(ticket.street_id),
        overrides=overrides if overrides is not None else load_overrides(ticket.street_id),
    )
    if values["next_due_at"] != ticket.next_due_at or values["next_due_kind"] != ticket.next_due_kind:
        values["warning_level"] = ""
        values["warned_at"] = None
    changed = []
    for field, value in values.items():
        if getattr(ticket, field) != value:
            setattr(ticket, field, value)
            changed.append(field)
    return changed


def recompute_open_tickets(
    *, rule_keys: Iterable[str] | None = None, chunk_size: int = 2000, street_id: int | None = None
) -> int:
    """Recompute the stored deadlines of every ticket whose clock runs (after a policy or calendar
    change) — of one street (``street_id``) or of every street; returns how many tickets changed.
    Each ticket by its street's rules and working days (read once a street; the overrides of every
    street in one query). Written back in chunks with bulk_update (one UPDATE per chunk), because
    working days are computed in Python from the calendar.
    """
    from dispatch.models import ExtensionRequest, RequestStatus

    rules_of: dict[int, dict[str, Rule]] = {}  # each street's rules, read once
    overrides_of = OverrideBook.load(street_id, every_street=street_id is None)
    tickets = Ticket.objects.filter(status__in=CLOCK_RUNNING)
    if street_id is not None:
        tickets = tickets.filter(street_id=street_id)
    tickets = tickets.annotate(
        _pending=Exists(ExtensionRequest.objects.filter(ticket=OuterRef("pk"), status=RequestStatus.PENDING))
    )
    wanted = set(rule_keys) if rule_keys is not None else None
    changed: list[Ticket] = []
    total = 0
    with transaction.atomic():
        for ticket in tickets.order_by("pk").iterator(chunk_size=chunk_size):
            if wanted is not None and rule_key(ticket.urgency, ticket.kind) not in wanted:
                continue
            if ticket.street_id not in rules_of:
                rules_of[ticket.street_id] = load_rules(ticket.street_id)
            rules, overrides = rules_of[ticket.street_id], overrides_of.of(ticket.street_id)
            if apply_deadlines(ticket, extension_pending=ticket._pending, rules=rules, overrides=overrides):
                changed.append(ticket)
            if len(changed) >= chunk_size:
                Ticket.objects.bulk_update(changed, CLOCK_FIELDS)
                total += len(changed)
                changed = []
        if changed:
            Ticket.objects.bulk_update(changed, CLOCK_FIELDS)
            total += len(changed)
    return total


# the editable fields of a deadline rule, as the settings page and the admin offer them
POLICY_FIELDS = ["acknowledge_hours", "contact_hours", "handle_amount", "handle_unit", "due_soon_fraction"]


def save_policy(rule: str, *, by: User, street: Any = None, **fields: Any) -> int:
    """Change one deadline rule — the default (``street`` None) or a street's own — record the change
    (``org.setting_changes``, with the street; a street's first own row is recorded against the rule
    that was in effect for it) and recompute the open tickets it governs (the street's, or every
    street's for a default), all in one transaction; returns tickets changed."""
    from dispatch.models import DeadlinePolicy, DeadlineRule

    with transaction.atomic():
        rows = DeadlinePolicy.objects.select_for_update().filter(rule=rule)
        policy = (rows.filter(street=street) if street is not None else rows.filter(street__isnull=True)).first()
        if policy is None and street is not None:  # the street's first own row: from the rule in effect
            in_effect = DeadlinePolicy(rule=rule, street=street, **load_rules(street.pk)[rule].__dict__)
            before = setting_changes.model_values(in_effect, POLICY_FIELDS)
        else:
            before = setting_changes.model_values(policy, POLICY_FIELDS) if policy else {}
        policy = policy or DeadlinePolicy(rule=rule, street=street, **DEFAULT_RULES[rule].__dict__)
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.full_clean()
        policy.save()
        with setting_changes.in_street_language():
            setting = gettext("Deadline rule: %(rule)s") % {"rule": DeadlineRule(rule).label}
        after = setting_changes.model_values(policy, POLICY_FIELDS)
        setting_changes.record(by, setting, before, after, street=street)
        return recompute_open_tickets(rule_keys=[rule], street_id=street.pk if street is not None else None)


def remove_street_policy(rule: str, *, by: User, street: Street) -> int:
    """Drop a street's own deadline rule: the default holds again for the street. The change is
    recorded (from the street's values to the rule now in effect for it) and the street's open
    tickets the rule governs are recomputed, in one transaction; returns tickets changed. A street
    without its own row for the rule changes nothing (0). The defaults are never removed."""
    from dispatch.models import DeadlinePolicy, DeadlineRule

    with transaction.atomic():
        own = DeadlinePolicy.objects.select_for_update().filter(rule=rule, street=street).first()
        if own is None:
            return 0
        before = setting_changes.model_values(own, POLICY_FIELDS)
        own.delete()
        in_effect = DeadlinePolicy(rule=rule, street=street, **load_rules(street.pk)[rule].__dict__)
        with setting_changes.in_street_language():
            setting = gettext("Deadline rule: %(rule)s") % {"rule": DeadlineRule(rule).label}
        after = setting_changes.model_values(in_effect, POLICY_FIELDS)
        setting_changes.record(by, setting, before, after, street=street)
        return recompute_open_tickets(rule_keys=[rule], street_id=street.pk)


def _override_setting(on: date) -> str:
    with setting_changes.in_street_language():
        return gettext("Working day %(on)s") % {"on": on.isoformat()}


def _override_values(row: CalendarOverride | None) -> dict[str, str]:
    """A working-day override as the record keeps it (the settings page's words)."""
    if row is None:
        return {}
    with setting_changes.in_street_language():
        kind = gettext("a working day") if row.is_working_day else gettext("a day off")
        return {gettext("That day is"): kind, gettext("Note"): row.note}


def _street_rows(model: Any, street: Street | None) -> Any:
    """A settings model's rows of one street, or its default rows (``street`` None)."""
    return model.objects.filter(street=street) if street is not None else model.objects.filter(street__isnull=True)


def set_calendar_override(
    on: date, *, is_working_day: bool, note: str = "", by: User, street: Street | None = None
) -> int:
    """Record a day announced late as working or not — a default of every street (``street`` None) or
    a street's own — record the change and recompute the open tickets' deadlines (that street's, or
    every street's for a default), in one transaction; returns tickets changed."""
    from dispatch.models import CalendarOverride

    with transaction.atomic():
        before = _override_values(_street_rows(CalendarOverride, street).select_for_update().filter(on=on).first())
        row, _ = _street_rows(CalendarOverride, street).update_or_create(
            on=on,
            defaults={"is_working_day": is_working_day, "note": note},
            create_defaults={"street": street, "is_working_day": is_working_day, "note": note},
        )
        setting_changes.record(by, _override_setting(on), before, _override_values(row), street=street)
        return recompute_open_tickets(street_id=street.pk if street is not None else None)


def remove_calendar_overrides(rows: Iterable[CalendarOverride], *, by: User) -> int:
    """Forget these overrides (the default, or the official calendar, holds again for their days),
    record each removal with its street and recompute open tickets' deadlines once, in one
    transaction: the one street's when every row is that street's own, else every street's. Returns
    tickets changed; rows already gone are ignored."""
    from dispatch.models import CalendarOverride

    with transaction.atomic():
        locked = CalendarOverride.objects.select_for_update().filter(pk__in=[row.pk for row in rows])
        found = list(locked.order_by("on", "street_id"))
        if not found:
            return 0
        for row in found:
            setting_changes.record(by, _override_setting(row.on), _override_values(row), {}, street=row.street_id)
        CalendarOverride.objects.filter(pk__in=[row.pk for row in found]).delete()
        streets = {row.street_id for row in found}
        only = next(iter(streets)) if len(streets) == 1 else None
        return recompute_open_tickets(street_id=only)  # None: a default or several streets: all of them


def remove_calendar_override(on: date, *, by: User, street: Street | None = None) -> int:
    """Forget one day's override of a street, or the default one (see ``remove_calendar_overrides``)."""
    from dispatch.models import CalendarOverride

    return remove_calendar_overrides(list(_street_rows(CalendarOverride, street).filter(on=on)), by=by)

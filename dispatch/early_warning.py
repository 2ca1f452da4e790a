"""Early warning (预警): mark tickets whose running deadline is near (due soon) or past (overdue), and
tell the lead unit's handlers and the center — once per ticket and level.

The claim is a conditional update under row locks: the rows are selected ``FOR UPDATE`` with the
condition "not yet warned at this level" and updated in the same transaction. A second run, or a
second worker running at the same moment, waits for the lock, re-reads the condition and finds
nothing left to claim — so marking twice notifies once. A running deadline that changes (a new
state, an extension, a policy change) clears the mark (dispatch.deadlines.apply_deadlines), so the new
deadline is judged afresh.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch.notifications import notify_batch
from intake.models import Ticket
from jxq_cases.lib import clock
from org.models import Role, User

DUE_SOON = "due_soon"
OVERDUE = "overdue"
KIND_LABELS = {
    "acknowledge": gettext_lazy("acknowledgement"),
    "contact": gettext_lazy("first contact"),
    "handle": gettext_lazy("handling"),
}


def _claim(condition: Q, level: str, now: datetime) -> Sequence[Mapping[str, Any]]:
    with transaction.atomic():
        rows = list(
            Ticket.objects.select_for_update()
            .filter(condition)
            .order_by("pk")
            .values("id", "ticket_no", "street_id", "lead_unit_id", "next_due_kind", "next_due_at")
        )
        if rows:
            Ticket.objects.filter(pk__in=[r["id"] for r in rows]).filter(condition).update(
                warning_level=level, warned_at=now
            )
    return rows


def mark_deadline_warnings(now: datetime | None = None) -> dict[str, int]:
    """Claim and announce the tickets that became overdue or due soon; returns how many of each."""
    now = now or timezone.now()
    overdue = _claim(Q(next_due_at__lte=now) & ~Q(warning_level=OVERDUE), OVERDUE, now)
    due_soon = _claim(Q(next_warn_at__lte=now, next_due_at__gt=now, warning_level=""), DUE_SOON, now)
    _announce(overdue, OVERDUE)
    _announce(due_soon, DUE_SOON)
    return {OVERDUE: len(overdue), DUE_SOON: len(due_soon)}


def _announce(rows: Sequence[Mapping[str, Any]], level: str) -> None:
    if not rows:
        return
    # each street's center hears of its own street's tickets only (docs/district.md)
    center: dict[int, set[int]] = defaultdict(set)
    staff = User.objects.filter(role=Role.CENTER_STAFF, is_active=True)
    for street_id, user_id in staff.values_list("street_id", "id"):
        if street_id is not None:
            center[street_id].add(user_id)
    for street_id, user_id in staff.values_list("units__street_id", "id"):
        if street_id is not None:
            center[street_id].add(user_id)
    handlers = defaultdict(list)
    for unit_id, user_id in User.objects.filter(
        units__in={r["lead_unit_id"] for r in rows}, role=Role.UNIT_HANDLER, is_active=True
    ).values_list("units", "id"):
        handlers[unit_id].append(user_id)
    messages, unit_messages = [], []
    for r in rows:
        step = KIND_LABELS.get(r["next_due_kind"], r["next_due_kind"])
        due = clock.local(r["next_due_at"]).strftime("%m-%d %H:%M")
        params = {"ticket_no": r["ticket_no"], "step": step, "due": due}
        text = (
            _("Ticket %(ticket_no)s is past its %(step)s deadline (%(due)s).")
            if level == OVERDUE
            else _("Ticket %(ticket_no)s is near its %(step)s deadline (%(due)s); please hurry.")
        )
        text = text % params
        for user_id in {*center.get(r["street_id"], ()), *handlers.get(r["lead_unit_id"], [])}:
            messages.append((user_id, r["id"], text))
        if r["lead_unit_id"]:  # the unit's own group hears about its tickets
            unit_messages.append((r["lead_unit_id"], r["id"], text))
    notify_batch(messages, kind=level, unit_messages=unit_messages)

"""The leader's 23:00 look (今晚): today's intake, what the units are handling, what is overdue, the
supervised and the double-no tickets — live, among the tickets the leader may see — and the nightly
digest that sends the same figures to each leader's channels (docs/notifications.md).

Live rather than from the snapshot: the snapshot is taken at 22:30 and the page is read at 23:00 and
later; a ticket dispatched or handled in between shows as it is. The figures are the dashboard's,
though: each is a drill-down filter (``filters``, reporting.drilldown) counted among the tickets the
leader may see, and the page links each to its whole list, so a figure and its list cannot differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.notifications import notify
from intake.models import IN_THE_UNITS, Ticket
from jxq_cases.lib import clock
from org.abilities import roles_with
from org.models import User
from reporting.drilldown import period_filter, tickets_matching

LIST_LIMIT = 30  # tickets shown per section; the count is always the whole


@dataclass
class Section:
    key: str
    label: str
    count: int
    tickets: list[Ticket]
    filter: dict[str, Any]  # the drill-down filter (reporting.drilldown) that lists all of them
    alert: bool = False
    cards: list[dict[str, Any]] = field(default_factory=list)  # the page's: each ticket with its deadline


SECTIONS = (
    ("intake", gettext_lazy("Received today")),
    ("handling", gettext_lazy("In the units")),
    ("overdue", gettext_lazy("Overdue")),
    ("supervised", gettext_lazy("Supervised, open")),
    ("double_no", gettext_lazy("Double-no, awaiting second handling")),
)


def filters(now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Each figure as the drill-down filter the dashboard uses for the same figure: handling overdue,
    supervised open tickets, double-no awaiting second handling (reporting.nightly)."""
    today = clock.local_date(now)
    return {
        "intake": period_filter(today, today),
        "handling": {"status_in": list(IN_THE_UNITS)},
        "overdue": {"handle_overdue_at": now.isoformat()},
        "supervised": {"supervised": True, "open": True},
        "double_no": {"awaiting_second_handling": True},
    }


ORDER = {
    "intake": (F("received_at").desc(),),
    "handling": (F("next_due_at").asc(nulls_last=True),),
    "overdue": (F("handle_due_at").asc(),),
    "supervised": (F("next_due_at").asc(nulls_last=True),),
    "double_no": (F("visited_at").asc(),),
}


def querysets(user: Any, now: dt.datetime) -> dict[str, QuerySet[Ticket]]:
    visible = access.visible_tickets(user)
    return {key: tickets_matching(spec, base=visible).order_by(*ORDER[key], "id") for key, spec in filters(now).items()}


def sections(user: Any, now: dt.datetime | None = None, *, with_tickets: bool = True) -> list[Section]:
    now = now or timezone.now()
    found = querysets(user, now)
    specs = filters(now)
    out = []
    for key, label in SECTIONS:
        qs = found[key]
        tickets = list(qs.select_related("lead_unit", "category")[:LIST_LIMIT]) if with_tickets else []
        count = qs.count()
        alert = key in ("overdue", "double_no") and count > 0
        out.append(Section(key, str(label), count, tickets, specs[key], alert=alert))
    return out


def digest_text(user: Any, now: dt.datetime) -> str:
    figures = sections(user, now, with_tickets=False)
    lines = [_("Tonight %(day)s, for %(name)s:") % {"day": clock.local(now).strftime("%m-%d %H:%M"), "name": user}]
    lines += [f"{s.label}: {s.count}" for s in figures]
    base = (settings.NOTIFY_SITE_URL or "").rstrip("/")
    if base:
        lines.append(base + reverse("tonight"))
    return "\n".join(lines)


def send_leaders_digest(now: dt.datetime | None = None) -> int:
    """Each leader's figures, in-app and by their channels; returns how many leaders were told."""
    now = now or timezone.now()
    leaders = User.objects.filter(role__in=roles_with("tonight.read"), is_active=True).order_by("id")
    told = 0
    for leader in leaders:
        notify([leader.pk], ticket_id=None, kind="digest", text=digest_text(leader, now))
        told += 1
    return told

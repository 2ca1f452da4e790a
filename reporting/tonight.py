"""The leader's 23:00 look (今晚): today's intake, what the units are handling, what is overdue, the
supervised and the double-no tickets — live, among the tickets the leader may see — and the nightly
digest that sends the same figures to each leader's channels (docs/notifications.md).

Live rather than from the snapshot: the snapshot is taken at 22:30 and the page is read at 23:00 and
later; a ticket dispatched or handled in between shows as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.notifications import notify
from intake.models import CLOCK_RUNNING, IN_FLIGHT, IN_THE_UNITS, UP_FOR_SECOND_HANDLING, Ticket
from jxq_cases.lib import clock
from org.abilities import roles_with
from org.models import User

LIST_LIMIT = 30  # tickets shown per section; the count is always the whole


@dataclass
class Section:
    key: str
    label: str
    count: int
    tickets: list[Ticket]
    alert: bool = False
    cards: list[dict[str, Any]] = field(default_factory=list)  # the page's: each ticket with its deadline


SECTIONS = (
    ("intake", gettext_lazy("Received today")),
    ("handling", gettext_lazy("In the units")),
    ("overdue", gettext_lazy("Overdue")),
    ("supervised", gettext_lazy("Supervised")),
    ("double_no", gettext_lazy("Double-no, awaiting second handling")),
)


def querysets(user: Any, now: dt.datetime) -> dict[str, QuerySet]:
    visible = access.visible_tickets(user)
    start, end = clock.day_bounds(clock.local_date(now))
    return {
        "intake": visible.filter(received_at__gte=start, received_at__lt=end).order_by("-received_at"),
        "handling": visible.filter(status__in=IN_THE_UNITS).order_by(F("next_due_at").asc(nulls_last=True)),
        "overdue": visible.filter(status__in=CLOCK_RUNNING, next_due_at__lte=now).order_by("next_due_at"),
        "supervised": visible.filter(status__in=IN_FLIGHT)
        .filter(~Q(supervision=""))
        .order_by(F("next_due_at").asc(nulls_last=True)),
        "double_no": visible.filter(status__in=UP_FOR_SECOND_HANDLING).order_by("visited_at"),
    }


def sections(user: Any, now: dt.datetime | None = None, *, with_tickets: bool = True) -> list[Section]:
    now = now or timezone.now()
    found = querysets(user, now)
    out = []
    for key, label in SECTIONS:
        qs = found[key]
        tickets = list(qs.select_related("lead_unit", "category")[:LIST_LIMIT]) if with_tickets else []
        count = qs.count()
        out.append(Section(key, str(label), count, tickets, alert=key in ("overdue", "double_no") and count > 0))
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

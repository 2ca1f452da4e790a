"""Repeat callers and repeat matters: a caller's other requests, linked by the keyed hash of the
phone number (``Ticket.caller_key``, intake.search_columns), never by the number itself.

For a ticket: which request of this caller it is within ``REPEAT_CALLER_DAYS`` (the street's count,
whoever handled the others), the earlier ones the user may open, and whether one of them is probably
the same matter (the similarity measure of ``proactive.similarity`` at the same-matter threshold).
It lives in proactive, above dispatch, because it reads the similarity measure; the ticket page and
the triage panel load it as a fragment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from dispatch.access import visible_tickets
from intake.models import Ticket
from proactive.similarity import Weights, profile_of_ticket, score

SHOWN = 10  # earlier requests listed; the count covers them all


@dataclass
class EarlierRequest:
    ticket: Ticket
    same_matter: bool


@dataclass
class CallerHistory:
    ordinal: int  # this ticket is the caller's ordinal-th request in the window (1: the first)
    days: int
    earlier: list[EarlierRequest] = field(default_factory=list)  # the visible ones, newest first
    hidden: int = 0  # earlier requests the user may not open
    later: int = 0  # the caller's requests after this one, in the same window after it

    @property
    def is_repeat(self) -> bool:
        return self.ordinal > 1

    @property
    def repeats_matter(self) -> bool:
        return any(e.same_matter for e in self.earlier)


def caller_history(ticket: Ticket, *, user) -> CallerHistory | None:
    """The caller's requests around ``ticket`` (None when the ticket has no phone)."""
    if not ticket.caller_key:
        return None
    days = settings.REPEAT_CALLER_DAYS
    window = timedelta(days=days)
    same_caller = Ticket.objects.filter(caller_key=ticket.caller_key).exclude(pk=ticket.pk)
    earlier = same_caller.filter(
        received_at__gte=ticket.received_at - window, received_at__lte=ticket.received_at
    ).order_by("-received_at", "-id")
    earlier_ids = list(earlier.values_list("id", flat=True))
    history = CallerHistory(
        ordinal=len(earlier_ids) + 1,
        days=days,
        later=same_caller.filter(received_at__gt=ticket.received_at, received_at__lte=ticket.received_at + window)
        .order_by()
        .count(),
    )
    if not earlier_ids:
        return history
    shown = list(
        visible_tickets(user)
        .filter(pk__in=earlier_ids)
        .select_related("community", "category")
        .order_by("-received_at", "-id")[:SHOWN]
    )
    visible_count = visible_tickets(user).filter(pk__in=earlier_ids).count() if len(shown) == SHOWN else len(shown)
    history.hidden = len(earlier_ids) - visible_count
    mine = profile_of_ticket(ticket)
    weights = Weights.from_settings()
    threshold = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    history.earlier = [
        EarlierRequest(other, score(mine, profile_of_ticket(other), weights) >= threshold) for other in shown
    ]
    return history

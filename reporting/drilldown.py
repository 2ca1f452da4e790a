"""Every figure of a snapshot keeps the filter that reproduces the tickets behind it.

A filter is a small JSON dict in the vocabulary below, stored with the figure. The pages turn it back
into tickets with :func:`tickets_matching`, starting from what the user may see
(``dispatch.access.visible_tickets(user)``), so a click on "3 overdue" lists exactly those three
(or fewer, for a user who sees fewer). The nightly job counts its scalar figures through the same
function, so a figure and its list cannot drift apart.

Vocabulary (all optional, combined with AND):

- ``street`` (id): the street's tickets (every snapshot's figures carry their street)
- ``received_from`` / ``received_to``: local dates (Beijing time), inclusive
- ``source``, ``lead_unit`` (id), ``community`` (id), ``category`` (id), ``status_in`` (codes)
- ``grid_cell`` (id), ``place_community`` (id): where the ticket's place lies (docs/geography.md)
- ``counted``: true/false — the latest visit is counted and no exclusion was approved
- ``responded`` / ``resolved`` / ``satisfied``: true/false, among counted tickets
- ``double_no``: true — counted, neither resolved nor satisfied
- ``awaiting_second_handling``: true — double-no visit in, the decision due or handled again (not closed)
- ``supervised``: true — any supervision level
- ``open``: true — dispatched and its reply not yet gone upstream (``AWAITING_REPLY``)
- ``contact_overdue_at`` / ``handle_overdue_at``: ISO datetime — open and past the deadline then
- ``contact_due_by`` / ``handle_due_by``: [from, to] ISO datetimes — open, deadline in [from, to)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from intake.models import AWAITING_REPLY, GONE, UP_FOR_SECOND_HANDLING, Supervision, Ticket
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode
from reporting.rates import COUNTED, DOUBLE_NO


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _moment(value: dt.datetime | str) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("filter datetimes carry their offset")
    return moment


def _visit_flag(column: str) -> Callable[[Any], Q]:
    return lambda v: COUNTED & Q(**{column: bool(v)})


def _open_contact(v: dt.datetime | str) -> Q:
    return Q(status__in=AWAITING_REPLY, first_contact_at__isnull=True, contact_due_at__lt=_moment(v))


def _open_handle(v: dt.datetime | str) -> Q:
    return Q(status__in=AWAITING_REPLY, handle_due_at__lt=_moment(v))


def _between(column: str, extra: Q) -> Callable[[Any], Q]:
    def build(v: Any) -> Q:
        start, end = (_moment(x) for x in v)
        return extra & Q(**{f"{column}__gte": start, f"{column}__lt": end})

    return build


def _received_from(v: dt.date | str) -> Q:
    return Q(received_at__gte=clock.day_bounds(_date(v))[0])


def _received_to(v: dt.date | str) -> Q:
    return Q(received_at__lt=clock.day_bounds(_date(v))[1])


BUILDERS: dict[str, Callable[[Any], Q]] = {
    "street": lambda v: Q(street_id=int(v)),
    "received_from": _received_from,
    "received_to": _received_to,
    "source": lambda v: Q(source=v),
    "lead_unit": lambda v: Q(lead_unit_id=int(v)),
    "community": lambda v: Q(community_id=int(v)),
    "grid_cell": lambda v: Q(grid_cell_id=int(v)),
    "place_community": lambda v: Q(place_community_id=int(v)),
    "category": lambda v: Q(category_id=int(v)) if v is not None else Q(category__isnull=True),
    "status_in": lambda v: Q(status__in=list(v)),
    "counted": lambda v: COUNTED if v else ~COUNTED,
    "responded": _visit_flag("visit_contacted"),
    "resolved": _visit_flag("visit_resolved"),
    "satisfied": _visit_flag("visit_satisfied"),
    "double_no": lambda v: DOUBLE_NO if v else ~DOUBLE_NO,
    "awaiting_second_handling": lambda v: DOUBLE_NO & Q(status__in=UP_FOR_SECOND_HANDLING),
    "supervised": lambda v: ~Q(supervision=Supervision.NONE) if v else Q(supervision=Supervision.NONE),
    "open": lambda v: Q(status__in=AWAITING_REPLY) if v else ~Q(status__in=AWAITING_REPLY),
    "contact_overdue_at": _open_contact,
    "handle_overdue_at": _open_handle,
    "contact_due_by": _between("contact_due_at", Q(status__in=AWAITING_REPLY, first_contact_at__isnull=True)),
    "handle_due_by": _between("handle_due_at", Q(status__in=AWAITING_REPLY)),
}


def filter_q(spec: dict[str, Any]) -> Q:
    """The Q of a filter spec; a DomainError naming the first unknown key or bad value."""
    q = Q()
    for key, value in spec.items():
        builder = BUILDERS.get(key)
        if builder is None:
            raise DomainError(ErrorCode.INVALID, f"unknown ticket filter {key!r}")
        try:
            q &= builder(value)
        except (TypeError, ValueError) as error:
            raise DomainError(ErrorCode.INVALID, f"bad value for ticket filter {key!r}: {value!r}") from error
    return q


def tickets_matching(spec: dict[str, Any], base: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The street's tickets (never sent-back or merged ones) behind a figure, within ``base``."""
    tickets = base if base is not None else Ticket.objects.all()
    return tickets.exclude(status__in=GONE).filter(filter_q(spec))


def period_filter(start_on: dt.date, end_on: dt.date, **more: Any) -> dict[str, Any]:
    return {"received_from": start_on.isoformat(), "received_to": end_on.isoformat(), **more}

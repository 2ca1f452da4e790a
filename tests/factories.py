"""The tests' one ticket factory: every ticket a test sets up is written here.

Fixture setup writes the columns directly (as intake stores a ticket); the behaviour under test
always goes through the workflow, the API or the pages. The builders below are the shapes the tests
ask for — a plain received ticket, a ticket in a given state with the stamps that state implies, a
ticket dispatched an hour ago, a counted ticket of a given day for the rate tests, a resident's
request in a community for the similarity tests — and all of them end in ``make_ticket``, so a new
required column (the street, say) is added in one place.

``tests/project/test_one_ticket_factory.py`` fails when a test writes a ticket anywhere else.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.conf import settings
from django.utils import timezone

from intake.models import Category, Kind, Source, Status, Ticket
from jxq_cases.lib import clock
from org.models import Street, Unit
from org.streets import default_street

_numbers = itertools.count(1)

# The order of the main path: a state implies the stamps of the ones before it.
_MAIN_PATH = [
    Status.RECEIVED,
    Status.TRIAGED,
    Status.DISPATCHED,
    Status.CONTACTED,
    Status.HANDLING,
    Status.REVIEWED,
    Status.REPLIED,
    Status.VISITED,
]
# States that keep their lead unit although they are off the main path.
_KEEP_LEAD_UNIT = (Status.SENT_BACK, Status.MERGED, Status.CLOSED, Status.REHANDLING)

# When a ticket in a given state was received: the workflow tests replay their steps with ``now=`` on
# days of March 2025, after it (a Monday, 09:00 in Beijing).
WORKFLOW_DAY0 = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
# A resident's request in the similarity tests: a Monday, 10:00 in Beijing.
RESIDENT_DAY0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def next_ticket_no(prefix: str = "T") -> str:
    """A ticket number no other test ticket of this run has."""
    return f"{prefix}{next(_numbers):07d}"


def make_ticket(**fields: Any) -> Ticket:
    """A received ticket as intake stores it, three hours old; ``fields`` override the defaults."""
    values: dict[str, Any] = {
        "ticket_no": next_ticket_no(),
        "source": Source.CITY,
        "received_at": timezone.now() - dt.timedelta(hours=3),
        "kind": Kind.COMPLAINT,
        "content": "楼道灯坏了很久没人修",
        "complainant_name": "张三丰",
        "complainant_phone": "13812341234",
        "address": "朝阳区酒仙桥南路社区11号楼",
    }
    values.update(fields)
    if "street" not in values and "street_id" not in values:
        values["street"] = _street_of(values)
    return Ticket.objects.create(**values)


def _street_of(values: dict[str, Any]) -> Street:
    """The street of a test ticket: its lead unit's or community's, else the default street."""
    for key in ("lead_unit", "community"):
        unit = values.get(key)
        if unit is not None:
            return unit.street
    street = Street.objects.filter(name=settings.REPORTING_STREET_NAME).first()
    return street if street is not None else default_street()


def ticket_in(status: str, lead_unit: Unit | None = None, **fields: Any) -> Ticket:
    """A ticket in ``status``, received on WORKFLOW_DAY0, with the timestamps that state implies (two
    hours ago)."""
    past = timezone.now() - dt.timedelta(hours=2)
    stamps: dict[str, Any] = {"received_at": WORKFLOW_DAY0}
    rank = _MAIN_PATH.index(status) if status in _MAIN_PATH else _MAIN_PATH.index(Status.HANDLING)
    if rank >= 1:
        stamps["triaged_at"] = past
    if rank >= 2:
        stamps["dispatched_at"] = past
    if rank >= 3:
        stamps.update(acknowledged_at=past, handle_started_at=past, first_contact_at=past)
    if rank >= 5:
        stamps["reviewed_at"] = past
    if rank >= 6:
        stamps["replied_at"] = past
    if status == Status.VISITED:
        stamps.update(visited_at=past, visit_counted=True, visit_contacted=True)
        stamps.update(visit_resolved=False, visit_satisfied=False)
    if rank < 2 and status not in _KEEP_LEAD_UNIT:
        lead_unit = None
    stamps.update(fields)
    return make_ticket(status=status, lead_unit=lead_unit, **stamps)


def dispatched_ticket(unit: Unit, **fields: Any) -> Ticket:
    """A ticket dispatched to ``unit`` an hour ago, not yet acknowledged (deadline columns set)."""
    now = timezone.now()
    values: dict[str, Any] = {
        "status": Status.DISPATCHED,
        "triaged_at": now - dt.timedelta(hours=2),
        "dispatched_at": now - dt.timedelta(hours=1),
        "lead_unit": unit,
        "acknowledge_due_at": now + dt.timedelta(hours=3),
        "next_due_kind": "acknowledge",
        "next_due_at": now + dt.timedelta(hours=3),
        "next_warn_at": now + dt.timedelta(hours=2),
    }
    values.update(fields)
    return make_ticket(**values)


def local_time(text: str) -> dt.datetime:
    """'2023-02-01 00:00' on the street's clock -> an aware datetime."""
    return clock.assume_local(dt.datetime.fromisoformat(text))


def counted_ticket(
    received: str,
    *,
    unit: Unit | None = None,
    source: str = Source.CITY,
    visit: str | None = None,
    counted: bool = True,
    excluded: bool = False,
    status: str = Status.CLOSED,
    community: Unit | None = None,
    category: str | None = None,
    **fields: Any,
) -> Ticket:
    """A ticket received at ``received`` (street time), led by ``unit``, for figures counted by hand.

    ``visit`` is the latest return visit as three letters for responded/resolved/satisfied, 'y' or
    'n' each: "yyy" is responded, resolved and satisfied; "ynn" is a responded double-no.
    """
    values: dict[str, Any] = dict(
        received_at=local_time(received),
        source=source,
        kind=Kind.HELP,
        content="测试诉求",
        complainant_name="",
        complainant_phone="",
        address="",
        lead_unit=unit,
        status=status,
        is_excluded=excluded,
        community=community,
        category=Category.objects.get_or_create(name=category)[0] if category else None,
    )
    if visit is not None:
        responded, resolved, satisfied = (letter == "y" for letter in visit)
        values.update(
            visited_at=local_time(received) + dt.timedelta(days=3),
            visit_counted=counted,
            visit_contacted=responded,
            visit_resolved=resolved,
            visit_satisfied=satisfied,
        )
    values.update(fields)
    return make_ticket(**values)


def resident_ticket(
    content: str,
    *,
    day: float = 0,
    community: str | None = "南路社区",
    category: str | None = None,
    **fields: Any,
) -> Ticket:
    """A received request ``day`` days after RESIDENT_DAY0 in ``community`` (a unit's name)."""
    values: dict[str, Any] = {
        "received_at": RESIDENT_DAY0 + dt.timedelta(days=day),
        "content": content,
        "complainant_name": "",
        "complainant_phone": "",
        "address": "",
        "community": Unit.objects.get(name=community) if community else None,
        "category": Category.objects.get_or_create(name=category)[0] if category else None,
    }
    values.update(fields)
    return make_ticket(**values)

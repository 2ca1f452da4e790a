"""Hand-built tickets for the reporting tests: every figure in the tests is counted by hand."""

import datetime as dt
import itertools

import pytest

from intake.models import Category, Status, Ticket
from jxq_cases.lib import clock
from org.models import Unit

_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    """'2023-02-01 00:00' Beijing time -> an aware datetime."""
    return clock.assume_local(dt.datetime.fromisoformat(text))


def make_ticket(
    received: str,
    *,
    unit: Unit | None = None,
    source: str = "city",
    visit: str | None = None,
    counted: bool = True,
    excluded: bool = False,
    status: str = Status.CLOSED,
    community: Unit | None = None,
    category: str | None = None,
    **fields,
) -> Ticket:
    """A ticket received at ``received`` (Shanghai time), led by ``unit``.

    ``visit`` is the latest return visit as three letters for responded/resolved/satisfied,
    'y' or 'n' each: "yyy" is responded, resolved and satisfied; "ynn" is a responded double-no.
    """
    values = dict(
        ticket_no=f"T{next(_numbers):07d}",
        source=source,
        received_at=at(received),
        kind="help",
        content="测试诉求",
        lead_unit=unit,
        status=status,
        is_excluded=excluded,
        community=community,
        category=Category.objects.get_or_create(name=category)[0] if category else None,
    )
    if visit is not None:
        responded, resolved, satisfied = (letter == "y" for letter in visit)
        values.update(
            visited_at=at(received) + dt.timedelta(days=3),
            visit_counted=counted,
            visit_contacted=responded,
            visit_resolved=resolved,
            visit_satisfied=satisfied,
        )
    values.update(fields)
    return Ticket.objects.create(**values)


@pytest.fixture(autouse=True)
def street_units(db) -> None:
    """Every test here uses the database; the root ``reference_data`` fixture reloads the units and
    the default scoring policy that a transactional test flushed."""


@pytest.fixture
def community_a(db) -> Unit:
    return Unit.objects.get(name="南路社区")


@pytest.fixture
def department_b(db) -> Unit:
    return Unit.objects.get(name="城市管理办公室")


@pytest.fixture
def department_c(db) -> Unit:
    return Unit.objects.get(name="综合行政执法队")

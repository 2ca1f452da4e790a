"""No N+1 on the pages that list tickets: the number of queries a page makes is the same with a few
rows and with many (counted with Django's CaptureQueriesContext around the real request)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.models import ExclusionRequest, ReplyDraft, TicketEvent
from intake.models import Category, Status
from jxq_cases.lib import clock
from reporting.nightly import take_nightly_snapshot
from tests.factories import dispatched_ticket, make_ticket


def _queries(client, url) -> int:
    client.get(url)  # warm: session, language, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _fill(handler_unit, other_unit, author, count: int) -> None:
    category = Category.objects.get_or_create(name="噪音扰民")[0]
    for _ in range(count):
        make_ticket(category=category, community=handler_unit)
        ticket = dispatched_ticket(handler_unit, category=category, community=handler_unit, supervision="street")
        ticket.co_units.add(other_unit)
        handling = dispatched_ticket(
            handler_unit, status=Status.HANDLING, acknowledged_at=timezone.now(), category=category
        )
        ReplyDraft.objects.create(
            ticket=handling, version=1, text="答复", author=author, created_at=timezone.now(), chain=["section_leader"]
        )
        ExclusionRequest.objects.create(
            ticket=handling,
            version=1,
            reason_category="unreasonable",
            reason="不合理",
            author=author,
            created_at=timezone.now(),
            chain=["section_leader", "principal_leader"],
        )


PAGES = [
    ("center_staff", "/tickets/"),
    ("center_staff", "/tickets/?sort=-received&flags=supervised"),
    ("unit_handler", "/tickets/"),
    ("other_unit_handler", "/tickets/"),
    ("unit_handler", "/inbox/"),
    ("section_leader", "/signoff/"),
    ("section_leader", "/tickets/"),
    ("principal_leader", "/dashboard/"),
    ("principal_leader", '/dashboard/tickets/?filter={"open": true}'),
    ("principal_leader", "/tonight/"),
    ("section_leader", "/tonight/"),
    ("center_staff", "/map/data/"),
    ("center_staff", "/open311/v2/requests.json"),
]


@pytest.mark.parametrize("persona,url", PAGES)
def test_list_pages_make_as_many_queries_with_many_rows_as_with_few(
    request, settings, client_for, persona, url, handler_unit, other_unit, unit_handler, principal_leader
):
    settings.PUBLIC_CACHE_SECONDS = 0  # Open311 computes each answer (nothing is kept in the cache)
    user = request.getfixturevalue(persona)
    client = client_for(user)
    today = clock.today()
    _fill(handler_unit, other_unit, unit_handler, 2)
    take_nightly_snapshot(today)
    few = _queries(client, url)
    _fill(handler_unit, other_unit, unit_handler, 12)
    take_nightly_snapshot(today)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"


def test_ticket_page_queries_do_not_grow_with_its_history(client_for, center_staff, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit, status=Status.HANDLING, acknowledged_at=timezone.now())
    client = client_for(center_staff)

    def add_events(n):
        for i in range(n):
            TicketEvent.objects.create(
                ticket=ticket,
                kind="note",
                actor=unit_handler,
                actor_unit=handler_unit,
                at=timezone.now() + timedelta(seconds=i),
                from_status=Status.HANDLING,
                to_status=Status.HANDLING,
                data={"note": f"进展 {i}"},
            )

    add_events(2)
    few = _queries(client, f"/tickets/{ticket.ticket_no}/")
    add_events(20)
    many = _queries(client, f"/tickets/{ticket.ticket_no}/")
    assert many == few

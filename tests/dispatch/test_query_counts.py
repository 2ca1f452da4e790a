"""The ticket list and detail cost a fixed number of queries, however many tickets, co-handlers,
notes and drafts there are (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.models import Note
from intake.models import Status
from tests.dispatch.helpers import add_extension, add_pending_draft
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


def _queries(client, url, params=None) -> int:
    client.get(url, params or {})  # warm: the user's units are read once per user object
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def _make(n, lead, co, author):
    for _ in range(n):
        ticket = ticket_in(Status.HANDLING, lead_unit=lead)
        ticket.co_units.add(co)
        Note.objects.create(ticket=ticket, author=author, text="进展", created_at=timezone.now())


@pytest.mark.parametrize("persona", ["center_staff", "unit_handler"])
def test_list_queries_do_not_grow_with_rows(request, api_client_for, persona, handler_unit, other_unit):
    user = request.getfixturevalue(persona)
    client = api_client_for(user)
    author = request.getfixturevalue("unit_handler")
    _make(3, handler_unit, other_unit, author)
    few = _queries(client, "/api/v1/tickets/", {"ordering": "deadline"})
    _make(30, handler_unit, other_unit, author)
    many = _queries(client, "/api/v1/tickets/", {"ordering": "deadline"})
    assert many == few


def test_detail_queries_do_not_grow_with_notes_and_drafts(api_client_for, unit_handler, handler_unit):
    client = api_client_for(unit_handler)
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    url = f"/api/v1/tickets/{ticket.ticket_no}/"
    Note.objects.create(ticket=ticket, author=unit_handler, text="1", created_at=timezone.now())
    add_pending_draft(ticket, unit_handler)
    few = _queries(client, url)
    for i in range(10):
        Note.objects.create(ticket=ticket, author=unit_handler, text=str(i), created_at=timezone.now())
    many = _queries(client, url)
    assert many == few


def _paused(n, lead, author):
    """Tickets whose clock stands still: an extension request waits, so no deadline runs."""
    for _ in range(n):
        add_extension(ticket_in(Status.HANDLING, lead_unit=lead, next_due_at=None), author)


@pytest.mark.parametrize(("persona", "url"), [("center_staff", "/tickets/"), ("unit_handler", "/inbox/")])
def test_pages_do_not_ask_per_row_whether_the_clock_stands_still(
    request, client, persona, url, handler_unit, unit_handler
):
    client.force_login(request.getfixturevalue(persona))
    _paused(2, handler_unit, unit_handler)
    few = _queries(client, url)
    _paused(20, handler_unit, unit_handler)
    many = _queries(client, url)
    assert many == few
    assert client.get(url).content.decode().count('class="due paused"') == 22

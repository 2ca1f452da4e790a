"""The SQL of every ticket list: no DISTINCT (no filter joins a table that could double a ticket row),
and no list reads more rows than its page shows (a LIMIT of one page and one row, never more).

Every filter of the API's TicketFilter, every ordering the API offers, every filter and sort order of
the workbench; a new filter is covered as soon as it is declared (its sample value comes from its type).
"""

import datetime as dt
import re

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.api import TicketCursorPagination
from dispatch.filters import TicketFilter
from dispatch.forms import WorkbenchFilterForm
from dispatch.views import workbench as workbench_view
from dispatch.views.common import MAX_PAGE, PAGE_SIZE
from intake.models import Category, Status, Ticket
from org.models import Street, Unit
from tests.factories import make_ticket, ticket_in

pytestmark = pytest.mark.django_db

API_PAGE = TicketCursorPagination.page_size
LIMIT = re.compile(r"\bLIMIT (\d+)")


def _ticket_reads(captured) -> list[str]:
    """The queries that read ticket rows (not the units, categories, sessions or M2M prefetches)."""
    return [q["sql"] for q in captured.captured_queries if re.search(r'FROM "intake_ticket"\s', q["sql"])]


def assert_list_shape(captured, page_rows: int) -> None:
    reads = _ticket_reads(captured)
    assert reads, "no query read the tickets"
    for sql in reads:
        assert "DISTINCT" not in sql.upper(), sql
        if "COUNT(" in sql.upper():
            continue  # a count reads no ticket row into Python (the status counts, a skipped segment)
        if sql.startswith("EXPLAIN (FORMAT JSON) "):
            continue  # the planner's estimate for a search's newest window: planned, not run
        if sql.startswith('SELECT "intake_ticket"."id" AS "pk" FROM'):
            assert LIMIT.search(sql), f"an unbounded id lookup: {sql}"
            continue  # the search's candidate ids (a bounded list of ids, not ticket rows)
        limits = [int(n) for n in LIMIT.findall(sql)]
        assert limits, f"a ticket list read without LIMIT: {sql}"
        assert max(limits) <= page_rows + 1, sql


def _sample(name: str, declared: django_filters.Filter) -> str:
    """A value each kind of filter accepts, so that the filter really applies."""
    if isinstance(declared, django_filters.BooleanFilter):
        return "true"
    if isinstance(declared, django_filters.IsoDateTimeFilter):
        return "2026-01-01T00:00:00Z"
    if isinstance(declared, (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter)):
        return str(list(declared.extra["choices"])[-1][0])
    if isinstance(declared, django_filters.ModelChoiceFilter):
        return str(declared.queryset.first().pk)
    if name == "street":
        return Street.objects.order_by("pk").first().name  # a name no street has reads nothing at all
    return (
        Unit.objects.filter(is_center=False).first().name if "unit" in name else "路灯"
    )  # a search needs two characters


@pytest.fixture
def some_tickets(handler_unit, other_unit):
    category = Category.objects.create(name="路灯")
    for status in (Status.RECEIVED, Status.HANDLING, Status.CLOSED, Status.REPLIED):
        ticket = ticket_in(status, lead_unit=handler_unit, category=category, community=handler_unit)
        ticket.co_units.add(other_unit)
    return category


@pytest.mark.parametrize("name", sorted(TicketFilter.base_filters))
@pytest.mark.parametrize("persona", ["center_staff", "unit_handler"])
def test_every_api_filter_reads_one_page_without_distinct(request, api_client_for, some_tickets, name, persona):
    client = api_client_for(request.getfixturevalue(persona))
    params = {name: _sample(name, TicketFilter.base_filters[name])}
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/tickets/", params)
    assert response.status_code == 200, response.content
    assert_list_shape(captured, API_PAGE)


def test_several_statuses_at_once_read_no_distinct(api_client_for, center_staff, some_tickets):
    """The case that was a SELECT DISTINCT over every column: ``?status=`` (one or several)."""
    client = api_client_for(center_staff)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/tickets/?status=closed&status=handling&lead_unit=南路社区")
    assert response.status_code == 200
    assert {row["status"] for row in response.json()["results"]} == {"closed", "handling"}
    assert_list_shape(captured, API_PAGE)


@pytest.mark.parametrize("ordering", list(TicketCursorPagination.ORDERINGS))
def test_every_api_ordering_reads_one_page(api_client_for, center_staff, some_tickets, ordering):
    client = api_client_for(center_staff)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/tickets/", {"ordering": ordering, "status": "handling"})
    assert response.status_code == 200
    assert_list_shape(captured, API_PAGE)


def _workbench_params(category: Category) -> list[dict]:
    form = WorkbenchFilterForm()
    community = Unit.objects.filter(kind="community").first()
    cases: list[dict] = [
        {"q": "路灯"},
        {"q": "路灯 不亮"},
        {"received_from": "2026-01-01", "received_to": "2026-12-31"},
    ]
    cases += [{"status": code} for code, _ in form.fields["status"].choices]
    cases += [{"source": code} for code, _ in form.fields["source"].choices if code]
    cases += [{"kind": code} for code, _ in form.fields["kind"].choices if code]
    cases += [{"due": code} for code, _ in WorkbenchFilterForm.DUE if code]
    cases += [{"flags": code} for code, _ in WorkbenchFilterForm.FLAGS]
    cases += [{"category": category.pk}, {"community": community.pk}, {"unit": community.pk}]
    return cases


@pytest.mark.parametrize("sort", [code for code, _ in WorkbenchFilterForm.SORTS])
@pytest.mark.parametrize("persona", ["center_staff", "unit_handler"])
def test_every_workbench_filter_and_sort_reads_one_page_without_distinct(request, client, some_tickets, sort, persona):
    client.force_login(request.getfixturevalue(persona))
    cases = _workbench_params(some_tickets)
    assert len(cases) > 20
    for params in cases:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/tickets/", {**params, "sort": sort})
        assert response.status_code == 200, params
        assert_list_shape(captured, PAGE_SIZE)


# --- deep pages -----------------------------------------------------------------------------------


@pytest.fixture
def three_segments(handler_unit):
    """Two tickets in the center's queue, three with a running deadline, two in flight without one
    (and two closed ones that the open list leaves out)."""
    now = timezone.now()
    for hours in (5, 4):
        make_ticket(received_at=now - dt.timedelta(hours=hours))
    for hours in (30, 10, 20):
        ticket_in(Status.HANDLING, lead_unit=handler_unit, next_due_at=now + dt.timedelta(hours=hours))
    for days in (3, 2):
        ticket_in(Status.REPLIED, lead_unit=handler_unit, next_due_at=None, received_at=now - dt.timedelta(days=days))
    # closed, with and without a deadline left set: never on the open list (its segments name its states)
    ticket_in(Status.CLOSED, lead_unit=handler_unit, next_due_at=None)
    ticket_in(Status.CLOSED, lead_unit=handler_unit, next_due_at=now + dt.timedelta(hours=15))
    awaiting = list(Ticket.objects.filter(status=Status.RECEIVED).order_by("received_at", "id"))
    running = list(Ticket.objects.filter(status=Status.HANDLING).order_by("next_due_at", "id"))
    rest = list(Ticket.objects.filter(status=Status.REPLIED).order_by("-received_at", "-id"))
    return [t.ticket_no for t in awaiting + running + rest]


def test_workbench_by_deadline_reads_only_the_page_at_every_depth(client, center_staff, three_segments, monkeypatch):
    """Pages of two rows over the three segments: each page is the right slice of the whole order,
    and no query reads more than the page and one row (the counts of the skipped segments aside)."""
    monkeypatch.setattr(workbench_view, "PAGE_SIZE", 2)
    client.force_login(center_staff)
    shown = []
    for page in range(1, 6):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/tickets/", {"sort": "deadline", "page": page})
        assert response.status_code == 200
        assert_list_shape(captured, 2)
        rows = [row["ticket"].ticket_no for row in response.context["rows"]]
        assert rows == three_segments[(page - 1) * 2 : page * 2], page
        assert response.context["has_next"] == (page * 2 < len(three_segments))
        shown += rows
    assert shown == three_segments


@pytest.mark.parametrize("sort", [code for code, _ in WorkbenchFilterForm.SORTS])
def test_workbench_refuses_pages_beyond_the_cap_with_a_message(client, center_staff, three_segments, sort):
    client.force_login(center_staff)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/tickets/", {"sort": sort, "page": MAX_PAGE + 1})
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert "narrow the filter" in response.content.decode() or "缩小" in response.content.decode()
    # the list itself is not read at all (the status counts still are, grouped)
    assert all("LIMIT" not in sql for sql in _ticket_reads(captured))
    assert client.get("/tickets/", {"sort": sort, "page": MAX_PAGE}).status_code == 200


@pytest.mark.parametrize(
    ("persona", "url"), [("unit_handler", "/inbox/"), ("principal_leader", "/dashboard/tickets/?filter={}")]
)
def test_the_other_numbered_lists_refuse_pages_beyond_the_cap(request, client, three_segments, persona, url):
    client.force_login(request.getfixturevalue(persona))
    joiner = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}{joiner}page={MAX_PAGE + 1}")
    assert response.status_code == 400
    assert "缩小筛选范围" in response.content.decode() or "narrow the filter" in response.content.decode()
    assert not _ticket_reads(captured)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{url}{joiner}page=2").status_code == 200
    assert_list_shape(captured, PAGE_SIZE)


@pytest.mark.parametrize("name", ["category", "community", "lead_unit", "street"])
def test_a_name_filter_selects_the_tickets_of_that_name_by_id(some_tickets, other_unit, name):
    """``?community=南路社区`` and the others look the name up first and filter by the ids it names: the
    same tickets as a join on the name, no join in the tickets' query, nothing for a name no row has."""
    ticket_in(Status.CLOSED, lead_unit=other_unit, community=other_unit)
    for ticket in Ticket.objects.all():
        value = getattr(ticket, name).name if getattr(ticket, f"{name}_id") else None
        if value is None:
            continue
        expected = set(Ticket.objects.filter(**{f"{name}__name": value}).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as captured:
            found = set(TicketFilter({name: value}, queryset=Ticket.objects.all()).qs.values_list("pk", flat=True))
        assert found == expected and found
        reads = _ticket_reads(captured)
        assert reads and all("JOIN" not in sql for sql in reads), reads
    assert not TicketFilter({name: "没有这个名字"}, queryset=Ticket.objects.all()).qs.exists()

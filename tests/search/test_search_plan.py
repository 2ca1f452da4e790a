"""A search of several stored words (a long word's pieces, or two words) looks at the newest tickets
first: when enough of them match, the planner is given one word to estimate and the rest as a test
row by row, so it reads the list in its own order; otherwise all the words go to the full-text
index. Both find the same tickets (docs/intake.md, "Search": "Several words")."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import search
from dispatch.search import search_tickets
from tests.factories import make_ticket

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the full-text index is PostgreSQL's"),
]


@pytest.fixture
def tickets():
    now = timezone.now()
    # the newest six: four hold the long place name (pieces 驼房营南 & 房营南里), two only a part of it
    made = {
        f"new{i}": make_ticket(
            received_at=now - dt.timedelta(minutes=i),
            content="小区门口占道经营" if i < 4 else "驼房营路施工噪音",
            address="驼房营南里3号楼" if i < 4 else "驼房营北里",
        )
        for i in range(6)
    }
    made["old"] = make_ticket(received_at=now - dt.timedelta(days=200), address="驼房营南里9号院")
    return made


def _found(user, text):
    with CaptureQueriesContext(connection) as queries:
        found = search_tickets(user, text)
        numbers = set(found.tickets.values_list("ticket_no", flat=True))
    return numbers, " ".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("text", ["驼房营南里", "驼房营南里 3号楼"])
def test_the_same_tickets_are_found_whether_the_newest_match_densely_or_not(tickets, center_staff, monkeypatch, text):
    expected = {tickets[name].ticket_no for name in ("new0", "new1", "new2", "new3")}
    if "3号楼" not in text:
        expected.add(tickets["old"].ticket_no)
    monkeypatch.setattr(search, "DENSE_PROBE", 6)
    monkeypatch.setattr(search, "DENSE_MATCHES", 4)  # four of the six newest match: dense
    dense, sql = _found(center_staff, text)
    # one word for the index, estimated alone; all of them tested row by row
    assert "search_vector @@ to_tsquery('simple'::regconfig, '驼房营南') AND ts_match_vq" in sql
    monkeypatch.setattr(search, "DENSE_MATCHES", 5)  # not dense: through the index
    sparse, sql = _found(center_staff, text)
    assert "ts_match_vq" not in sql and "search_vector @@" in sql
    assert dense == sparse
    assert dense & {t.ticket_no for t in tickets.values()} == expected


def test_the_look_at_the_newest_counts_only_the_newest_tickets(tickets, center_staff, monkeypatch):
    monkeypatch.setattr(search, "DENSE_PROBE", 2)
    monkeypatch.setattr(search, "DENSE_MATCHES", 3)
    visible = search.access.visible_tickets(center_staff)
    assert not search._dense(visible, "驼房营南 & 房营南里")  # the two newest hold it: fewer than 3
    monkeypatch.setattr(search, "DENSE_PROBE", 4)
    assert not search._dense(visible, "驼房营北 & 房营北里")  # only new4 and new5, further back
    monkeypatch.setattr(search, "DENSE_PROBE", 3)
    monkeypatch.setattr(search, "DENSE_MATCHES", 3)
    assert search._dense(visible, "驼房营南 & 房营南里")


def test_one_stored_word_is_left_to_the_planner(tickets, center_staff, monkeypatch):
    monkeypatch.setattr(search, "DENSE_PROBE", 6)
    monkeypatch.setattr(search, "DENSE_MATCHES", 1)
    found, sql = _found(center_staff, "占道经营")  # one stored word: its frequency is in the statistics
    assert "ts_match_vq" not in sql and "LIMIT 6" not in sql
    assert found & {t.ticket_no for t in tickets.values()} == {tickets[f"new{i}"].ticket_no for i in range(4)}


def test_nothing_visible_is_not_dense(tickets, center_staff):
    from intake.models import Ticket

    assert not search._dense(Ticket.objects.none(), "驼房营南 & 房营南里")
    assert not search._dense(Ticket.objects.filter(lead_unit_id__in=[]), "驼房营南 & 房营南里")
    assert search_tickets(center_staff, "驼房营南里", Ticket.objects.none()).tickets.count() == 0


# --- the newest window first ------------------------------------------------------------------------

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
WINDOWS = (dt.timedelta(days=30), dt.timedelta(days=120))
ESTIMATE = {"rows": 0.0}
PLANNERS_ESTIMATE = search.expected_rows


@pytest.fixture
def across_windows(monkeypatch, handler_unit):
    """Eleven tickets holding 施工噪音 on both sides of each window's edge: two exactly on the 30-day edge
    (received at the same instant), one a microsecond older, two received at the same instant inside
    the first window, two on the 120-day edge, one beyond it; and two that do not hold the word."""
    monkeypatch.setattr(search.clock, "now", lambda: NOW)
    monkeypatch.setattr(search, "NEWEST_WINDOWS", WINDOWS)
    monkeypatch.setattr(search, "DENSE_MATCHES", 100)  # rare among the newest: through the GIN index
    # the planner's estimate of the matches in the largest window, as each test sets it (a table this
    # small has no statistics to estimate from): by default, plenty
    monkeypatch.setattr(search, "expected_rows", lambda tickets: ESTIMATE["rows"])
    ESTIMATE["rows"] = 10**6
    edge, far = NOW - WINDOWS[0], NOW - WINDOWS[1]
    times = {
        "fresh": NOW - dt.timedelta(hours=1),
        "tie_a": NOW - dt.timedelta(days=3),
        "tie_b": NOW - dt.timedelta(days=3),
        "edge_a": edge,
        "edge_b": edge,
        "past_edge": edge - dt.timedelta(microseconds=1),
        "middle": NOW - dt.timedelta(days=60),
        "far_a": far,
        "far_b": far,
        "beyond": far - dt.timedelta(days=1),
        "old": NOW - dt.timedelta(days=400),
    }
    made = {
        name: make_ticket(received_at=at, content="夜间施工噪音扰民", address="将台路5号", lead_unit=handler_unit)
        for name, at in times.items()
    }
    for days in (1, 40):
        make_ticket(received_at=NOW - dt.timedelta(days=days), content="楼道灯坏了", address="将台路5号")
    return made


def _plain(tickets):
    """The same query read without the windows."""
    plain = tickets.all()
    plain._windows = ()
    return plain


def _newest_first(tickets):
    return tickets.order_by("-received_at", "-id")


@pytest.mark.parametrize("persona", ["center_staff", "unit_handler"])
# plenty: the 30-day window for every slice; 20: the 120-day one up to 13 rows, none beyond; none
@pytest.mark.parametrize("estimate", [10**6, 20, 0])
def test_every_slice_newest_first_is_the_plain_querys(request, across_windows, persona, estimate):
    ESTIMATE["rows"] = estimate
    user = request.getfixturevalue(persona)
    found = search_tickets(user, "施工 噪音")
    assert isinstance(found.tickets, search.NewestWindowQuerySet)
    everything = list(_newest_first(_plain(found.tickets)).values_list("ticket_no", flat=True))
    assert set(everything) >= {t.ticket_no for t in across_windows.values()}
    for start in range(len(everything) + 1):
        for stop in range(start + 1, len(everything) + 3):
            windowed = [t.ticket_no for t in _newest_first(found.tickets)[start:stop]]
            assert windowed == everything[start:stop], (start, stop)


def _read(tickets, stop):
    with CaptureQueriesContext(connection) as queries:
        numbers = [t.ticket_no for t in _newest_first(tickets)[:stop]]
    return numbers, [q["sql"] for q in queries.captured_queries]


def test_a_window_that_fills_the_slice_answers_alone(across_windows, center_staff):
    found = search_tickets(center_staff, "施工 噪音")
    # plenty expected: the 30-day window, which holds fresh, tie_a, tie_b, edge_a, edge_b
    five, sql = _read(found.tickets, 5)
    assert len(sql) == 1 and f"\"received_at\" >= '{(NOW - WINDOWS[0]).isoformat()}'" in sql[0], sql
    names = ["fresh", "tie_b", "tie_a", "edge_b", "edge_a"]  # equal times: the later id first
    assert five == [across_windows[n].ticket_no for n in names]
    # six: the window holds five, so every match is read
    six, sql = _read(found.tickets, 6)
    assert len(sql) == 2 and '"received_at" >= ' not in sql[1]
    assert six == [*five, across_windows["past_edge"].ticket_no]


def test_the_smallest_window_expected_to_hold_the_slice_is_read(across_windows, center_staff):
    found = search_tickets(center_staff, "施工 噪音")
    ESTIMATE["rows"] = 20  # in 120 days: 5 expected in 30 days
    # 6 rows × 1.5 = 9: the 30-day window is expected to hold 5, the 120-day one 20 — it is read
    six, sql = _read(found.tickets, 6)
    assert len(sql) == 1 and f"\"received_at\" >= '{(NOW - WINDOWS[1]).isoformat()}'" in sql[0], sql
    assert six[-1] == across_windows["past_edge"].ticket_no
    # 14 rows × 1.5 = 21: no window is expected to hold them, every match is read at once
    rows, sql = _read(found.tickets, 14)
    assert len(sql) == 1 and '"received_at" >= ' not in sql[0]
    assert len(rows) == 11
    ESTIMATE["rows"] = 3  # 3 rows × 1.5 > 0.75 in 30 days; 3 in 120 days < 4.5
    assert len(_read(found.tickets, 3)[1]) == 1 and '"received_at" >= ' not in _read(found.tickets, 3)[1][0]


def test_the_estimate_is_the_planners(across_windows, center_staff, monkeypatch):
    monkeypatch.setattr(search, "expected_rows", PLANNERS_ESTIMATE)
    found = search_tickets(center_staff, "施工 噪音")
    with CaptureQueriesContext(connection) as queries:
        expected = search.expected_rows(found.tickets.filter(received_at__gte=NOW - WINDOWS[0]))
    assert expected >= 0 and len(queries) == 1
    assert queries[0]["sql"].startswith('EXPLAIN (FORMAT JSON) SELECT "intake_ticket"."id" FROM "intake_ticket" WHERE')
    # a page newest first asks it before reading; the API's page of 50 is expected in no window here
    rows, sql = _read(found.tickets, 51)
    assert len(rows) == 11 and sql[0].startswith("EXPLAIN") and len(sql) == 2


def test_other_orders_counts_and_unsliced_reads_are_the_plain_query(across_windows, center_staff):
    found = search_tickets(center_staff, "施工 噪音")
    for read in (
        lambda t: list(t.order_by("received_at", "id")[:3]),
        lambda t: list(t.order_by("next_due_at", "id")[:3]),
        lambda t: t.count(),
        lambda t: t[:3].count(),
        lambda t: t.exists(),
        lambda t: list(_newest_first(t)),
    ):
        with CaptureQueriesContext(connection) as queries:
            read(found.tickets)
        assert len(queries) == 1 and '"received_at" >= ' not in queries[0]["sql"]
    assert found.tickets.count() == 11


def test_only_several_words_not_dense_have_the_window(tickets, center_staff, monkeypatch):
    monkeypatch.setattr(search, "DENSE_PROBE", 6)
    monkeypatch.setattr(search, "DENSE_MATCHES", 4)
    windowed = search.NewestWindowQuerySet
    assert not isinstance(search_tickets(center_staff, "驼房营南里").tickets, windowed)  # dense: newest first
    # one stored word (the planner knows how common it is), a ticket number, a phone
    for text in ("占道经营", tickets["new0"].ticket_no, "13812341234"):
        assert not isinstance(search_tickets(center_staff, text).tickets, windowed), text
    monkeypatch.setattr(search, "DENSE_MATCHES", 5)  # not dense: through the index, the window first
    assert isinstance(search_tickets(center_staff, "驼房营南里").tickets, windowed)


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5, 6])
def test_the_api_pages_newest_first_are_the_plain_order(across_windows, center_staff, api_client_for, page_size):
    client = api_client_for(center_staff)
    expected = list(
        _newest_first(_plain(search_tickets(center_staff, "施工 噪音").tickets)).values_list("ticket_no", flat=True)
    )
    seen, url, params, pages = [], "/api/v1/tickets/", {"q": "施工 噪音", "page_size": page_size}, []
    while url:
        answer = client.get(url, params)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        pages.append([row["ticket_no"] for row in body["results"]])
        seen += pages[-1]
        url, params, previous = body["next"], None, body["previous"]
    assert seen == expected
    # and back through the previous links (read oldest first, so without the windows), page by page
    for page in reversed(pages[:-1]):
        body = client.get(previous).json()
        assert [row["ticket_no"] for row in body["results"]] == page
        previous = body["previous"]
    assert previous is None

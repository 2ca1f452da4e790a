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

"""A ticket export is merged chunk by chunk (by a worker thread on PostgreSQL) yet stays all or nothing."""

import pytest

from dispatch.upstream import import_tickets_and_record
from intake import importers
from intake.models import Ticket
from jxq_cases.lib.errors import DomainError

from .helpers import ZH_TICKET_HEADER, intake_state, write_csv, zh_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(importers, "CHUNK_ROWS", 3)


def lines(n, overrides=None):
    overrides = overrides or {}
    return [ZH_TICKET_HEADER] + [zh_ticket(f"C{i:02d}", **overrides.get(i, {})) for i in range(n)]


def test_a_file_of_many_chunks_is_merged_whole_and_idempotent(tmp_path):
    path = write_csv(tmp_path / "t.csv", lines(10))

    first = import_tickets_and_record(path)
    again = import_tickets_and_record(path)

    assert (first.created, first.updated, first.unchanged) == (10, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    # ids follow the file's order, chunk after chunk
    assert list(Ticket.objects.order_by("id").values_list("ticket_no", flat=True)) == [f"C{i:02d}" for i in range(10)]


def test_a_bad_row_in_the_last_chunk_undoes_the_chunks_already_merged(tmp_path):
    import_tickets_and_record(write_csv(tmp_path / "first.csv", lines(2)))
    before = intake_state()
    path = write_csv(tmp_path / "t.csv", lines(10, {1: {"urgency": "紧急"}, 9: {"community": "火星社区"}}))

    with pytest.raises(DomainError) as caught:
        import_tickets_and_record(path)

    assert [e["row"] for e in caught.value.errors] == [11]
    assert intake_state() == before  # neither the 8 new tickets nor the update of C01


@pytest.mark.parametrize("copy_of", [0, 5], ids=["in another chunk", "in the same chunk"])
def test_a_duplicate_ticket_number_is_reported_wherever_it_is(tmp_path, copy_of):
    rows = lines(8)
    rows.insert(7, rows[1 + copy_of])  # row 8 repeats row 2 (another chunk) or row 7 (the same chunk)
    before = intake_state()

    with pytest.raises(DomainError) as caught:
        import_tickets_and_record(write_csv(tmp_path / "d.csv", rows))

    assert [(e["row"], e["column"]) for e in caught.value.errors] == [(8, "ticket_no")]
    assert f"row {2 + copy_of}" in caught.value.errors[0]["reason"]
    assert intake_state() == before


def test_a_broken_row_while_chunks_are_being_merged_leaves_nothing_and_a_usable_connection(tmp_path):
    path = tmp_path / "q.csv"
    broken = zh_ticket("Q9", content='"' + "x" * 200_000)
    path.write_text("\n".join(lines(9)) + "\n" + broken + "\n", encoding="utf-8")

    with pytest.raises(DomainError) as caught:
        import_tickets_and_record(path)

    assert "Row 11" in caught.value.detail
    assert Ticket.objects.count() == 0  # the connection still answers

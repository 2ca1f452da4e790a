"""Importing return-visit results: history kept, the latest visit copied onto the ticket."""

from datetime import UTC, datetime

import pytest

from dispatch.upstream import import_tickets_and_record
from intake.importers import import_visits
from intake.models import ReturnVisit, Ticket
from jxq_cases.lib.errors import DomainError

from .helpers import EN_VISIT_HEADER, ZH_TICKET_HEADER, ZH_VISIT_HEADER, intake_state, write_csv, zh_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(tmp_path):
    import_tickets_and_record(write_csv(tmp_path / "t.csv", [ZH_TICKET_HEADER, zh_ticket("V1"), zh_ticket("V2")]))
    return {t.ticket_no: t for t in Ticket.objects.all()}


def test_the_sample_visits_update_their_tickets(sample_exports):
    import_tickets_and_record(sample_exports / "tickets_gb18030.csv")

    result = import_visits(sample_exports / "visits_utf8_bom.csv")

    assert result.encoding == "utf-8"  # the sample starts with a BOM
    assert (result.rows, result.created, result.updated, result.unchanged) == (270, 270, 0, 0)
    assert ReturnVisit.objects.count() == 270
    assert len(result.changed_ticket_ids) == 270
    assert Ticket.objects.filter(visited_at__isnull=False).count() == 270
    assert Ticket.objects.filter(visit_resolved=False).count() == 40
    assert Ticket.objects.filter(visit_satisfied=False).count() == 32
    first = Ticket.objects.get(ticket_no="S23022800001")
    assert first.visited_at == datetime(2023, 3, 7, 17, 17, 46, tzinfo=UTC)
    assert first.visit_counted and first.visit_contacted and first.visit_resolved and first.visit_satisfied

    again = import_visits(sample_exports / "visits_utf8_bom.csv")
    assert (again.created, again.updated, again.unchanged, again.changed_ticket_ids) == (0, 0, 270, [])


def test_a_second_visit_becomes_the_latest_and_history_keeps_both(tmp_path, tickets):
    import_visits(write_csv(tmp_path / "1.csv", [ZH_VISIT_HEADER, "V1,2024-05-08 10:00,是,是,否,否"]))
    v1 = Ticket.objects.get(ticket_no="V1")
    assert v1.is_double_no

    result = import_visits(write_csv(tmp_path / "2.csv", [EN_VISIT_HEADER, "V1,2024-05-12 10:00,yes,true,1,yes"]))

    v1.refresh_from_db()
    assert result.changed_ticket_ids == [v1.pk]
    assert v1.visited_at == datetime(2024, 5, 12, 2, 0, tzinfo=UTC) and v1.is_double_yes
    assert list(v1.visits.order_by("visited_at").values_list("resolved", flat=True)) == [False, True]


def test_an_older_visit_imported_late_does_not_replace_the_latest(tmp_path, tickets):
    import_visits(write_csv(tmp_path / "1.csv", [ZH_VISIT_HEADER, "V1,2024-05-12 10:00,是,是,是,是"]))

    result = import_visits(write_csv(tmp_path / "2.csv", [ZH_VISIT_HEADER, "V1,2024-05-08 10:00,是,是,否,否"]))

    assert result.created == 1 and result.changed_ticket_ids == []
    assert Ticket.objects.get(ticket_no="V1").is_double_yes


def test_a_corrected_visit_updates_the_visit_and_the_ticket(tmp_path, tickets):
    import_visits(write_csv(tmp_path / "1.csv", [ZH_VISIT_HEADER, "V2,2024-05-08 10:00,是,是,是,否"]))

    result = import_visits(write_csv(tmp_path / "2.csv", [ZH_VISIT_HEADER, "V2,2024-05-08 10:00,是,是,是,是"]))

    assert (result.created, result.updated) == (0, 1)
    assert ReturnVisit.objects.get().satisfied is True
    assert Ticket.objects.get(ticket_no="V2").visit_satisfied is True


def test_a_visit_for_an_unknown_ticket_rejects_the_file(tmp_path, tickets):
    before = intake_state()
    path = write_csv(
        tmp_path / "v.csv", [ZH_VISIT_HEADER, "V1,2024-05-08 10:00,是,是,是,是", "GHOST-9,2024-05-08 10:00,是,是,是,是"]
    )

    with pytest.raises(DomainError) as caught:
        import_visits(path)

    assert caught.value.errors == [
        {"row": 3, "column": "ticket_no", "value": "GHOST-9", "reason": "no ticket has this number"}
    ]
    assert intake_state() == before


def test_bad_flags_dates_and_duplicate_visits_are_all_listed(tmp_path, tickets):
    path = write_csv(
        tmp_path / "v.csv",
        [
            ZH_VISIT_HEADER,
            "V1,2024-05-08 10:00,也许,是,是,是",
            "V2,2024-05-01 10:00,是,是,是,是",  # before the ticket was received (2024-05-06 08:30)
            "V2,2024-05-09 10:00,是,是,是,是",
            "V2,2024-05-09 10:00,是,是,否,是",
        ],
    )

    with pytest.raises(DomainError) as caught:
        import_visits(path)

    assert [(e["row"], e["column"]) for e in caught.value.errors] == [
        (2, "counted"),
        (3, "visited_at"),
        (5, "ticket_no"),
    ]
    assert "2024-05-06 08:30:00" in caught.value.errors[1]["reason"]
    assert ReturnVisit.objects.count() == 0

"""The demo data generator: realistic, consistent with the workflow, deterministic, and importable."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import F, Max

from dispatch.upstream import import_tickets_and_record
from intake import demo
from intake.demo import generate_demo_tickets, write_demo_exports
from intake.importers import import_visits
from intake.models import ReturnVisit, Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db

END = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
STEPS = ["received_at", "triaged_at", "dispatched_at", "acknowledged_at", "first_contact_at", "reviewed_at",
         "replied_at", "closed_at"]  # fmt: skip
DISPATCHED_OR_LATER = [
    Status.DISPATCHED, Status.CONTACTED, Status.HANDLING, Status.REVIEWED, Status.REPLIED, Status.VISITED,
    Status.CLOSED, Status.REHANDLING,
]  # fmt: skip


@pytest.fixture
def demo_tickets(db):
    result = generate_demo_tickets(3000, 120, seed=7, end_at=END)
    return result


def test_every_state_has_consistent_columns(demo_tickets):
    assert demo_tickets.tickets == 3000 == Ticket.objects.count()
    assert demo_tickets.visits == ReturnVisit.objects.count()
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > 2000  # most of 120 days are long past
    for status in (Status.SENT_BACK, Status.HANDLING, Status.REPLIED):
        assert statuses[status] > 0, status

    # every dispatched-or-later ticket has a lead unit and a dispatch time, and no earlier one has
    assert not Ticket.objects.filter(status__in=DISPATCHED_OR_LATER, lead_unit__isnull=True).exists()
    assert not Ticket.objects.filter(status__in=DISPATCHED_OR_LATER, dispatched_at__isnull=True).exists()
    assert not Ticket.objects.filter(status=Status.RECEIVED, triaged_at__isnull=False).exists()
    assert not Ticket.objects.filter(status__in=[Status.RECEIVED, Status.TRIAGED], lead_unit__isnull=False).exists()
    # every closed ticket has its return visit, and the ticket shows the latest one
    assert not Ticket.objects.filter(status=Status.CLOSED, visits__isnull=True).exists()
    latest = Ticket.objects.filter(visits__isnull=False).annotate(last=Max("visits__visited_at"))
    assert not latest.exclude(visited_at=F("last")).exists()
    assert not Ticket.objects.filter(visited_at__isnull=False, visit_resolved__isnull=True).exists()
    # merged tickets point at an earlier ticket of their hot spot
    for ticket in Ticket.objects.filter(status=Status.MERGED).select_related("merged_into"):
        assert ticket.merged_into.received_at <= ticket.received_at
        assert ticket.merged_into.address == ticket.address


def test_the_steps_happen_in_order_and_nothing_after_the_end(demo_tickets):
    for row in Ticket.objects.values(*STEPS, "visited_at"):
        times = [row[step] for step in STEPS if row[step] is not None]
        assert times == sorted(times), row
        assert max(times + [row["visited_at"] or times[0]]) <= END


def test_deadlines_follow_the_default_rules(demo_tickets):
    acknowledged = Ticket.objects.filter(acknowledged_at__isnull=False, rehandling_count=0)
    for ticket in acknowledged.filter(urgency="urgent")[:50]:
        assert ticket.contact_due_at - ticket.acknowledged_at == timedelta(hours=2)
        assert ticket.handle_due_at - ticket.acknowledged_at == timedelta(hours=24)
    for ticket in acknowledged.filter(urgency="normal").exclude(kind="consult")[:50]:
        assert ticket.contact_due_at - ticket.acknowledged_at == timedelta(hours=24)
        assert ticket.handle_due_at - ticket.acknowledged_at == timedelta(days=7)
    for ticket in acknowledged.filter(urgency="normal", kind="consult")[:50]:
        assert ticket.handle_due_at - ticket.acknowledged_at == timedelta(hours=24)
    running = Ticket.objects.filter(status__in=[Status.CONTACTED, Status.HANDLING])
    assert not running.filter(next_due_at__isnull=True).exists()
    assert not running.exclude(next_due_at=F("handle_due_at")).exists()


def test_the_mix_looks_like_a_real_street(demo_tickets):
    tickets = Ticket.objects.all()
    sources = Counter(tickets.values_list("source", flat=True))
    assert 0.55 < sources["city"] / 3000 < 0.65
    assert set(tickets.values_list("kind", flat=True)) == {"consult", "help", "complaint", "report", "suggestion"}
    assert 0.07 < tickets.filter(urgency="urgent").count() / 3000 < 0.13
    assert tickets.values("community").distinct().count() == 10  # the 9 communities and "none"
    assert tickets.values("category").distinct().count() >= 20
    assert tickets.filter(is_key=True).exists() and tickets.exclude(supervision="").exists()
    visited = tickets.filter(visited_at__isnull=False)
    n = visited.count()
    city_visited = visited.filter(source="city")
    assert 0.85 < city_visited.filter(visit_counted=True).count() / city_visited.count() < 0.95
    # only the city's direct dispatches are counted in its evaluation
    assert not visited.filter(source="district", visit_counted=True).exists()
    assert 0.94 < visited.filter(visit_contacted=True).count() / n < 0.995
    assert 0.85 < visited.filter(visit_resolved=True).count() / n < 0.96
    assert 0.88 < visited.filter(visit_satisfied=True).count() / n < 0.98
    assert visited.filter(visit_resolved=False, visit_satisfied=False).exists()  # a few double-no
    # hot spots: the same place reported again and again in varied words
    red_market = tickets.filter(address="朝阳区酒仙桥红霞路早市")
    assert red_market.count() >= 10
    assert red_market.values("content").distinct().count() >= 4
    first, last = red_market.order_by("received_at").first(), red_market.order_by("received_at").last()
    assert last.received_at - first.received_at <= timedelta(days=29)


def test_the_same_seed_gives_the_same_tickets(db):
    generate_demo_tickets(300, 30, seed=3, end_at=END)
    first = list(Ticket.objects.order_by("id").values_list("ticket_no", "content", "status", "received_at"))
    Ticket.objects.update(merged_into=None)
    Ticket.objects.all().delete()

    generate_demo_tickets(300, 30, seed=3, end_at=END)

    assert list(Ticket.objects.order_by("id").values_list("ticket_no", "content", "status", "received_at")) == first


def test_a_second_run_over_the_same_period_is_refused_and_writes_nothing(demo_tickets):
    with pytest.raises(DomainError) as caught:
        generate_demo_tickets(3000, 120, seed=7, end_at=END)
    assert caught.value.code == ErrorCode.CONFLICT
    assert Ticket.objects.count() == 3000


def test_a_large_load_checks_foreign_keys_once_and_keeps_them(db, monkeypatch):
    monkeypatch.setattr(demo, "BULK_THRESHOLD", 100)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'intake_ticket'::regclass"
        )
        before = cursor.fetchone()[0]

        generate_demo_tickets(500, 30, seed=5, end_at=END)

        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'intake_ticket'::regclass"
        )
        assert cursor.fetchone()[0] == before > 0
    assert Ticket.objects.count() == 500


def test_the_demo_exports_import_cleanly(tmp_path):
    tickets_csv, visits_csv = tmp_path / "t.csv", tmp_path / "v.csv"
    visit_rows = write_demo_exports(tickets_csv, 400, seed=2, days=60, end_at=END, visits_path=visits_csv)

    tickets = import_tickets_and_record(tickets_csv)
    visits = import_visits(visits_csv)

    assert tickets.encoding == "gb18030" and tickets.created == 400
    assert visits.created == visit_rows > 300

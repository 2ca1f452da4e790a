"""What the upstream sends the demo street (demo.arrivals) and the exports made from it (demo.exports):
a realistic mix, recurring hot spots, deterministic, and importable by the real importers."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from demo.arrivals import DAY, DemoContext, TicketNumbers, receive_times, upstream_fields
from demo.exports import write_demo_exports
from dispatch.upstream import import_tickets_and_record
from intake.importers import import_visits
from intake.models import Ticket

pytestmark = pytest.mark.django_db

END = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)


def arrivals(count: int, days: int, seed: int) -> list[dict]:
    ctx = DemoContext(seed, create_categories=False)
    numbers = TicketNumbers()
    out = []
    for received, spot in receive_times(ctx, count, days, int(END.timestamp())):
        fields = upstream_fields(ctx, received, spot)
        out.append({**fields, "received": received, "number": numbers(received, fields["source"])})
    return out


def test_the_arrivals_look_like_a_real_street():
    calls = arrivals(3000, 120, seed=7)
    assert len(calls) == 3000 and len({c["number"] for c in calls}) == 3000
    assert max(c["received"] for c in calls) <= END.timestamp()
    assert min(c["received"] for c in calls) >= END.timestamp() - 121 * DAY  # from the first local day on
    sources = Counter(c["source"] for c in calls)
    assert 0.55 < sources["city"] / 3000 < 0.65
    assert {c["kind"] for c in calls} == {"consult", "help", "complaint", "report", "suggestion"}
    assert 0.07 < sum(c["urgency"] == "urgent" for c in calls) / 3000 < 0.13
    assert len({c["community"] for c in calls}) == 10  # the 9 communities and "none"
    assert len({c["category"] for c in calls}) >= 20
    # hot spots: the same place reported again and again in varied words, within a few weeks
    market = [c for c in calls if c["address"] == "朝阳区酒仙桥红霞路早市"]
    assert len(market) >= 10 and len({c["content"] for c in market}) >= 4
    assert max(c["received"] for c in market) - min(c["received"] for c in market) <= 29 * DAY


def test_the_same_seed_gives_the_same_arrivals_and_another_seed_others():
    assert arrivals(300, 30, seed=3) == arrivals(300, 30, seed=3)
    assert arrivals(300, 30, seed=3) != arrivals(300, 30, seed=4)


def test_the_demo_exports_import_cleanly(tmp_path):
    tickets_csv, visits_csv = tmp_path / "t.csv", tmp_path / "v.csv"
    visit_rows = write_demo_exports(tickets_csv, 400, seed=2, days=60, end_at=END, visits_path=visits_csv)

    tickets = import_tickets_and_record(tickets_csv)
    visits = import_visits(visits_csv)

    assert tickets.encoding == "gb18030" and tickets.created == 400 == Ticket.objects.count()
    assert visits.created == visit_rows > 300
    assert Ticket.objects.filter(received_at__gt=END).count() == 0
    assert Ticket.objects.filter(received_at__lt=END - timedelta(days=61)).count() == 0


def test_the_exports_are_the_same_for_the_same_arguments(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_demo_exports(first, 200, seed=5, days=20, end_at=END)
    write_demo_exports(second, 200, seed=5, days=20, end_at=END)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text("gb18030").splitlines()[0].startswith("工单编号,来源,受理时间")

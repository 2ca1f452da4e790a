"""The batch jobs: what each snapshot holds (exact figures), the filters behind the figures, and
idempotence (a job run twice for a period leaves one snapshot)."""

import datetime as dt

import pytest

from dispatch.models import TicketEvent
from intake.models import Status
from org.accounts import create_user
from org.models import Role, Unit
from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis
from reporting.drilldown import tickets_matching
from reporting.models import Job, ScoringPolicy, Snapshot
from reporting.nightly import take_nightly_snapshot
from tests.factories import counted_ticket, local_time

ON = dt.date(2023, 3, 15)


@pytest.fixture
def march(community_a, department_b):
    ScoringPolicy.objects.update(min_counted_to_rank=1)
    t = {}
    t["contact_overdue"] = counted_ticket(
        "2023-03-15 09:00",
        unit=community_a,
        status=Status.DISPATCHED,
        contact_due_at=local_time("2023-03-15 10:00"),
        handle_due_at=local_time("2023-03-22 09:00"),
        category="噪音扰民",
        community=community_a,
    )
    t["due_soon"] = counted_ticket(
        "2023-03-15 10:00",
        unit=department_b,
        source="district",
        status=Status.HANDLING,
        first_contact_at=local_time("2023-03-15 11:00"),
        contact_due_at=local_time("2023-03-15 12:00"),
        handle_due_at=local_time("2023-03-16 12:00"),
        category="噪音扰民",
        community=community_a,
    )
    t["handle_overdue"] = counted_ticket(
        "2023-03-10 10:00",
        unit=department_b,
        status=Status.HANDLING,
        first_contact_at=local_time("2023-03-10 11:00"),
        contact_due_at=local_time("2023-03-10 12:00"),
        handle_due_at=local_time("2023-03-14 10:00"),
        supervision="street",
        category="物业管理",
    )
    t["double_no"] = counted_ticket("2023-03-05 10:00", unit=community_a, status=Status.VISITED, visit="ynn")
    t["double_yes"] = counted_ticket("2023-03-02 10:00", unit=community_a, visit="yyy")
    t["february"] = counted_ticket("2023-02-20 10:00", unit=community_a, visit="yyy")
    t["late_today"] = counted_ticket("2023-03-15 23:59:59", status=Status.RECEIVED)
    return t


def ids(spec: dict) -> set[int]:
    return set(tickets_matching(spec).values_list("id", flat=True))


def test_nightly_snapshot_holds_the_leadership_figures(march, community_a, department_b):
    data = take_nightly_snapshot(ON).data

    assert data["as_of"] == "2023-03-16T00:00:00+08:00"  # a past day is described at its end
    today = data["intake_today"]
    assert (today["total"], today["city"], today["district"]) == (3, 2, 1)
    assert ids(today["filter"]) == {march["contact_overdue"].id, march["due_soon"].id, march["late_today"].id}

    assert data["overdue"]["contact"]["count"] == 1
    assert ids(data["overdue"]["contact"]["filter"]) == {march["contact_overdue"].id}
    assert data["overdue"]["handle"]["count"] == 1
    assert ids(data["overdue"]["handle"]["filter"]) == {march["handle_overdue"].id}
    assert data["due_soon"]["handle"]["count"] == 1
    assert ids(data["due_soon"]["handle"]["filter"]) == {march["due_soon"].id}
    assert data["double_no"]["count"] == 1
    assert ids(data["double_no"]["filter"]) == {march["double_no"].id}
    assert data["supervised"]["count"] == 1

    street = data["month"]["street"]
    assert (street["total"], street["counted"], street["resolution"], street["composite"]) == (6, 2, 50.0, 55.0)


def test_nightly_snapshot_ranks_units_month_to_date(march, community_a, department_b):
    units = take_nightly_snapshot(ON).data["units"]

    assert [(u["rank"], u["unit"], u["composite"]) for u in units["ranked"]] == [(1, "南路社区", 55.0)]
    apart = {u["unit"]: u for u in units["apart"]}
    assert apart["城市管理办公室"]["total"] == 2 and apart["城市管理办公室"]["counted"] == 0
    assert ids(units["ranked"][0]["counted_filter"]) == {march["double_no"].id, march["double_yes"].id}


def test_nightly_early_view_lists_the_tickets_that_will_cost_points(march, department_b):
    early = take_nightly_snapshot(ON).data["early_view"]

    at_risk = early["at_risk"]
    assert [t["ticket_no"] for t in at_risk["overdue"]["tickets"]] == [march["handle_overdue"].ticket_no]
    assert [t["ticket_no"] for t in at_risk["not_contacted"]["tickets"]] == [march["contact_overdue"].ticket_no]
    awaiting = at_risk["double_no_awaiting_second_handling"]
    assert awaiting["count"] == 1 and awaiting["tickets"][0]["ticket_no"] == march["double_no"].ticket_no
    assert set(awaiting["tickets"][0]) >= {"ticket_no", "lead_unit_name", "category_name", "handle_due_at"}
    assert "complainant_name" not in awaiting["tickets"][0]

    own = {row["unit"]: row for row in early["own_records"]}
    # 城市管理办公室: two tickets, both first contacted before their deadline
    assert (own["城市管理办公室"]["dispatched"], own["城市管理办公室"]["contacted_in_time"]) == (2, 2)
    assert own["城市管理办公室"]["contact_in_time_rate"] == 100.0
    assert own["南路社区"]["not_contacted"] == 3  # the overdue one and the two with visits but no contact recorded


def test_nightly_heat_map_and_trend(march, community_a):
    data = take_nightly_snapshot(ON).data

    heat = data["heat_map"]
    communities = [c["name"] for c in heat["communities"]]
    categories = [c["name"] for c in heat["categories"]]
    cells = {(communities[c["row"]], categories[c["column"]]): c for c in heat["cells"]}
    assert cells[("南路社区", "噪音扰民")]["count"] == 2
    assert ids(cells[("南路社区", "噪音扰民")]["filter"]) == {march["contact_overdue"].id, march["due_soon"].id}
    assert sum(c["count"] for c in heat["cells"]) == 6

    trend = {u["unit"]: u["months"] for u in data["trend"]["units"]}
    assert [m["month"] for m in trend["南路社区"]] == ["2023-01", "2023-02", "2023-03"]
    assert [m["composite"] for m in trend["南路社区"]] == [None, 100.0, 55.0]


def test_a_job_run_twice_for_a_period_leaves_one_snapshot(march, community_a):
    first = take_nightly_snapshot(ON)
    counted_ticket("2023-03-15 20:00", unit=community_a)  # arrives between the two runs

    second = take_nightly_snapshot(ON)

    assert Snapshot.objects.filter(job=Job.NIGHTLY).count() == 1
    assert second.pk == first.pk
    assert Snapshot.objects.get(job=Job.NIGHTLY).data["intake_today"]["total"] == 4

    take_daily_ranking(ON)
    take_daily_ranking(ON)
    take_weekly_analysis(ON)
    take_weekly_analysis(dt.date(2023, 3, 19))  # the same week, by its Sunday
    take_monthly_bulletin(ON)
    take_monthly_bulletin(dt.date(2023, 3, 1))
    assert sorted(Snapshot.objects.values_list("job", "period_start")) == [
        ("daily_ranking", ON),
        ("monthly", dt.date(2023, 3, 1)),
        ("nightly", ON),
        ("weekly", dt.date(2023, 3, 13)),
    ]


def test_weekly_analysis_compares_with_last_week(march):
    data = take_weekly_analysis(ON).data

    assert (data["from"], data["to"]) == ("2023-03-13", "2023-03-19")
    assert data["this_week"]["total"] == 3 and data["last_week"]["total"] == 1
    assert data["trend"]["total_change"] == 200.0
    assert [d["total"] for d in data["days"]] == [0, 0, 3, 0, 0, 0, 0]
    assert [(c["name"], c["count"], c["previous"]) for c in data["top_categories"]] == [("噪音扰民", 2, 0)]
    assert [(c["name"], c["count"]) for c in data["top_communities"]] == [("南路社区", 2)]
    assert isinstance(data["hot_spots"], list)


@pytest.fixture
def april(db):
    ScoringPolicy.objects.update(min_counted_to_rank=2)
    units = {name: Unit.objects.get(name=name) for name in ("南路社区", "城市管理办公室", "综合行政执法队", "东路社区")}
    best = create_user("best_handler", role=Role.UNIT_HANDLER, unit_names=["南路社区"], display_name="王好")
    weak = create_user("weak_handler", role=Role.UNIT_HANDLER, unit_names=["综合行政执法队"], display_name="赵弱")

    def handled(ticket, user):
        TicketEvent.objects.create(ticket=ticket, kind="submit_reply_draft", actor=user, at=ticket.received_at)

    for day in range(1, 5):
        handled(counted_ticket(f"2023-04-0{day} 10:00", unit=units["南路社区"], visit="yyy"), best)
    for day in range(1, 3):
        counted_ticket(f"2023-04-1{day} 10:00", unit=units["城市管理办公室"], visit="yyy")
    for day, visit in zip(range(1, 5), ["yyy", "yyy", "nnn", "nnn"], strict=True):
        handled(counted_ticket(f"2023-04-2{day} 10:00", unit=units["综合行政执法队"], visit=visit), weak)
    counted_ticket("2023-04-29 10:00", unit=units["东路社区"], visit="yyy")
    return units


def test_monthly_bulletin_names_the_best_and_the_units_to_interview(april):
    data = take_monthly_bulletin(dt.date(2023, 4, 1)).data

    assert data["month"] == "2023-04"
    assert [(u["rank"], u["unit"], u["composite"]) for u in data["ranking"]["ranked"]] == [
        (1, "南路社区", 100.0),
        (2, "城市管理办公室", 100.0),  # equal score and rates: fewer counted tickets
        (3, "综合行政执法队", 50.0),
    ]
    assert "东路社区" in [u["unit"] for u in data["ranking"]["apart"]]  # one ticket is below the minimum
    assert data["best_unit"]["unit"] == "南路社区"
    # bottom third and at least the median volume (4): 综合行政执法队
    assert [u["unit"] for u in data["units_to_interview"]] == ["综合行政执法队"]
    assert [(h["name"], h["counted"], h["double_yes_rate"]) for h in data["best_handlers"]] == [
        ("王好", 4, 100.0),
        ("赵弱", 4, 50.0),
    ]
    street = data["street"]
    assert (street["total"], street["counted"], street["double_no"]) == (11, 11, 2)


def test_weekly_analysis_includes_the_hot_spots_of_the_week(march, community_a):
    from django.utils import timezone

    from proactive.models import HotSpot, HotSpotRun, HotSpotTicket

    run = HotSpotRun.objects.create(
        start_on=dt.date(2023, 2, 20), end_on=ON, started_at=timezone.now(), finished_at=timezone.now()
    )
    spot = HotSpot.objects.create(
        run=run,
        topic="早市噪音",
        community=community_a,
        ticket_count=2,
        first_received_at=local_time("2023-03-15 09:00"),
        last_received_at=local_time("2023-03-15 10:00"),
        trend=[{"week_on": "2023-03-13", "count": 2}],
    )
    for key in ("contact_overdue", "due_soon"):
        HotSpotTicket.objects.create(hotspot=spot, ticket=march[key])

    data = take_weekly_analysis(ON).data

    assert [(h["topic"], h["community"], h["ticket_count"]) for h in data["hot_spots"]] == [("早市噪音", "南路社区", 2)]

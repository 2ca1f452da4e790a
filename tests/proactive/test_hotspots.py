"""The hot spot job: clusters of similar recent tickets, idempotent, with their weekly trend."""

import csv
from datetime import date

import pytest
from django.core.management import call_command

from proactive.hotspots import find_hotspots, hotspots_between
from proactive.models import HotSpot, HotSpotRun, HotSpotTicket
from tests.conftest import TEST_DATA
from tests.factories import resident_ticket
from tests.proactive.conftest import MARKET, OTHER_MATTERS

END_ON = date(2026, 3, 31)


@pytest.fixture
def labelled_tickets(db):
    """The labelled set as tickets: {group: [ticket_no, ...]}."""
    groups: dict[str, list[str]] = {}
    with (TEST_DATA / "similarity" / "labelled.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ticket = resident_ticket(
                row["content"],
                day=int(row["day"]),
                community=row["community"],
                category=row["category"],
                address=row["address"],
            )
            groups.setdefault(row["group"], []).append(ticket.ticket_no)
    return groups


def _clusters(run) -> list[set[str]]:
    return [
        set(HotSpotTicket.objects.filter(hotspot=h).values_list("ticket__ticket_no", flat=True))
        for h in run.hotspots.all()
    ]


def test_the_job_finds_the_recurring_matters_and_leaves_one_off_calls_out(labelled_tickets):
    # when
    run = find_hotspots(END_ON, days=60)

    # then every hot spot is (mostly) one matter, and most matters became a hot spot
    clusters = _clusters(run)
    group_of = {no: g for g, nos in labelled_tickets.items() for no in nos}
    found_groups = set()
    for cluster in clusters:
        groups = [group_of[no] for no in cluster]
        main = max(set(groups), key=groups.count)
        assert main.startswith("g")
        assert groups.count(main) / len(groups) >= 0.75, groups  # a hard negative may stick, not a second matter
        found_groups.add(main)
    assert len(found_groups) >= 20, sorted(found_groups)
    assert run.ticket_count == sum(len(v) for v in labelled_tickets.values())
    assert run.hotspot_count == len(clusters)
    market = next(h for h in run.hotspots.all() if set(labelled_tickets["g01"]) & _clusters_of(h))
    assert "早市" in market.keywords
    assert market.community.name == "南路社区"


def _clusters_of(hotspot) -> set[str]:
    return set(HotSpotTicket.objects.filter(hotspot=hotspot).values_list("ticket__ticket_no", flat=True))


def test_running_the_job_again_replaces_the_runs_result(labelled_tickets):
    first = find_hotspots(END_ON, days=60)
    first_clusters = sorted(map(sorted, _clusters(first)))
    links = HotSpotTicket.objects.count()

    second = find_hotspots(END_ON, days=60)

    assert HotSpotRun.objects.count() == 1
    assert not HotSpot.objects.filter(run_id=first.id).exists() or first.id == second.id
    assert sorted(map(sorted, _clusters(second))) == first_clusters
    assert HotSpotTicket.objects.count() == links


def test_weekly_trend_and_the_window_counts_are_exact(db):
    # given the market calls: 3 in the week of 2 March, none the next, 2 in the week of 16 March
    days = [0, 1, 3, 14, 15]
    for day, text in zip(days, [MARKET[0], MARKET[1], MARKET[3], MARKET[2], MARKET[0]], strict=True):
        resident_ticket(text, day=day, category="噪音扰民", address="酒仙桥路12号院")
    for text in OTHER_MATTERS:
        resident_ticket(text, day=2)

    # when
    find_hotspots(date(2026, 3, 22), days=21)

    # then
    listed = hotspots_between(date(2026, 3, 2), date(2026, 3, 22))
    assert len(listed) == 1
    spot = listed[0]
    assert set(spot) >= {"id", "topic", "community", "ticket_count", "trend"}
    assert spot["ticket_count"] == 5 and spot["total_count"] == 5
    assert spot["community"] == "南路社区"
    assert "早市" in spot["topic"]
    assert spot["trend"] == [
        {"week_on": "2026-03-02", "count": 3},
        {"week_on": "2026-03-09", "count": 0},
        {"week_on": "2026-03-16", "count": 2},
    ]
    # a narrower window counts only its own tickets of the hot spot
    assert hotspots_between(date(2026, 3, 16), date(2026, 3, 22))[0]["ticket_count"] == 2
    assert hotspots_between(date(2026, 3, 9), date(2026, 3, 15)) == []
    # before any run covering them: nothing
    assert hotspots_between(date(2025, 1, 1), date(2025, 1, 31)) == []


def test_the_command_runs_the_job(db, capsys):
    for day, text in enumerate(MARKET):
        resident_ticket(text, day=day)
    call_command("find_hotspots", "--end-on", "2026-03-10", "--days", "30")
    assert "4 tickets, 1 hot spots" in capsys.readouterr().out
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("find_hotspots", "--end-on", "10/03/2026")


def test_hot_spots_api_lists_and_details_for_those_who_watch_the_street(
    db, principal_leader, center_staff, unit_handler, handler_unit, api_client_for
):
    tickets = [
        resident_ticket(text, day=day, lead_unit=handler_unit if day == 0 else None) for day, text in enumerate(MARKET)
    ]
    find_hotspots(date(2026, 3, 10), days=30)

    listed = api_client_for(principal_leader).get(
        "/api/v1/hotspots/", {"start_on": "2026-03-01", "end_on": "2026-03-10"}
    )
    assert listed.status_code == 200
    [spot] = listed.json()["results"]
    assert spot["ticket_count"] == 4

    detail = api_client_for(center_staff).get(f"/api/v1/hotspots/{spot['id']}/")
    assert detail.status_code == 200
    assert [t["ticket_no"] for t in detail.json()["tickets"]] == [t.ticket_no for t in tickets]

    assert api_client_for(unit_handler).get("/api/v1/hotspots/").status_code == 403
    bad = api_client_for(principal_leader).get("/api/v1/hotspots/", {"start_on": "2026-03-10", "end_on": "2026-03-01"})
    assert bad.status_code == 400


def test_runs_older_than_the_retention_are_deleted(db, settings):
    settings.PROACTIVE_HOTSPOT_KEEP_DAYS = 10
    for day, text in enumerate(MARKET):
        resident_ticket(text, day=day)
    old = find_hotspots(date(2026, 3, 10), days=30)
    kept = find_hotspots(date(2026, 3, 15), days=30)
    assert set(HotSpotRun.objects.values_list("id", flat=True)) == {old.id, kept.id}

    newest = find_hotspots(date(2026, 3, 25), days=30)

    assert set(HotSpotRun.objects.values_list("id", flat=True)) == {kept.id, newest.id}
    assert not HotSpot.objects.filter(run_id=old.id).exists()

"""The leadership dashboard and the weekly analysis list the hot spots (未诉先办, issue 6)."""

import datetime as dt

from jxq_cases.lib import clock
from proactive.hotspots import find_hotspots
from reporting.bulletins import take_weekly_analysis
from reporting.nightly import HOT_SPOT_LIMIT, take_nightly_snapshot
from tests.factories import resident_ticket
from tests.proactive.conftest import DAY0, MARKET, OTHER_MATTERS

# DAY0 is Monday 2026-03-02; the market calls come over the following days
NIGHT = dt.date(2026, 3, 20)


def _market_hot_spot():
    for day, text in enumerate(MARKET):
        resident_ticket(text, day=day)
    for day, text in enumerate(OTHER_MATTERS):
        resident_ticket(text, day=day, community="高家园社区")
    run = find_hotspots(NIGHT, days=30)
    assert run.hotspot_count >= 1
    return run


def test_the_nightly_snapshot_and_the_dashboard_show_the_biggest_hot_spots(db, principal_leader, client):
    # given
    run = _market_hot_spot()
    biggest = run.hotspots.order_by("-ticket_count").first()

    # when
    snapshot = take_nightly_snapshot(NIGHT)

    # then
    hot_spots = snapshot.data["hot_spots"]
    assert 1 <= len(hot_spots) <= HOT_SPOT_LIMIT
    assert hot_spots[0]["id"] == biggest.id
    assert hot_spots[0]["ticket_count"] == biggest.ticket_count
    assert "早市" in hot_spots[0]["topic"]
    client.force_login(principal_leader)
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="hot-spots"' in page
    assert hot_spots[0]["topic"] in page


def test_the_weekly_analysis_lists_the_week_s_hot_spots(db):
    run = _market_hot_spot()
    weekly = take_weekly_analysis(clock.week_start(DAY0.date()))
    topics = [h["topic"] for h in weekly.data["hot_spots"]]
    assert run.hotspots.order_by("-ticket_count").first().topic in topics

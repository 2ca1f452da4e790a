"""The hot spot job finds the recurring clusters of the demo data (intake/demo.py)."""

from datetime import UTC, datetime, timedelta

from intake.demo import generate_demo_tickets
from intake.demo_content import HOT_SPOTS
from proactive.hotspots import find_hotspots, hotspots_between


def test_the_demo_datas_recurring_clusters_show_up_as_hot_spots(db):
    # given 90 days of demo tickets for a street of Jiuxianqiao's size (37 a day)
    end_at = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)  # the end of 30 June in Beijing
    generate_demo_tickets(3300, 90, seed=2023, end_at=end_at)

    # when
    run = find_hotspots(end_at.date(), days=90)

    # then the demo's hot spots are found, in their communities, with telling topics
    found = hotspots_between((end_at - timedelta(days=89)).date(), end_at.date())
    assert run.hotspot_count >= 1 and found
    # each recurring cluster of the demo (one address, varied wording) is a hot spot at its address
    places = {(s["community"], s["place"]) for s in found if s["total_count"] >= 3}
    missed = [spec["address"] for spec in HOT_SPOTS if (spec["community"], spec["address"]) not in places]
    assert not missed, missed
    market = next(s for s in found if s["place"] == HOT_SPOTS[0]["address"])
    assert "早市" in market["keywords"]
    assert sum(w["count"] for w in market["trend"]) == market["total_count"]

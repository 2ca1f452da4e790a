"""The admin lists hot spots and cases (read-only for what the job writes)."""

from datetime import date

from proactive.hotspots import find_hotspots
from tests.factories import resident_ticket
from tests.proactive.conftest import MARKET


def test_the_admin_lists_hot_spots_and_cases(db, admin_client, principal_leader, api_client_for):
    for day, text in enumerate(MARKET):
        resident_ticket(text, day=day)
    find_hotspots(date(2026, 3, 10), days=30)
    api_client_for(principal_leader).post("/api/v1/proactive-cases/", {"title": "南路早市治理"}, format="json")

    hotspots = admin_client.get("/admin/proactive/hotspot/")
    cases = admin_client.get("/admin/proactive/proactivecase/")

    assert hotspots.status_code == 200 and "早市" in hotspots.content.decode()
    assert cases.status_code == 200 and "南路早市治理" in cases.content.decode()

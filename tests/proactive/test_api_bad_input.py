"""The proactive API answers odd input with a 4xx, never a 500."""

import pytest

from proactive.models import HotSpotRun
from tests.factories import resident_ticket
from tests.proactive.conftest import MARKET


def test_the_similar_tickets_of_a_one_character_ticket_are_none(db, center_staff, api_client_for):
    resident_ticket(MARKET[0], day=0)
    asked = resident_ticket("灯", day=3)  # too short for any word or character pair: no index keys at all
    response = api_client_for(center_staff).get(f"/api/v1/tickets/{asked.ticket_no}/similar/")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


@pytest.mark.parametrize("end_on", ["0001-01-01", "9999-12-31"])
def test_a_hot_spot_window_at_the_calendars_edge_is_a_400(db, center_staff, api_client_for, end_on):
    client = api_client_for(center_staff)
    listed = client.get("/api/v1/hotspots/", {"end_on": end_on})
    assert listed.status_code == 400 and "end_on" in listed.json()["errors"]
    run = client.post("/api/v1/hotspots/run/", {"end_on": end_on, "days": 30}, format="json")
    assert run.status_code == 400 and "end_on" in run.json()["errors"]
    assert not HotSpotRun.objects.exists()


def test_a_measure_dated_near_the_calendars_start_is_a_400_and_the_case_still_reads(db, center_staff, api_client_for):
    client = api_client_for(center_staff)
    case = client.post("/api/v1/proactive-cases/", {"title": "早市噪音"}, format="json").json()
    url = f"/api/v1/proactive-cases/{case['id']}/"
    refused = client.post(f"{url}measures/", {"taken_on": "0001-01-01", "description": "巡查"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert client.get(url).status_code == 200  # its before/after volume is counted from a real date
    assert client.get(url).json()["measures"] == []

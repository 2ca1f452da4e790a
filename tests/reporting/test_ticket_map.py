"""The map: tickets by grid cell and community, filtered, with their click-through (docs/geography.md);
the public report counts by community only."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from intake.models import Category, Status, Supervision
from jxq_cases.lib import clock
from org.models import GridCell
from tests.factories import make_ticket, ticket_in
from tests.geography import load_test_street

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(handler_unit, other_unit):
    load_test_street(gazetteer=False)
    nl1, nl2, dl1 = (GridCell.objects.get(code=c) for c in ("NL-1", "NL-2", "DL-1"))
    noise = Category.objects.create(name="噪音扰民")
    now = timezone.now()
    past = now - dt.timedelta(days=2)
    place = {"place_lon": 116.482, "place_lat": 39.965}
    ticket_in(
        Status.HANDLING,
        lead_unit=handler_unit,
        grid_cell=nl1,
        place_community=nl1.community,
        received_at=past,
        handle_due_at=now - dt.timedelta(hours=1),
        category=noise,
        ticket_no="M1",
        **place,
    )  # overdue
    ticket_in(
        Status.HANDLING,
        lead_unit=other_unit,
        grid_cell=nl1,
        place_community=nl1.community,
        received_at=past,
        supervision=Supervision.STREET,
        handle_due_at=now + dt.timedelta(days=2),
        ticket_no="M2",
        **place,
    )  # supervised
    make_ticket(grid_cell=nl2, place_community=nl2.community, received_at=past, category=noise, ticket_no="M3")
    make_ticket(grid_cell=dl1, place_community=dl1.community, received_at=now - dt.timedelta(days=60), ticket_no="M4")
    make_ticket(received_at=past, ticket_no="M5")  # no place
    return {"NL-1": nl1, "NL-2": nl2, "DL-1": dl1, "noise": noise}


def _data(user, **params):
    client = Client()
    client.force_login(user)
    answer = client.get("/map/data/", params)
    assert answer.status_code == 200
    return client, answer.json()


def test_counts_by_grid_cell_and_community_with_overdue_and_supervised(center_staff, mapped):
    client, data = _data(center_staff)
    cells = {c["code"]: c for c in data["cells"]}
    assert (cells["NL-1"]["tickets"], cells["NL-1"]["overdue"], cells["NL-1"]["supervised"]) == (2, 1, 1)
    assert (cells["NL-2"]["tickets"], cells["DL-1"]["tickets"]) == (1, 0)  # M4 is older than 30 days
    communities = {c["name"]: c["tickets"] for c in data["communities"]}
    assert communities == {"南路社区": 3, "东路社区": 0}
    assert (data["total"], data["unplaced"]) == (4, 1)
    assert sorted((p["ticket_no"], p["overdue"], p["supervised"]) for p in data["points"]) == [
        ("M1", True, False),
        ("M2", False, True),
    ]
    # a click on a cell lists exactly the tickets counted
    listed = client.get(cells["NL-1"]["url"])
    assert listed.status_code == 200
    assert {row["ticket"].ticket_no for row in listed.context["rows"]} == {"M1", "M2"}
    spec = json.loads(parse_qs(urlparse(cells["NL-1"]["url"]).query)["filter"][0])
    assert spec["grid_cell"] == mapped["NL-1"].pk


def test_the_period_and_the_category_filter_the_map(center_staff, mapped):
    _client, data = _data(center_staff, category=mapped["noise"].pk)
    assert {c["code"]: c["tickets"] for c in data["cells"]} == {"DL-1": 0, "NL-1": 1, "NL-2": 1}
    start = (clock.today() - dt.timedelta(days=90)).isoformat()
    _client, data = _data(center_staff, **{"from": start})
    assert {c["code"]: c["tickets"] for c in data["cells"]}["DL-1"] == 1


def test_a_period_longer_than_a_year_is_cut_to_the_year_ending_on_its_last_day(center_staff, mapped):
    today = clock.today()
    _client, data = _data(center_staff, **{"from": "2000-01-01", "to": today.isoformat()})
    assert data["start_on"] == (today - dt.timedelta(days=365)).isoformat()
    assert data["end_on"] == today.isoformat()
    _client, data = _data(center_staff, **{"from": "2025-01-01", "to": "2025-12-31"})
    assert data["start_on"] == "2025-01-01"  # 365 days: kept


def test_a_section_leader_sees_the_tickets_of_the_units_overseen_only(section_leader, mapped):
    _client, data = _data(section_leader)
    assert {c["code"]: c["tickets"] for c in data["cells"]}["NL-1"] == 1  # M1 (南路社区), not M2
    assert [p["ticket_no"] for p in data["points"]] == ["M1"]


def test_the_dashboard_and_the_map_page_carry_the_map(principal_leader, mapped):
    client = Client()
    client.force_login(principal_leader)
    for url in ("/dashboard/", "/map/"):
        page = client.get(url).content.decode()
        assert 'data-testid="ticket-map"' in page and "js/map.js" in page


def test_the_public_report_counts_by_community_and_never_shows_a_point(mapped):
    today = clock.today()
    page = Client().get(
        "/report/public/", {"from": (today - dt.timedelta(days=90)).isoformat(), "to": today.isoformat()}
    )
    html = page.content.decode()
    rows = {c["name"]: c["count"] for c in page.context["communities"]}
    assert rows["南路社区"] == 3 and rows["东路社区"] == 1 and rows[None] == 1
    assert 'id="community-table"' in html
    assert "116.482" not in html and "NL-1" not in html and "grid_worker" not in html


def test_the_hot_spots_by_place_count_only_the_tickets_the_user_may_see(
    center_staff, section_leader, handler_unit, other_unit, mapped
):
    light = Category.objects.create(name="路灯照明")
    recent = [timezone.now() - dt.timedelta(days=d) for d in range(1, 7)]
    for at in recent[:5]:  # the section leader's unit: five in NL-2
        ticket_in(Status.HANDLING, lead_unit=handler_unit, grid_cell=mapped["NL-2"], received_at=at, category=light)
    for at in recent:  # a unit the section leader does not oversee: six in NL-2, six in DL-1
        for cell in ("NL-2", "DL-1"):
            ticket_in(
                Status.HANDLING, lead_unit=other_unit, grid_cell=mapped[cell], received_at=at, category=mapped["noise"]
            )
    _client, everything = _data(center_staff)
    assert {h["code"]: (h["tickets"], h["top_category"]) for h in everything["hotspots"]} == {
        "NL-2": (12, "噪音扰民"),  # M3 included
        "DL-1": (6, "噪音扰民"),
    }
    _client, mine = _data(section_leader)
    assert {h["code"]: (h["tickets"], h["top_category"]) for h in mine["hotspots"]} == {"NL-2": (5, "路灯照明")}

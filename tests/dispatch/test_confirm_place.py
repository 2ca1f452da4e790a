"""A handler on site confirms or corrects the ticket's point from the phone (docs/geography.md)."""

import pytest
from django.test import Client

from dispatch.models import TicketEvent
from intake.models import PlaceOrigin, Status
from org.models import GridCell
from tests.factories import ticket_in
from tests.geography import load_test_street

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed_ticket(handler_unit):
    load_test_street()
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit, address="朝阳区酒仙桥南路社区12号楼")
    from intake.places import place_tickets

    place_tickets()
    ticket.refresh_from_db()
    assert ticket.grid_cell.code == "NL-1"
    return ticket


def test_the_point_from_the_phone_moves_the_ticket_to_its_grid_cell_and_is_recorded(
    api_client_for, unit_handler, placed_ticket
):
    answer = api_client_for(unit_handler).post(
        f"/api/v1/tickets/{placed_ticket.ticket_no}/actions/",
        {"action": "confirm_place", "lon": 116.4875, "lat": 39.9655, "method": "location"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    placed_ticket.refresh_from_db()
    assert placed_ticket.place_origin == PlaceOrigin.ON_SITE
    assert placed_ticket.grid_cell == GridCell.objects.get(code="NL-2")
    assert (placed_ticket.place_lon, placed_ticket.place_lat) == (116.4875, 39.9655)
    assert placed_ticket.status == Status.HANDLING  # the state is kept
    event = TicketEvent.objects.get(ticket=placed_ticket, kind="confirm_place")
    assert event.actor == unit_handler
    assert event.data["method"] == "location" and event.data["grid_cell"] == "NL-2 南路第2网格"
    assert event.data["before"] == {"lon": 116.482, "lat": 39.965, "origin": "gazetteer"}


def test_a_point_outside_the_street_is_refused_with_a_message_and_nothing_changes(
    api_client_for, unit_handler, placed_ticket
):
    answer = api_client_for(unit_handler).post(
        f"/api/v1/tickets/{placed_ticket.ticket_no}/actions/",
        {"action": "confirm_place", "lon": 116.40, "lat": 39.90},
        format="json",
    )
    assert answer.status_code == 400
    assert "不在本街道范围内" in answer.json()["detail"]  # the API speaks the street's language
    placed_ticket.refresh_from_db()
    assert placed_ticket.place_origin == PlaceOrigin.GAZETTEER and placed_ticket.grid_cell.code == "NL-1"
    assert not TicketEvent.objects.filter(ticket=placed_ticket, kind="confirm_place").exists()


def test_swapped_coordinates_are_refused_by_the_input_check(api_client_for, unit_handler, placed_ticket):
    answer = api_client_for(unit_handler).post(
        f"/api/v1/tickets/{placed_ticket.ticket_no}/actions/",
        {"action": "confirm_place", "lon": 39.965, "lat": 116.487},
        format="json",
    )
    assert answer.status_code == 400
    placed_ticket.refresh_from_db()
    assert placed_ticket.place_origin == PlaceOrigin.GAZETTEER


def test_only_the_units_on_the_ticket_confirm_its_place(api_client_for, other_unit_handler, placed_ticket):
    answer = api_client_for(other_unit_handler).post(
        f"/api/v1/tickets/{placed_ticket.ticket_no}/actions/",
        {"action": "confirm_place", "lon": 116.4875, "lat": 39.9655},
        format="json",
    )
    assert answer.status_code in (403, 404)
    placed_ticket.refresh_from_db()
    assert placed_ticket.place_origin == PlaceOrigin.GAZETTEER


def test_the_ticket_page_offers_the_place_form_with_the_map_and_shows_the_place(unit_handler, placed_ticket):
    client = Client()
    client.force_login(unit_handler)
    page = client.get(f"/tickets/{placed_ticket.ticket_no}/").content.decode()
    assert 'id="act-confirm_place"' in page
    assert 'data-place="lon"' in page and 'name="street-geojson"' in page
    assert "南路第1网格" in page  # the place
    form = client.get(f"/tickets/{placed_ticket.ticket_no}/")
    token = form.context["actions"][[a["action"] for a in form.context["actions"]].index("confirm_place")]["form"][
        "form_token"
    ].value()
    answer = client.post(
        f"/tickets/{placed_ticket.ticket_no}/do/confirm_place/",
        {"lon": "116.495", "lat": "39.962", "method": "map", "form_token": token},
    )
    assert answer.status_code == 302
    placed_ticket.refresh_from_db()
    assert placed_ticket.grid_cell.code == "DL-1" and placed_ticket.place_community.name == "东路社区"

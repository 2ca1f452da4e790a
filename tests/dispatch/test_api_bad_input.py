"""Whatever a client sends, the ticket API answers with a 4xx and a clear body — never a 500 — and
what it answers matches its OpenAPI document (fields that can be empty are declared nullable)."""

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator

from dispatch.models import TicketEvent
from intake.models import Status
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", [{"action": {}}, {"action": ["x"]}, [1], {"action": None}, "note"])
def test_an_action_body_of_any_json_shape_is_a_400(body, api_client_for, unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    response = api_client_for(unit_handler).post(f"/api/v1/tickets/{ticket.ticket_no}/actions/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {"action": "unknown"}
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0248-02-19T07:30:44.617-17:49", 200),  # Python accepts the offset, PostgreSQL would not
        ("2026-03-01T08:00:00+08:00", 200),
        ("0001-01-01T00:30:00+01:00", 400),  # before the calendar's first instant in UTC
        ("yesterday", 400),
    ],
)
def test_a_date_filter_far_off_or_with_an_odd_offset_is_answered(value, status, api_client_for, center_staff):
    ticket_in(Status.HANDLING)
    response = api_client_for(center_staff).get("/api/v1/tickets/", {"received_after": value})
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["code"] == "invalid" and "received_after" in response.json()["errors"]


def _schema() -> dict:
    return yaml.safe_load(yaml.safe_dump(SchemaGenerator().get_schema(request=None, public=True)))


def test_what_the_api_sends_as_null_is_declared_nullable_and_the_receipt_is_an_event_kind(api_client_for, center_staff):
    components = _schema()["components"]["schemas"]
    for component, fields in {
        "TicketList": ["category", "community", "lead_unit"],
        "TicketDetail": ["category", "community", "lead_unit", "merged_into", "taken_by"],
        "TicketEvent": ["actor", "actor_unit"],
        "Note": ["author_unit"],
        "Notification": ["ticket_no"],
        "ProactiveCase": ["opened_by"],
    }.items():
        for name in fields:
            assert components[component]["properties"][name].get("nullable") is True, (component, name)
    assert "receive" in components["TicketEventKindEnum"]["enum"]

    # and the API does send them as null: a received ticket has none of them yet
    ticket = ticket_in(Status.RECEIVED)
    detail = api_client_for(center_staff).get(f"/api/v1/tickets/{ticket.ticket_no}/").json()
    assert [detail[n] for n in ("category", "community", "lead_unit", "merged_into", "taken_by")] == [None] * 5
    events = api_client_for(center_staff).get(f"/api/v1/tickets/{ticket.ticket_no}/events/").json()
    assert events[0]["kind"] == "receive" and events[0]["actor"] is None

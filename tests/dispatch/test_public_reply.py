"""The public reply (公开答复): once the reply has gone upstream, the center writes what open data shows of
the outcome; Open311 publishes it as the request's status notes. Never the reply to the caller, never
the caller's name or a phone number."""

import pytest
from django.test import Client

from dispatch.models import TicketEvent
from intake.models import Status, Ticket
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

WRITTEN = "楼道灯已更换，恢复照明。"


@pytest.fixture
def replied(handler_unit):
    return ticket_in(Status.REPLIED, lead_unit=handler_unit, complainant_name="张三丰", complainant_phone="13812341234")


def _write(api_client_for, user, ticket, text):
    return api_client_for(user).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": "publish_reply", "text": text}, format="json"
    )


def test_the_center_writes_it_and_open311_shows_it_once_the_ticket_is_closed(api_client_for, center_staff, replied):
    response = _write(api_client_for, center_staff, replied, f"  {WRITTEN}  ")
    assert response.status_code == 200, response.json()
    replied.refresh_from_db()
    assert replied.public_reply == WRITTEN and replied.status == Status.REPLIED  # no state moves
    event = TicketEvent.objects.get(ticket=replied, kind="publish_reply")
    assert event.data["text"] == WRITTEN and event.data["previous"] == ""
    client = Client()
    client.force_login(center_staff)
    page = client.get(f"/tickets/{replied.ticket_no}/").content.decode()
    assert f'data-testid="public-reply">{WRITTEN}' in page  # the center sees what is published
    assert api_client_for(center_staff).get(f"/api/v1/tickets/{replied.ticket_no}/").json()["public_reply"] == WRITTEN

    Ticket.objects.filter(pk=replied.pk).update(status=Status.CLOSED)
    [request] = Client().get(f"/open311/v2/requests/{replied.ticket_no}.json").json()
    assert request["status"] == "closed" and request["status_notes"] == WRITTEN
    assert request["description"] == ""  # the caller's words stay unpublished


def test_written_again_it_replaces_the_first(api_client_for, center_staff, replied):
    _write(api_client_for, center_staff, replied, WRITTEN)
    assert _write(api_client_for, center_staff, replied, "已修复路灯。").status_code == 200
    replied.refresh_from_db()
    assert replied.public_reply == "已修复路灯。"
    assert TicketEvent.objects.filter(ticket=replied, kind="publish_reply").latest("id").data["previous"] == WRITTEN


@pytest.mark.parametrize(
    "text",
    [
        "已联系张三丰，灯已修好。",  # the caller's name
        "已修好，可致电13812341234回访。",  # the caller's phone
        "请联系物业 8456 1234。",  # any phone-like number
        "",
        "字" * 501,
    ],
)
def test_personal_data_empty_or_too_long_is_refused_and_nothing_changes(api_client_for, center_staff, replied, text):
    response = _write(api_client_for, center_staff, replied, text)
    assert response.status_code == 400, response.json()
    replied.refresh_from_db()
    assert replied.public_reply == ""
    assert not TicketEvent.objects.filter(ticket=replied, kind="publish_reply").exists()


def test_only_the_center_and_only_after_the_reply_went_upstream(
    api_client_for, center_staff, unit_handler, replied, handler_unit
):
    assert _write(api_client_for, unit_handler, replied, WRITTEN).status_code == 403
    handling = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    assert _write(api_client_for, center_staff, handling, WRITTEN).status_code == 409
    assert Ticket.objects.filter(public_reply=WRITTEN).count() == 0


def test_an_open_ticket_shows_the_fixed_note_even_with_a_public_reply(api_client_for, center_staff, replied):
    Ticket.objects.filter(pk=replied.pk).update(status=Status.HANDLING, public_reply=WRITTEN)
    [request] = Client().get(f"/open311/v2/requests/{replied.ticket_no}.json").json()
    assert request["status"] == "open" and request["status_notes"] == "办理中"

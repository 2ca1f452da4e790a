"""The ticket list and detail API: scoped by access, personal data masked unless the caller handles
the ticket (then shown in full and logged), filters, deadline ordering, keyset pagination, and intake
POST on the same URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.models import PersonalDataAccess
from intake.models import Category, Status, Supervision, Ticket
from tests.factories import make_ticket, ticket_in

pytestmark = pytest.mark.django_db


def test_detail_shows_personal_data_in_full_to_the_handler_and_logs_it(api_client_for, unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    body = api_client_for(unit_handler).get(f"/api/v1/tickets/{ticket.ticket_no}/").json()
    assert body["complainant"] == {"name": "张三丰", "phone": "13812341234", "masked": False}
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.ticket, log.context) == (unit_handler, ticket, "api_detail")


@pytest.mark.parametrize("persona", ["inspector", "section_leader", "principal_leader"])
def test_detail_masks_personal_data_for_those_not_handling(request, api_client_for, handler_unit, persona):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    body = api_client_for(request.getfixturevalue(persona)).get(f"/api/v1/tickets/{ticket.ticket_no}/").json()
    assert body["complainant"] == {"name": "张**", "phone": "138****1234", "masked": True}
    assert "13812341234" not in str(body)
    assert not PersonalDataAccess.objects.exists()


def test_another_units_handler_does_not_see_the_ticket_at_all(api_client_for, other_unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    client = api_client_for(other_unit_handler)
    assert client.get(f"/api/v1/tickets/{ticket.ticket_no}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.ticket_no}/events/").status_code == 404
    assert client.get("/api/v1/tickets/").json()["results"] == []


def test_the_list_is_masked_for_everyone_and_logs_nothing(api_client_for, center_staff, handler_unit):
    ticket_in(Status.HANDLING, lead_unit=handler_unit)
    rows = api_client_for(center_staff).get("/api/v1/tickets/").json()["results"]
    assert rows[0]["complainant"]["masked"] is True and rows[0]["complainant"]["phone"] == "138****1234"
    assert not PersonalDataAccess.objects.exists()


def test_anonymous_is_refused(api_client_for):
    assert api_client_for(None).get("/api/v1/tickets/").status_code in (401, 403)


def _numbers(response):
    assert response.status_code == 200, response.json()
    return [row["ticket_no"] for row in response.json()["results"]]


def test_filters(api_client_for, center_staff, handler_unit, other_unit):
    now = timezone.now()
    noise = Category.objects.create(name="噪音扰民")
    a = ticket_in(Status.HANDLING, lead_unit=handler_unit, category=noise, content="早市噪音", is_key=True)
    b = ticket_in(
        Status.HANDLING,
        lead_unit=other_unit,
        address="酒仙桥路10号",
        supervision=Supervision.CITY,
        next_due_at=now - timedelta(hours=1),
        next_warn_at=now - timedelta(days=1),
    )
    c = ticket_in(
        Status.CONTACTED,
        lead_unit=other_unit,
        next_due_at=now + timedelta(hours=2),
        next_warn_at=now - timedelta(hours=1),
        received_at=now - timedelta(days=40),
    )
    client = api_client_for(center_staff)
    assert _numbers(client.get("/api/v1/tickets/", {"lead_unit": handler_unit.name})) == [a.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"category": "噪音扰民"})) == [a.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"is_key": "true"})) == [a.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"supervised": "true"})) == [b.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"supervision": "city"})) == [b.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"overdue": "true"})) == [b.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"due_soon": "true"})) == [c.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"q": "早市"})) == [a.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"q": "酒仙桥路10"})) == [b.ticket_no]
    assert _numbers(client.get("/api/v1/tickets/", {"status": ["contacted"]})) == [c.ticket_no]
    due_before = client.get("/api/v1/tickets/", {"due_before": (now + timedelta(hours=3)).isoformat()})
    assert set(_numbers(due_before)) == {b.ticket_no, c.ticket_no}
    # a and b were received in March 2025, c forty days ago
    recent = client.get("/api/v1/tickets/", {"received_after": (now - timedelta(days=60)).isoformat()})
    assert _numbers(recent) == [c.ticket_no]
    older = client.get("/api/v1/tickets/", {"received_before": (now - timedelta(days=60)).isoformat()})
    assert set(_numbers(older)) == {a.ticket_no, b.ticket_no}
    assert client.get("/api/v1/tickets/", {"status": ["nonsense"]}).status_code == 400


def test_ordering_by_deadline_and_keyset_pages(api_client_for, center_staff, handler_unit):
    now = timezone.now()
    tickets = [
        ticket_in(Status.HANDLING, lead_unit=handler_unit, next_due_at=now + timedelta(hours=h)) for h in (5, 1, 3)
    ]
    undated = ticket_in(Status.CLOSED, lead_unit=handler_unit)
    client = api_client_for(center_staff)
    first = client.get("/api/v1/tickets/", {"ordering": "deadline", "page_size": 2}).json()
    assert [r["ticket_no"] for r in first["results"]] == [tickets[1].ticket_no, tickets[2].ticket_no]
    assert "cursor=" in first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [r["ticket_no"] for r in second["results"]] == [tickets[0].ticket_no, undated.ticket_no]
    assert second["next"] is None


def test_post_on_the_list_receives_a_ticket_through_intake(api_client_for, center_staff, unit_handler):
    payload = {
        "ticket_no": "API-0001",
        "source": "city",
        "received_at": "2025-03-03 09:00",
        "kind": "complaint",
        "content": "夜间施工噪音",
    }
    created = api_client_for(center_staff).post("/api/v1/tickets/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert Ticket.objects.get(ticket_no="API-0001").status == Status.RECEIVED
    assert api_client_for(unit_handler).post("/api/v1/tickets/", payload, format="json").status_code == 403


def test_events_start_with_the_receipt(api_client_for, center_staff):
    ticket = make_ticket()
    events = api_client_for(center_staff).get(f"/api/v1/tickets/{ticket.ticket_no}/events/").json()
    assert events[0]["kind"] == "receive" and events[0]["to_status"] == "received"


def test_notifications_list_and_mark_read(api_client_for, unit_handler, center_staff, handler_unit):
    from dispatch.models import Notification

    ticket = make_ticket()
    Notification.objects.create(user=unit_handler, ticket=ticket, kind="dispatched", text="请签收")
    Notification.objects.create(user=center_staff, ticket=ticket, kind="dispatched", text="not yours")
    client = api_client_for(unit_handler)
    rows = client.get("/api/v1/notifications/", {"unread": "1"}).json()["results"]
    assert [(r["text"], r["ticket_no"]) for r in rows] == [("请签收", ticket.ticket_no)]
    assert client.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/", {"unread": "1"}).json()["results"] == []
    assert Notification.objects.filter(user=center_staff, read_at=None).count() == 1


def test_dispatch_notifies_the_lead_units_handlers_after_commit(
    api_client_for, center_staff, unit_handler, other_unit_handler, handler_unit, django_capture_on_commit_callbacks
):
    from dispatch.models import Notification

    ticket = ticket_in(Status.TRIAGED)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(center_staff).post(
            f"/api/v1/tickets/{ticket.ticket_no}/actions/",
            {"action": "dispatch", "lead_unit": handler_unit.name},
            format="json",
        )
    assert response.status_code == 200
    assert list(Notification.objects.values_list("user", "kind")) == [(unit_handler.pk, "dispatched")]

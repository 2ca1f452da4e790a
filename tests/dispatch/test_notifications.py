"""Who hears about what, after the change committed: the next signer of a chain, the author of a
returned draft, the center when a reply is signed; in-app and by email to those with an address."""

import pytest
from django.core import mail

from dispatch.models import Notification
from intake.models import Status
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(api_client_for, django_capture_on_commit_callbacks):
    def run(user, ticket, action, **data):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client_for(user).post(
                f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **data}, format="json"
            )
        assert response.status_code == 200, response.json()

    return run


def _heard(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_the_chain_tells_each_signer_in_turn_and_the_center_at_the_end(
    act, center_staff, unit_handler, section_leader, principal_leader, handler_unit
):
    section_leader.email = "leader@example.org"
    section_leader.save(update_fields=["email"])
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit, is_key=True)
    act(unit_handler, ticket, "submit_reply", text="已处理")
    assert _heard(section_leader) == ["sign_off_needed"] and _heard(principal_leader) == []
    assert [m.to for m in mail.outbox] == [["leader@example.org"]]
    assert ticket.ticket_no in mail.outbox[0].subject
    act(section_leader, ticket, "approve_reply")
    assert _heard(principal_leader) == ["sign_off_needed"] and _heard(center_staff) == []
    act(principal_leader, ticket, "approve_reply")
    assert _heard(center_staff) == ["reviewed"]
    assert _heard(unit_handler) == ["reviewed"]


def test_a_returned_draft_is_announced_to_its_author_only(
    act, unit_handler, section_leader, center_staff, handler_unit
):
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    act(unit_handler, ticket, "submit_reply", text="初稿")
    act(section_leader, ticket, "return_reply", reason="请写明结果")
    assert _heard(unit_handler) == ["reply_returned"]
    assert "请写明结果" in Notification.objects.get(user=unit_handler).text
    assert _heard(center_staff) == []


def test_nothing_is_announced_for_a_refused_action(api_client_for, unit_handler, section_leader, handler_unit):
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    response = api_client_for(unit_handler).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": "reply"}, format="json"
    )
    assert response.status_code == 403
    assert not Notification.objects.exists()

"""Every action in every state the transition table does not allow is refused with 409 and a clear
message, and the ticket is unchanged (no event, no column touched)."""

import pytest
from django.utils import timezone

from dispatch.models import TicketEvent
from dispatch.workflow import registry
from intake.models import Status, Ticket
from tests.dispatch.helpers import BODIES
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

# Who would be allowed to try each action (so that only the state can refuse it).
ACTOR = {
    "center_staff": {
        "triage_ticket",
        "dispatch_ticket",
        "send_reply",
        "record_pre_visit",
        "record_return_visit",
        "reopen_for_second_handling",
        "close_ticket",
        "decide_send_back",
        "merge_ticket",
        "record_exclusion_decision",
        "set_supervision",
        "send_back_ticket",
        "publish_reply",
    },
    "unit_handler": {
        "acknowledge_ticket",
        "refuse_dispatch",
        "record_first_contact",
        "add_handling_note",
        "submit_reply_draft",
        "request_extension",
        "request_exclusion",
        "confirm_place",
    },
    "section_leader": {
        "sign_off_reply",
        "return_reply_draft",
        "sign_off_exclusion",
        "return_exclusion",
        "decide_extension",
    },
    "principal_leader": {"take_ticket"},
}
ACTOR_OF = {action: persona for persona, actions in ACTOR.items() for action in actions}


@pytest.mark.parametrize("action", registry.names())
def test_illegal_transition_is_refused_and_changes_nothing(request, api_client_for, handler_unit, action):
    user = request.getfixturevalue(ACTOR_OF[action])
    illegal = [status for status in Status if status not in registry.get(action).runs_from]
    assert illegal
    for status in illegal:
        # given a ticket led by the actor's unit, in a state where the action is not allowed
        ticket = ticket_in(status, lead_unit=handler_unit)
        Ticket.objects.filter(pk=ticket.pk).update(lead_unit=handler_unit)  # visible to the unit in any state
        before = Ticket.objects.values().get(pk=ticket.pk)
        body = {"action": action, **BODIES[action], "visited_at": "2025-03-05T10:00:00+08:00", "into": "X"}
        # when
        response = api_client_for(user).post(f"/api/v1/tickets/{ticket.ticket_no}/actions/", body, format="json")
        # then 409, a message (Chinese by default) naming the ticket and its state, and nothing changed
        assert response.status_code == 409, (action, status, response.json())
        answer = response.json()
        assert answer["code"] == "illegal_transition"
        label = Status(status).label
        assert (
            answer["detail"]
            == f"工单 {ticket.ticket_no} 当前为“{label}”（{status}），不能{registry.get(action).verb}。"
        )
        assert Ticket.objects.values().get(pk=ticket.pk) == before, (action, status)
        assert not TicketEvent.objects.filter(ticket=ticket).exists(), (action, status)


def test_the_workflow_function_refuses_too_not_only_the_api(center_staff, handler_unit):
    """The check lives in the workflow itself: calling the function directly is refused alike."""
    from dispatch.workflow import send_reply
    from jxq_cases.lib.errors import DomainError, ErrorCode

    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    with pytest.raises(DomainError) as refused:
        send_reply(ticket, actor=center_staff)
    assert refused.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert Ticket.objects.get(pk=ticket.pk).status == Status.HANDLING


def test_acknowledging_twice_is_a_conflict(api_client_for, unit_handler, handler_unit):
    ticket = ticket_in(Status.DISPATCHED, lead_unit=handler_unit, acknowledged_at=None)
    client = api_client_for(unit_handler)
    url = f"/api/v1/tickets/{ticket.ticket_no}/actions/"
    assert client.post(url, {"action": "acknowledge_ticket"}, format="json").status_code == 200
    again = client.post(url, {"action": "acknowledge_ticket"}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == f"工单 {ticket.ticket_no} 已签收"
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


def test_unknown_action_and_bad_data_are_400(api_client_for, center_staff, unit_handler, handler_unit):
    ticket = ticket_in(Status.DISPATCHED, lead_unit=handler_unit, acknowledged_at=timezone.now())
    url = f"/api/v1/tickets/{ticket.ticket_no}/actions/"
    unknown = api_client_for(center_staff).post(url, {"action": "teleport"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"] == {"action": "unknown"}
    bad = api_client_for(unit_handler).post(url, {"action": "record_first_contact", "method": "pigeon"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"method", "outcome"}
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_the_message_follows_the_users_language(api_client_for, center_staff, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    response = api_client_for(center_staff).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/",
        {"action": "triage_ticket"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert response.json()["detail"] == f"Cannot triage ticket {ticket.ticket_no}: it is Handling (handling)."

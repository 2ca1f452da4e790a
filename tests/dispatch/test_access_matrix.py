"""The access matrix through the API: each role x each action x a ticket led by their own unit or by
another one. A permitted actor's action succeeds (200); a refused one gets 403 when they may see the
ticket and 404 when they may not — and the ticket is unchanged."""

import pytest

from dispatch.models import TicketEvent
from dispatch.workflow import registry
from intake.models import Ticket
from tests.dispatch.helpers import prepare

pytestmark = pytest.mark.django_db

PRE_DISPATCH = {"triage_ticket", "dispatch_ticket", "merge_ticket"}  # no unit leads the ticket yet
PERMITTED = {
    "center_staff": {
        "triage_ticket",
        "dispatch_ticket",
        "send_reply",
        "record_pre_visit",
        "record_return_visit",
        "reopen_for_second_handling",
        "close_ticket",
        "send_back_ticket",
        "decide_send_back",
        "merge_ticket",
        "record_exclusion_decision",
        "set_supervision",
        "publish_reply",
    },
    "unit_handler": {
        "acknowledge_ticket",
        "refuse_dispatch",
        "record_first_contact",
        "add_handling_note",
        "submit_reply_draft",
        "record_pre_visit",
        "send_back_ticket",
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
        "set_supervision",
    },
    "principal_leader": {"set_supervision", "take_ticket"},
    "inspector": set(),
    "platform_client": set(),
}
SEES_EVERYTHING = {"center_staff", "principal_leader", "inspector"}
SEES_OWN_UNIT = {"unit_handler", "section_leader"}


def expected_status(persona: str, action: str, own_unit: bool) -> int:
    if persona in SEES_EVERYTHING:
        visible = True
    elif persona in SEES_OWN_UNIT:
        visible = own_unit and action not in PRE_DISPATCH
    else:
        visible = False
    if not visible:
        return 404
    return 200 if action in PERMITTED[persona] else 403


@pytest.mark.parametrize("action", registry.names())
def test_access_matrix(request, api_client_for, action, handler_unit, other_unit):
    author = request.getfixturevalue("unit_handler")
    for persona in PERMITTED:
        user = request.getfixturevalue(persona)
        for own_unit in (True, False):
            case = f"{persona} {action} {'own' if own_unit else 'other'} unit"
            # given a ticket where the action can succeed, led by the persona's unit or by another one
            ticket, body = prepare(action, handler_unit if own_unit else other_unit, author)
            before = Ticket.objects.values().get(pk=ticket.pk)
            # when the persona tries it through the API
            response = api_client_for(user).post(
                f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **body}, format="json"
            )
            # then it succeeds exactly when the matrix says so
            want = expected_status(persona, action, own_unit)
            assert response.status_code == want, (case, response.json())
            events = TicketEvent.objects.filter(ticket=ticket).count()
            if want == 200:
                assert events == 1, case
            else:
                assert response.json()["code"] == {403: "forbidden", 404: "not_found"}[want], case
                assert events == 0, case
                assert Ticket.objects.values().get(pk=ticket.pk) == before, case

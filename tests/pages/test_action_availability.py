"""The ticket page and the API agree on what can be done (dispatch.workflow.registry.available_actions): the
page offers an action only when it can succeed now — right role and unit, right state, and what the
action needs is there (the declaration's conditions) — and the API lists the same set as ``actions``.
A post answers like the API, in the same order: 403 for an action that is not this user's (whatever
the form holds), 409 for one whose state or precondition does not hold, 400 for bad data.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.models import ExclusionStatus, TicketEvent
from dispatch.workflow import registry
from intake.models import Status
from tests.dispatch.helpers import add_exclusion, add_extension, add_pending_draft, add_send_back, add_signed_draft
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

ACKNOWLEDGED = {"acknowledged_at": timezone.now() - timedelta(hours=1)}
UNACKNOWLEDGED = {"acknowledged_at": None, "handle_started_at": None}


def _pending_draft(ticket, users):
    add_pending_draft(ticket, users["unit_handler"])


def _signed_draft(ticket, users):
    add_signed_draft(ticket, users["unit_handler"])


def _pending_exclusion(ticket, users):
    add_exclusion(ticket, users["unit_handler"])


def _signed_off_exclusion(ticket, users):
    add_exclusion(ticket, users["unit_handler"], status=ExclusionStatus.SIGNED_OFF)


def _pending_extension(ticket, users):
    add_extension(ticket, users["unit_handler"])


def _pending_send_back(ticket, users):
    add_send_back(ticket, users["unit_handler"])


def _taken(ticket, users):
    ticket.taken_by = users["principal_leader"]
    ticket.save(update_fields=["taken_by"])


# action -> (who, state, ticket columns, what makes it ready, what makes it not ready, a valid form)
CASES = {
    "acknowledge_ticket": ("unit_handler", Status.DISPATCHED, {}, UNACKNOWLEDGED, ACKNOWLEDGED, {}),
    "refuse_dispatch": ("unit_handler", Status.DISPATCHED, {}, UNACKNOWLEDGED, ACKNOWLEDGED, {"reason": "非本单位"}),
    "record_first_contact": (
        "unit_handler",
        Status.DISPATCHED,
        {},
        ACKNOWLEDGED,
        UNACKNOWLEDGED,
        {"method": "phone", "outcome": "已沟通"},
    ),
    "submit_reply_draft": ("unit_handler", Status.HANDLING, {}, None, _pending_draft, {"text": "已修复"}),
    "sign_off_reply": ("section_leader", Status.HANDLING, {}, _pending_draft, None, {}),
    "return_reply_draft": ("section_leader", Status.HANDLING, {}, _pending_draft, None, {"reason": "请补充"}),
    "send_reply": ("center_staff", Status.REVIEWED, {}, _signed_draft, None, {}),
    "reopen_for_second_handling": (
        "center_staff",
        Status.VISITED,
        {},
        {"visit_resolved": False},
        {"visit_resolved": True, "visit_satisfied": True},
        {"reason": "未解决"},
    ),
    "send_back_ticket": ("unit_handler", Status.CONTACTED, {}, None, _pending_send_back, {"reason": "非本街道"}),
    "decide_send_back": ("center_staff", Status.CONTACTED, {}, _pending_send_back, None, {"approved": "1"}),
    "request_extension": (
        "unit_handler",
        Status.CONTACTED,
        {},
        None,
        _pending_extension,
        {"days": "3", "reason": "需协调"},
    ),
    "decide_extension": ("section_leader", Status.CONTACTED, {}, _pending_extension, None, {"approved": "1"}),
    "request_exclusion": (
        "unit_handler",
        Status.HANDLING,
        {},
        None,
        _pending_exclusion,
        {"reason_category": "unreasonable", "reason": "不合理"},
    ),
    "sign_off_exclusion": ("section_leader", Status.HANDLING, {}, _pending_exclusion, None, {}),
    "return_exclusion": ("section_leader", Status.HANDLING, {}, _pending_exclusion, None, {"reason": "证据不足"}),
    "record_exclusion_decision": ("center_staff", Status.HANDLING, {}, _signed_off_exclusion, _pending_exclusion, {}),
    "take_ticket": ("principal_leader", Status.HANDLING, {}, None, _taken, {}),
}


def test_every_action_with_a_precondition_is_covered_here():
    assert {a.name for a in registry.actions() if a.ready} <= set(CASES)


def _apply(ticket, change, users):
    if change is None:
        return
    if isinstance(change, dict):
        for name, value in change.items():
            setattr(ticket, name, value)
        ticket.save(update_fields=list(change))
    else:
        change(ticket, users)


def _page_actions(html: str) -> set[str]:
    return set(re.findall(r'<details class="action" id="act-([a-z_]+)"', html))


@pytest.fixture
def users(center_staff, unit_handler, section_leader, principal_leader, inspector):
    return {
        "center_staff": center_staff,
        "unit_handler": unit_handler,
        "section_leader": section_leader,
        "principal_leader": principal_leader,
        "inspector": inspector,
    }


def _ticket(action, ready, handler_unit, users):
    who, state, columns, make_ready, make_not_ready, _form = CASES[action]
    ticket = ticket_in(state, lead_unit=handler_unit, **columns)
    _apply(ticket, make_ready if ready else make_not_ready, users)
    return ticket, users[who]


@pytest.mark.parametrize("action", sorted(CASES))
def test_the_page_offers_an_action_exactly_when_it_can_succeed_and_the_api_lists_the_same(
    action, users, handler_unit, client_for, api_client_for
):
    for ready in (True, False):
        ticket, actor = _ticket(action, ready, handler_unit, users)
        html = client_for(actor).get(f"/tickets/{ticket.ticket_no}/").content.decode()
        listed = api_client_for(actor).get(f"/api/v1/tickets/{ticket.ticket_no}/").json()["actions"]
        assert (action in _page_actions(html)) is ready, (action, ready)
        assert _page_actions(html) == set(listed), (action, ready)


@pytest.mark.parametrize("action", sorted(CASES))
def test_a_missing_precondition_is_409_from_the_page_and_from_the_api(
    action, users, handler_unit, client_for, api_client_for
):
    ticket, actor = _ticket(action, False, handler_unit, users)
    form = CASES[action][5]
    page = client_for(actor).post(f"/tickets/{ticket.ticket_no}/do/{action}/", form)
    api = api_client_for(actor).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **form}, format="json"
    )
    assert page.status_code == 409, page.content.decode()[:500]
    assert api.status_code == 409 and api.json()["code"] == "illegal_transition"
    # the same reason on both
    assert api.json()["detail"] in page.content.decode()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    ("who", "action", "state"),
    [
        ("inspector", "add_handling_note", Status.HANDLING),  # reads everything, acts on nothing
        ("center_staff", "add_handling_note", Status.HANDLING),  # notes are the handling units'
        ("unit_handler", "send_reply", Status.REVIEWED),  # replying upstream is the center's
        ("section_leader", "record_exclusion_decision", Status.HANDLING),
    ],
)
def test_a_forbidden_action_is_403_from_the_page_as_from_the_api_even_with_an_invalid_form(
    who, action, state, users, handler_unit, client_for, api_client_for
):
    ticket = ticket_in(state, lead_unit=handler_unit)
    invalid = {"text": "x" * 20000, "approved": "maybe"}
    page = client_for(users[who]).post(f"/tickets/{ticket.ticket_no}/do/{action}/", invalid)
    api = api_client_for(users[who]).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **invalid}, format="json"
    )
    assert page.status_code == 403, page.content.decode()[:500]
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_bad_data_for_an_action_that_can_succeed_is_400_from_both(users, handler_unit, client_for, api_client_for):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    handler = users["unit_handler"]
    page = client_for(handler).post(f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": ""})
    api = api_client_for(handler).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": "add_handling_note", "text": ""}, format="json"
    )
    assert page.status_code == 400 and api.status_code == 400
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("state", [Status.RECEIVED, Status.DISPATCHED, Status.HANDLING, Status.REVIEWED])
def test_for_every_persona_the_page_and_the_api_offer_the_same_actions(
    state, users, handler_unit, client_for, api_client_for
):
    ticket = ticket_in(state, lead_unit=handler_unit)
    add_pending_draft(ticket, users["unit_handler"]) if state == Status.HANDLING else None
    for actor in users.values():
        page = client_for(actor).get(f"/tickets/{ticket.ticket_no}/")
        api = api_client_for(actor).get(f"/api/v1/tickets/{ticket.ticket_no}/")
        assert page.status_code == api.status_code, (actor.role, state)
        if page.status_code == 404:  # not this persona's ticket at all
            continue
        assert _page_actions(page.content.decode()) == set(api.json()["actions"]), (actor.role, state)

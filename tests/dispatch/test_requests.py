"""Refusal (改派), send-back (退单), merge, extension, exclusion (剔除), supervision and taking a ticket:
each through the API, with its own preconditions."""

import pytest
from django.utils import timezone

from dispatch.models import ExclusionRequest, ExclusionStatus, SendBackRequest, TicketEvent
from dispatch.workflow import refusal_counts
from intake.models import Status, Ticket
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(api_client_for):
    def run(user, ticket, action, expect=200, **data):
        response = api_client_for(user).post(
            f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **data}, format="json"
        )
        assert response.status_code == expect, response.json()
        return response.json()

    return run


def test_refusal_goes_back_to_the_center_and_is_counted_per_unit(
    act, center_staff, unit_handler, handler_unit, other_unit
):
    ticket = ticket_in(Status.TRIAGED)
    act(center_staff, ticket, "dispatch", lead_unit=handler_unit.name)
    body = act(unit_handler, ticket, "refuse", reason="属于城管职责")
    assert body["status"] == "triaged" and body["lead_unit"] is None and body["next_due_at"] is None
    act(center_staff, ticket, "dispatch", lead_unit=other_unit.name)
    assert refusal_counts() == {handler_unit.pk: 1}
    act(unit_handler, ticket, "acknowledge", expect=404)  # no longer theirs


def test_acknowledged_ticket_cannot_be_refused(act, unit_handler, handler_unit):
    ticket = ticket_in(Status.DISPATCHED, lead_unit=handler_unit, acknowledged_at=timezone.now())
    body = act(unit_handler, ticket, "refuse", reason="x", expect=409)
    assert body["detail"] == f"工单 {ticket.ticket_no} 已签收，不能退回改派，请申请退单"


def test_send_back_requested_by_the_unit_and_approved_by_the_center(act, center_staff, unit_handler, handler_unit):
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    body = act(unit_handler, ticket, "send_back", reason="不属于本街道辖区")
    assert body["status"] == "contacted"
    act(unit_handler, ticket, "send_back", reason="again", expect=409)
    body = act(center_staff, ticket, "approve_send_back", approved=True)
    assert body["status"] == "sent_back"
    assert SendBackRequest.objects.get().status == "approved"


def test_refused_send_back_needs_a_reason_and_keeps_the_state(act, center_staff, unit_handler, handler_unit):
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    act(unit_handler, ticket, "send_back", reason="不属于本街道辖区")
    act(center_staff, ticket, "approve_send_back", approved=False, expect=400)
    body = act(center_staff, ticket, "approve_send_back", approved=False, reason="属于本辖区")
    assert body["status"] == "contacted"


def test_center_sends_back_directly_at_triage(act, center_staff):
    ticket = ticket_in(Status.RECEIVED)
    assert act(center_staff, ticket, "send_back", reason="非本街道")["status"] == "sent_back"


def test_merge_folds_a_duplicate(act, center_staff):
    original = ticket_in(Status.HANDLING)
    duplicate = ticket_in(Status.RECEIVED)
    body = act(center_staff, duplicate, "merge", into=original.ticket_no)
    assert body["status"] == "merged" and body["merged_into"] == original.ticket_no
    act(center_staff, ticket_in(Status.RECEIVED), "merge", into="NOPE", expect=400)
    body = act(center_staff, ticket_in(Status.RECEIVED), "merge", into=duplicate.ticket_no, expect=400)
    assert body["errors"] == {"into": "not open"}


def test_exclusion_chain_and_upstream_decision(
    act, center_staff, unit_handler, section_leader, principal_leader, handler_unit
):
    ticket = ticket_in(Status.REPLIED, lead_unit=handler_unit)
    act(unit_handler, ticket, "request_exclusion", reason_category="unreasonable", reason="要求拆除合法建筑")
    act(principal_leader, ticket, "approve_exclusion", expect=403)  # the section leader signs first
    act(section_leader, ticket, "return_exclusion", reason="请补充证据")
    act(
        unit_handler,
        ticket,
        "request_exclusion",
        reason_category="unreasonable",
        reason="要求拆除合法建筑",
        evidence="照片",
    )
    act(section_leader, ticket, "approve_exclusion")
    act(center_staff, ticket, "exclusion_decision", approved=True, expect=409)  # the principal has not signed
    act(principal_leader, ticket, "approve_exclusion")
    body = act(center_staff, ticket, "exclusion_decision", approved=True)
    assert body["is_excluded"] is True and body["status"] == "replied"
    versions = list(ExclusionRequest.objects.order_by("version").values_list("version", "status"))
    assert versions == [(1, ExclusionStatus.RETURNED), (2, ExclusionStatus.APPROVED)]
    act(unit_handler, ticket, "request_exclusion", reason_category="other", reason="x", expect=409)


def test_refused_exclusion_keeps_the_ticket_in_the_rates(
    act, center_staff, unit_handler, section_leader, principal_leader, handler_unit
):
    ticket = ticket_in(Status.REPLIED, lead_unit=handler_unit)
    act(unit_handler, ticket, "request_exclusion", reason_category="unreachable", reason="多次联系不上")
    act(section_leader, ticket, "approve_exclusion")
    act(principal_leader, ticket, "approve_exclusion")
    body = act(center_staff, ticket, "exclusion_decision", approved=False)
    assert body["is_excluded"] is False


def test_extension_through_the_api(act, unit_handler, section_leader, other_unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    act(unit_handler, ticket, "request_extension", days=0, reason="x", expect=400)
    body = act(unit_handler, ticket, "request_extension", days=5, reason="需协调产权单位")
    assert body["pending_extension"]["days"] == 5 and body["next_due_at"] is None
    act(unit_handler, ticket, "request_extension", days=2, reason="again", expect=409)
    body = act(section_leader, ticket, "approve_extension", approved=True)
    assert body["pending_extension"] is None and body["next_due_at"] == body["handle_due_at"]
    act(section_leader, ticket, "approve_extension", approved=True, expect=409)


def test_supervision_and_taking_a_ticket(act, center_staff, principal_leader, section_leader, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    assert act(section_leader, ticket, "supervise", level="street")["supervision"] == "street"
    act(section_leader, ticket, "supervise", level="street", expect=409)
    assert act(center_staff, ticket, "supervise", level="city")["supervision"] == "city"
    body = act(principal_leader, ticket, "take", note="亲自包案")
    assert body["taken_by"] == str(principal_leader)
    assert body["complainant"]["masked"] is False  # the leader handling it personally sees who called
    act(principal_leader, ticket, "take", expect=409)
    assert "add_handling_note" in act(principal_leader, ticket, "note", text="约谈产权单位")["actions"]
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["set_supervision", "set_supervision", "take_ticket", "add_handling_note"]
    assert Ticket.objects.get(pk=ticket.pk).taken_by == principal_leader

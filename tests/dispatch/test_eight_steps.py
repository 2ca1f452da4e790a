"""One ticket through all eight steps through the API, and one through a not-double-yes visit and
second handling (docs/domain.md §3). Each step's answer, state and history are checked."""

import pytest
from django.utils import timezone

from dispatch.models import ReplyDraft, TicketEvent
from intake.models import Category, ReturnVisit, Status, Ticket
from tests.factories import make_ticket

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


def _through_reply(act, ticket, center_staff, unit_handler, section_leader, handler_unit):
    body = act(
        center_staff,
        ticket,
        "triage_ticket",
        category=Category.objects.create(name="照明设施").name,
        urgency="normal",
        community=handler_unit.name,
    )
    assert body["status"] == "triaged" and body["category"] == "照明设施"
    body = act(center_staff, ticket, "dispatch_ticket", lead_unit=handler_unit.name, co_units=["城市管理办公室"])
    assert body["status"] == "dispatched" and body["lead_unit"] == handler_unit.name
    assert body["co_units"] == ["城市管理办公室"]
    assert body["next_due_kind"] == "acknowledge" and body["acknowledge_due_at"]
    body = act(unit_handler, ticket, "acknowledge_ticket")
    assert body["status"] == "dispatched" and body["acknowledged_at"] and body["next_due_kind"] == "contact"
    body = act(unit_handler, ticket, "record_first_contact", method="phone", outcome="约定明天上门查看")
    assert body["status"] == "contacted" and body["first_contact_at"]
    body = act(unit_handler, ticket, "add_handling_note", text="已联系物业更换灯泡")
    assert body["status"] == "handling" and body["next_due_kind"] == "handle"
    body = act(unit_handler, ticket, "submit_reply_draft", text="楼道灯已修复，居民表示认可。")
    assert body["status"] == "handling" and body["reply_drafts"][0]["waiting_for"] == "section_leader"
    body = act(section_leader, ticket, "sign_off_reply")
    assert body["status"] == "reviewed" and body["reviewed_at"]
    body = act(center_staff, ticket, "send_reply")
    assert body["status"] == "replied" and body["replied_at"] and body["next_due_at"] is None
    return body


def test_one_ticket_through_all_eight_steps(
    act, api_client_for, center_staff, unit_handler, section_leader, handler_unit
):
    # given a received ticket (step 1 happened at intake)
    ticket = make_ticket()
    # when it goes through steps 2-7, then a double-yes return visit (step 8)
    _through_reply(act, ticket, center_staff, unit_handler, section_leader, handler_unit)
    body = act(
        center_staff,
        ticket,
        "record_return_visit",
        visited_at=timezone.now().isoformat(),
        counted=True,
        contacted=True,
        resolved=True,
        satisfied=True,
    )
    # then it is closed, the visit is kept, and the history holds one event per step
    assert body["status"] == "closed" and body["closed_at"] and body["visit_satisfied"] is True
    assert ReturnVisit.objects.filter(ticket=ticket).count() == 1
    history = api_client_for(center_staff).get(f"/api/v1/tickets/{ticket.ticket_no}/events/").json()
    assert [e["kind"] for e in history] == [
        "receive",
        "triage_ticket",
        "dispatch_ticket",
        "acknowledge_ticket",
        "record_first_contact",
        "add_handling_note",
        "submit_reply_draft",
        "sign_off_reply",
        "send_reply",
        "record_return_visit",
    ]
    assert [e["to_status"] for e in history][-1] == "closed"
    assert history[3]["actor"] == str(unit_handler) and history[3]["actor_unit"] == handler_unit.name
    assert history[2]["from_status"] == "triaged" and history[2]["to_status"] == "dispatched"


def test_not_double_yes_visit_goes_to_second_handling_and_back(
    act, center_staff, unit_handler, section_leader, handler_unit
):
    ticket = make_ticket()
    _through_reply(act, ticket, center_staff, unit_handler, section_leader, handler_unit)
    visit = {"counted": True, "contacted": True, "resolved": False, "satisfied": False}
    body = act(center_staff, ticket, "record_return_visit", visited_at=timezone.now().isoformat(), **visit)
    assert body["status"] == "visited" and body["visit_resolved"] is False
    # the center reopens it: a new handling deadline, the lead unit handles again
    body = act(center_staff, ticket, "reopen_for_second_handling", reason="居民反映灯又坏了")
    assert body["status"] == "rehandling" and body["rehandling_count"] == 1
    assert body["next_due_kind"] == "handle" and body["next_due_at"]
    body = act(unit_handler, ticket, "add_handling_note", text="更换了整条线路")
    assert body["status"] == "rehandling"
    body = act(unit_handler, ticket, "submit_reply_draft", text="线路已整体更换。")
    assert body["reply_drafts"][0]["version"] == 2  # drafts keep their versions
    act(section_leader, ticket, "sign_off_reply")
    act(center_staff, ticket, "send_reply")
    body = act(
        center_staff,
        ticket,
        "record_return_visit",
        visited_at=timezone.now().isoformat(),
        **{**visit, "resolved": True, "satisfied": True},
    )
    assert body["status"] == "closed"
    assert ReplyDraft.objects.filter(ticket=ticket).count() == 2
    assert ReturnVisit.objects.filter(ticket=ticket).count() == 2


def test_a_not_double_yes_ticket_can_be_closed_without_second_handling(
    act, center_staff, unit_handler, section_leader, handler_unit
):
    ticket = make_ticket()
    _through_reply(act, ticket, center_staff, unit_handler, section_leader, handler_unit)
    act(
        center_staff,
        ticket,
        "record_return_visit",
        visited_at=timezone.now().isoformat(),
        counted=True,
        contacted=True,
        resolved=True,
        satisfied=False,
    )
    body = act(center_staff, ticket, "close_ticket", reason="诉求人要求超出政策范围，已解释")
    assert body["status"] == "closed"
    assert TicketEvent.objects.filter(ticket=ticket, kind="close_ticket").get().data["reason"]


def test_key_ticket_reply_needs_the_principal_leader_too(
    act, center_staff, unit_handler, section_leader, principal_leader, handler_unit
):
    ticket = make_ticket()
    act(center_staff, ticket, "triage_ticket", is_key=True)
    act(center_staff, ticket, "dispatch_ticket", lead_unit=handler_unit.name)
    act(unit_handler, ticket, "acknowledge_ticket")
    act(unit_handler, ticket, "record_first_contact", method="visit", outcome="上门")
    act(unit_handler, ticket, "submit_reply_draft", text="已处理")
    body = act(section_leader, ticket, "sign_off_reply")
    assert body["status"] == "handling" and body["reply_drafts"][0]["waiting_for"] == "principal_leader"
    act(section_leader, ticket, "sign_off_reply", expect=403)  # not their step any more
    body = act(principal_leader, ticket, "sign_off_reply")
    assert body["status"] == "reviewed"


def test_returned_draft_keeps_its_reason_and_a_new_version_follows(
    act, center_staff, unit_handler, section_leader, handler_unit
):
    ticket = make_ticket()
    act(center_staff, ticket, "triage_ticket")
    act(center_staff, ticket, "dispatch_ticket", lead_unit=handler_unit.name)
    act(unit_handler, ticket, "acknowledge_ticket")
    act(unit_handler, ticket, "record_first_contact", method="phone", outcome="已沟通")
    act(unit_handler, ticket, "submit_reply_draft", text="初稿")
    act(unit_handler, ticket, "submit_reply_draft", text="再交一次", expect=409)  # one draft waits at a time
    body = act(section_leader, ticket, "return_reply_draft", reason="请写明处理结果")
    assert body["status"] == "handling"
    act(section_leader, ticket, "return_reply_draft", reason="again", expect=409)  # nothing waits for sign-off now
    body = act(unit_handler, ticket, "submit_reply_draft", text="第二稿：已修复")
    drafts = {d["version"]: d for d in body["reply_drafts"]}
    assert drafts[1]["status"] == "returned" and drafts[1]["return_reason"] == "请写明处理结果"
    assert drafts[2]["status"] == "pending"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.HANDLING

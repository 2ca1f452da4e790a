"""Tickets in a given state for the workflow tests.

Fixture setup writes the columns directly (as intake's demo data does); the behaviour under test
always goes through dispatch.workflow or the API.
"""

from datetime import timedelta

from django.utils import timezone

from dispatch.models import (
    ExclusionRequest,
    ExclusionStatus,
    ExtensionRequest,
    ReplyDraft,
    SendBackRequest,
    SignOffStatus,
)
from intake.models import Status, Ticket
from tests.factories import make_ticket, ticket_in


def add_pending_draft(ticket: Ticket, author, chain=("section_leader",)) -> ReplyDraft:
    return ReplyDraft.objects.create(
        ticket=ticket, version=1, text="已处理", author=author, created_at=timezone.now(), chain=list(chain)
    )


def add_signed_draft(ticket: Ticket, author) -> ReplyDraft:
    return ReplyDraft.objects.create(
        ticket=ticket,
        version=1,
        text="已处理",
        author=author,
        created_at=timezone.now(),
        chain=["section_leader"],
        step=1,
        status=SignOffStatus.SIGNED_OFF,
    )


def add_exclusion(ticket: Ticket, author, status=ExclusionStatus.PENDING) -> ExclusionRequest:
    return ExclusionRequest.objects.create(
        ticket=ticket,
        version=1,
        reason_category="unreasonable",
        reason="诉求超出政策",
        author=author,
        created_at=timezone.now(),
        chain=["section_leader", "principal_leader"],
        step=2 if status == ExclusionStatus.SIGNED_OFF else 0,
        status=status,
    )


def add_extension(ticket: Ticket, author) -> ExtensionRequest:
    return ExtensionRequest.objects.create(
        ticket=ticket, days=3, reason="需协调产权单位", requested_by=author, requested_at=timezone.now()
    )


def add_send_back(ticket: Ticket, author) -> SendBackRequest:
    return SendBackRequest.objects.create(
        ticket=ticket, reason="不属于本街道", requested_by=author, requested_at=timezone.now()
    )


# A valid request body per action (with the ticket it is sent for prepared by ``prepare``).
BODIES = {
    "triage_ticket": {"urgency": "urgent"},
    "dispatch_ticket": {"lead_unit": "南路社区"},
    "acknowledge_ticket": {},
    "refuse_dispatch": {"reason": "不属于本单位"},
    "record_first_contact": {"method": "phone", "outcome": "已沟通"},
    "add_handling_note": {"text": "现场查看"},
    "submit_reply_draft": {"text": "已修复"},
    "sign_off_reply": {},
    "return_reply_draft": {"reason": "请补充"},
    "send_reply": {},
    "record_pre_visit": {"responded": True, "resolved": True, "satisfied": True},
    "record_return_visit": {"counted": True, "contacted": True, "resolved": True, "satisfied": True},
    "reopen_for_second_handling": {"reason": "未解决"},
    "close_ticket": {"reason": "已解释"},
    "send_back_ticket": {"reason": "非本街道事项"},
    "decide_send_back": {"approved": True},
    "merge_ticket": {},
    "request_extension": {"days": 3, "reason": "需协调"},
    "decide_extension": {"approved": True},
    "request_exclusion": {"reason_category": "unreasonable", "reason": "诉求不合理"},
    "sign_off_exclusion": {},
    "return_exclusion": {"reason": "证据不足"},
    "record_exclusion_decision": {"approved": True},
    "set_supervision": {"level": "street"},
    "take_ticket": {},
    "confirm_place": {"lon": 116.487, "lat": 39.965, "method": "location"},
    "publish_reply": {"text": "楼道灯已更换，恢复照明。"},
}

# The state each action is tried in, and what must exist for it to succeed.
STATES = {
    "triage_ticket": Status.RECEIVED,
    "dispatch_ticket": Status.TRIAGED,
    "acknowledge_ticket": Status.DISPATCHED,
    "refuse_dispatch": Status.DISPATCHED,
    "record_first_contact": Status.DISPATCHED,
    "add_handling_note": Status.CONTACTED,
    "submit_reply_draft": Status.CONTACTED,
    "sign_off_reply": Status.HANDLING,
    "return_reply_draft": Status.HANDLING,
    "send_reply": Status.REVIEWED,
    "record_pre_visit": Status.REPLIED,
    "record_return_visit": Status.REPLIED,
    "reopen_for_second_handling": Status.VISITED,
    "close_ticket": Status.VISITED,
    "send_back_ticket": Status.CONTACTED,
    "decide_send_back": Status.CONTACTED,
    "merge_ticket": Status.TRIAGED,
    "request_extension": Status.CONTACTED,
    "decide_extension": Status.CONTACTED,
    "request_exclusion": Status.HANDLING,
    "sign_off_exclusion": Status.HANDLING,
    "return_exclusion": Status.HANDLING,
    "record_exclusion_decision": Status.HANDLING,
    "set_supervision": Status.HANDLING,
    "take_ticket": Status.HANDLING,
    "confirm_place": Status.HANDLING,
    "publish_reply": Status.REPLIED,
}


def prepare(action: str, lead_unit, author) -> tuple[Ticket, dict]:
    """A ticket where ``action`` succeeds for a permitted actor, and the body to send."""
    status = STATES[action]
    extra = {}
    if action in ("acknowledge_ticket", "refuse_dispatch"):
        extra = {"acknowledged_at": None, "handle_started_at": None}
    if action == "record_first_contact":
        extra = {"acknowledged_at": timezone.now() - timedelta(hours=1)}
    ticket = ticket_in(status, lead_unit=lead_unit, street=lead_unit.street, **extra)  # the unit's street
    body = dict(BODIES[action])
    if action in ("sign_off_reply", "return_reply_draft"):
        add_pending_draft(ticket, author)
    elif action == "send_reply":
        add_signed_draft(ticket, author)
    elif action == "record_return_visit":
        body["visited_at"] = timezone.now().isoformat()
    elif action == "decide_send_back":
        add_send_back(ticket, author)
    elif action == "merge_ticket":
        body["into"] = make_ticket(street=lead_unit.street).ticket_no
    elif action == "decide_extension":
        add_extension(ticket, author)
    elif action in ("sign_off_exclusion", "return_exclusion"):
        add_exclusion(ticket, author)
    elif action == "record_exclusion_decision":
        add_exclusion(ticket, author, status=ExclusionStatus.SIGNED_OFF)
    elif action == "confirm_place":
        from org.geography import has_geography
        from tests.geography import load_test_street

        if not has_geography():  # the first street asking gets the test geography
            load_test_street(gazetteer=False, street=lead_unit.street)
    return ticket, body

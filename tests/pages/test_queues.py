"""The unit inbox (by urgency and deadline, one-tap acknowledge) and the sign-off queue (approve, or
return with a reason, in one step each)."""

from datetime import timedelta

from django.utils import timezone

from dispatch.models import ExtensionRequest, ReplyDraft, RequestStatus, SignOffStatus
from intake.models import Status, Urgency
from tests.factories import dispatched_ticket


def _draft(ticket, author, chain=("section_leader",)):
    return ReplyDraft.objects.create(
        ticket=ticket, version=1, text="已修复路灯", author=author, created_at=timezone.now(), chain=list(chain)
    )


def test_inbox_lists_urgent_first_then_by_deadline(client_for, unit_handler, handler_unit, other_unit):
    now = timezone.now()
    dispatched_ticket(handler_unit, content="普通但很急", next_due_at=now + timedelta(hours=1))
    dispatched_ticket(handler_unit, content="普通不急", next_due_at=now + timedelta(days=2))
    dispatched_ticket(handler_unit, content="紧急件", urgency=Urgency.URGENT, next_due_at=now + timedelta(days=1))
    dispatched_ticket(other_unit, content="别的单位")
    html = client_for(unit_handler).get("/inbox/").content.decode()
    assert html.index("紧急件") < html.index("普通但很急") < html.index("普通不急")
    assert "别的单位" not in html
    assert html.count('data-testid="inbox-card"') == 3


def test_acknowledge_from_the_inbox_in_one_tap(client_for, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit)
    response = client_for(unit_handler).post(
        f"/tickets/{ticket.ticket_no}/do/acknowledge/", {"next": "/inbox/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/inbox/"
    assert "签收：已完成" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.acknowledged_at is not None


def test_a_refused_one_tap_action_returns_to_the_queue_with_the_reason(client_for, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit, acknowledged_at=timezone.now())
    response = client_for(unit_handler).post(
        f"/tickets/{ticket.ticket_no}/do/acknowledge/", {"next": "/inbox/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/inbox/"
    assert "他人已先行修改" in response.content.decode() or "工单当前状态下不能" in response.content.decode()


def test_signoff_queue_approves_in_one_step(client_for, section_leader, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit, status=Status.HANDLING, acknowledged_at=timezone.now())
    draft = _draft(ticket, unit_handler)
    client = client_for(section_leader)
    html = client.get("/signoff/").content.decode()
    assert "已修复路灯" in html and 'data-testid="signoff-draft"' in html
    client.post(f"/tickets/{ticket.ticket_no}/do/approve_reply/", {"next": "/signoff/"})
    draft.refresh_from_db()
    ticket.refresh_from_db()
    assert draft.status == SignOffStatus.SIGNED_OFF and ticket.status == Status.REVIEWED
    assert 'data-testid="queue-empty"' in client.get("/signoff/").content.decode()


def test_signoff_queue_returns_with_a_reason_and_requires_one(client_for, section_leader, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit, status=Status.HANDLING, acknowledged_at=timezone.now())
    draft = _draft(ticket, unit_handler)
    client = client_for(section_leader)
    client.post(f"/tickets/{ticket.ticket_no}/do/return_reply/", {"next": "/signoff/", "reason": ""})
    draft.refresh_from_db()
    assert draft.status == SignOffStatus.PENDING  # no reason, no return
    client.post(f"/tickets/{ticket.ticket_no}/do/return_reply/", {"next": "/signoff/", "reason": "请补充现场照片"})
    draft.refresh_from_db()
    assert draft.status == SignOffStatus.RETURNED and draft.return_reason == "请补充现场照片"


def test_key_ticket_waits_for_the_principal_after_the_section_leader(
    client_for, section_leader, principal_leader, unit_handler, handler_unit
):
    ticket = dispatched_ticket(handler_unit, status=Status.HANDLING, acknowledged_at=timezone.now(), is_key=True)
    _draft(ticket, unit_handler, chain=("section_leader", "principal_leader"))
    assert 'data-testid="signoff-draft"' not in client_for(principal_leader).get("/signoff/").content.decode()
    client_for(section_leader).post(f"/tickets/{ticket.ticket_no}/do/approve_reply/", {"next": "/signoff/"})
    assert 'data-testid="signoff-draft"' in client_for(principal_leader).get("/signoff/").content.decode()
    assert 'data-testid="signoff-draft"' not in client_for(section_leader).get("/signoff/").content.decode()


def test_extension_requests_wait_for_the_section_leader(client_for, section_leader, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit, status=Status.HANDLING, acknowledged_at=timezone.now())
    request = ExtensionRequest.objects.create(
        ticket=ticket, days=3, reason="需协调物业", requested_by=unit_handler, requested_at=timezone.now()
    )
    client = client_for(section_leader)
    assert "需协调物业" in client.get("/signoff/").content.decode()
    client.post(f"/tickets/{ticket.ticket_no}/do/approve_extension/", {"next": "/signoff/", "approved": "1"})
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_signoff_queue_is_not_for_handlers(client_for, unit_handler):
    assert client_for(unit_handler).get("/signoff/").status_code == 404


def test_refusing_a_misrouted_dispatch_returns_the_handler_to_the_inbox(client_for, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit)
    response = client_for(unit_handler).post(
        f"/tickets/{ticket.ticket_no}/do/refuse/", {"reason": "不属于本社区辖区"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/inbox/"  # the ticket left this unit: home, not a 404
    assert "退回改派：已完成" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.TRIAGED and ticket.lead_unit is None


def test_signoff_queue_shows_the_oldest_of_a_long_backlog_and_says_how_many_wait(
    client_for, section_leader, unit_handler, handler_unit, monkeypatch
):
    from dispatch.views import queues

    monkeypatch.setattr(queues, "SIGNOFF_SHOWN", 2)
    now = timezone.now()
    for age, text in ((3, "最早的答复"), (2, "第二份答复"), (1, "最新的答复")):
        ticket = dispatched_ticket(handler_unit, status=Status.HANDLING, acknowledged_at=now)
        draft = _draft(ticket, unit_handler)
        ReplyDraft.objects.filter(pk=draft.pk).update(text=text, created_at=now - timedelta(hours=age))
    html = client_for(section_leader).get("/signoff/").content.decode()
    assert html.count('data-testid="signoff-draft"') == 2
    assert "最早的答复" in html and "第二份答复" in html and "最新的答复" not in html
    assert "显示最早的 2 件（共 3 件）" in html
    assert "3 项待审核" in html.split("</h1>")[0]  # the heading counts every waiting document


def test_signoff_queue_says_nothing_more_when_everything_is_shown(
    client_for, section_leader, unit_handler, handler_unit
):
    ticket = dispatched_ticket(handler_unit, status=Status.HANDLING, acknowledged_at=timezone.now())
    _draft(ticket, unit_handler)
    html = client_for(section_leader).get("/signoff/").content.decode()
    assert html.count('data-testid="signoff-draft"') == 1
    assert 'data-testid="signoff-more"' not in html

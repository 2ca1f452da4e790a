"""What the ticket page says: the labels of the timeline's details, the arrow to a new state only
when the label does not already name it, and a stopped clock while an extension request waits."""

from django.utils import timezone

from dispatch import workflow
from intake.models import Status
from tests.factories import dispatched_ticket, make_ticket


def test_a_handling_note_and_a_reply_are_labelled_as_text_not_as_keywords(client_for, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit, status=Status.CONTACTED, acknowledged_at=timezone.now())
    client = client_for(unit_handler)
    assert (
        client.post(f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": "已联系物业更换灯泡"}).status_code
        == 302
    )

    html = client.get(f"/tickets/{ticket.ticket_no}/").content.decode()

    assert "内容：</span>已联系物业更换灯泡" in html
    assert "关键词：" not in html
    # the workbench's search box keeps its own word
    assert "关键词" in client_for(unit_handler).get("/tickets/").content.decode()


def test_the_timeline_never_says_the_same_state_twice(client_for, center_staff):
    ticket = make_ticket()
    workflow.triage_ticket(ticket, actor=center_staff, urgency="normal")

    html = client_for(center_staff).get(f"/tickets/{ticket.ticket_no}/").content.decode()

    timeline = html.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "<strong>已研判</strong>" in timeline
    assert "已研判 → 已研判" not in timeline and "→ 已研判" not in timeline


def test_a_ticket_waiting_for_an_extension_decision_shows_its_clock_stopped(
    client_for, unit_handler, section_leader, handler_unit
):
    now = timezone.now()
    ticket = dispatched_ticket(
        handler_unit, status=Status.HANDLING, acknowledged_at=now, first_contact_at=now, handle_started_at=now
    )
    workflow.request_extension(ticket, actor=unit_handler, days=3, reason="需协调物业")
    ticket.refresh_from_db()
    assert ticket.next_due_at is None  # no deadline runs meanwhile (dispatch.deadlines)

    for user, url in ((unit_handler, f"/tickets/{ticket.ticket_no}/"), (unit_handler, "/inbox/")):
        html = client_for(user).get(url).content.decode()
        assert 'data-testid="clock-paused"' in html, url
        assert "等待延期审批" in html, url
    page = client_for(unit_handler).get(f"/tickets/{ticket.ticket_no}/").content.decode()
    deadlines = page.split('data-testid="deadlines"')[1].split("</dl>")[0]
    assert "剩余" not in deadlines and "已超期" not in deadlines  # no running countdown

    # decided: the clock runs again, with the waiting time added
    workflow.decide_extension(ticket, actor=section_leader, approved=True)
    html = client_for(unit_handler).get(f"/tickets/{ticket.ticket_no}/").content.decode()
    assert 'data-testid="clock-paused"' not in html

"""The ticket page: scoped by dispatch.access (404 for another unit's ticket), personal data masked
unless allowed and every full display logged, only the actions this user may take now, and bad input
refused with a message and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch.models import Note, PersonalDataAccess, TicketEvent
from intake.models import Status
from tests.factories import dispatched_ticket, make_ticket

# the smallest valid PNG (1x1 pixel)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.parametrize(
    "url",
    ["/tickets/{no}/", "/tickets/{no}/panel/"],
)
def test_another_units_ticket_is_404_for_a_handler(client_for, other_unit_handler, handler_unit, url):
    ticket = dispatched_ticket(handler_unit)
    response = client_for(other_unit_handler).get(url.format(no=ticket.ticket_no))
    assert response.status_code == 404
    assert ticket.content not in response.content.decode()


def test_another_units_ticket_cannot_be_acted_on_or_revealed(client_for, other_unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit)
    client = client_for(other_unit_handler)
    assert client.post(f"/tickets/{ticket.ticket_no}/do/acknowledge_ticket/").status_code == 404
    assert client.post(f"/tickets/{ticket.ticket_no}/complainant/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.acknowledged_at is None
    assert not PersonalDataAccess.objects.exists()


def test_inspector_sees_the_ticket_masked_without_a_show_button(client_for, inspector, handler_unit):
    ticket = dispatched_ticket(handler_unit)
    client = client_for(inspector)
    html = client.get(f"/tickets/{ticket.ticket_no}/").content.decode()
    assert "张**" in html and "138****1234" in html
    assert "张三丰" not in html and "13812341234" not in html
    assert "显示完整信息" not in html
    assert 'data-testid="no-actions"' in html  # an inspector only reads
    assert client.post(f"/tickets/{ticket.ticket_no}/complainant/").status_code == 302
    assert not PersonalDataAccess.objects.exists()


def test_handler_sees_masked_then_shows_in_full_and_the_display_is_logged(client_for, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit)
    client = client_for(unit_handler)
    html = client.get(f"/tickets/{ticket.ticket_no}/").content.decode()
    assert "138****1234" in html and "13812341234" not in html
    assert not PersonalDataAccess.objects.exists()  # a masked display is not a display
    partial = client.post(f"/tickets/{ticket.ticket_no}/complainant/", HTTP_HX_REQUEST="true").content.decode()
    assert "张三丰" in partial and "13812341234" in partial
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.ticket) == (unit_handler, ticket)


def test_only_the_actions_this_user_may_take_now(client_for, unit_handler, section_leader, handler_unit):
    ticket = dispatched_ticket(handler_unit)
    handler_html = client_for(unit_handler).get(f"/tickets/{ticket.ticket_no}/").content.decode()
    assert 'id="act-acknowledge_ticket"' in handler_html
    assert 'id="act-refuse_dispatch"' in handler_html
    assert 'id="act-triage_ticket"' not in handler_html and 'id="act-dispatch_ticket"' not in handler_html
    assert 'id="act-sign_off_reply"' not in handler_html
    leader_html = client_for(section_leader).get(f"/tickets/{ticket.ticket_no}/").content.decode()
    assert 'id="act-acknowledge_ticket"' not in leader_html


def test_the_timeline_lists_every_step_in_order(client_for, center_staff, unit_handler, handler_unit):
    ticket = make_ticket(content="垃圾清运不及时")
    center = client_for(center_staff)
    center.post(f"/tickets/{ticket.ticket_no}/do/triage_ticket/", {"urgency": "normal"})
    center.post(f"/tickets/{ticket.ticket_no}/do/dispatch_ticket/", {"lead_unit": handler_unit.pk})
    handler = client_for(unit_handler)
    handler.post(f"/tickets/{ticket.ticket_no}/do/acknowledge_ticket/")
    handler.post(
        f"/tickets/{ticket.ticket_no}/do/record_first_contact/", {"method": "phone", "outcome": "约定明早清运"}
    )
    html = center.get(f"/tickets/{ticket.ticket_no}/").content.decode()
    kinds = ["receive", "triage_ticket", "dispatch_ticket", "acknowledge_ticket", "record_first_contact"]
    positions = [html.index(f'data-kind="{k}"') for k in kinds]
    assert positions == sorted(positions)
    assert "约定明早清运" in html
    assert "联系方式：</span>电话" in html  # codes in the event data are shown as their labels
    assert "南路社区" in html


def test_note_with_a_photo_is_stored_and_shown(client_for, unit_handler, handler_unit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = dispatched_ticket(handler_unit, status=Status.CONTACTED, acknowledged_at="2025-01-01T00:00Z")
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client_for(unit_handler).post(
        f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": "已到现场查看", "files": [photo]}
    )
    assert response.status_code == 302
    note = Note.objects.get(ticket=ticket)
    assert note.attachments.count() == 1
    html = client_for(unit_handler).get(f"/tickets/{ticket.ticket_no}/").content.decode()
    assert "已到现场查看" in html and 'alt="现场.png"' in html


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(
    client_for, unit_handler, handler_unit, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ticket = dispatched_ticket(handler_unit, status=Status.CONTACTED, acknowledged_at="2025-01-01T00:00Z")
    fake = SimpleUploadedFile("photo.png", b"MZ this is an executable", content_type="image/png")
    response = client_for(unit_handler).post(
        f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": "看", "files": [fake]}
    )
    assert response.status_code == 400
    assert "输入有误" in response.content.decode()
    assert not Note.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert not any(tmp_path.rglob("*.*"))


def test_missing_required_input_is_refused_with_the_form_kept(client_for, unit_handler, handler_unit):
    ticket = dispatched_ticket(handler_unit, status=Status.CONTACTED, acknowledged_at="2025-01-01T00:00Z")
    response = client_for(unit_handler).post(f"/tickets/{ticket.ticket_no}/do/request_extension/", {"days": "99"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="act-request_extension" open' in html
    assert 'value="99"' in html  # what was typed is kept
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_unknown_action_is_404(client_for, center_staff):
    ticket = make_ticket()
    assert client_for(center_staff).post(f"/tickets/{ticket.ticket_no}/do/explode/").status_code == 404


def test_visit_file_upload_moves_replied_tickets(client_for, center_staff, handler_unit):
    ticket = dispatched_ticket(
        handler_unit,
        status=Status.REPLIED,
        replied_at="2025-03-01T02:00Z",
        received_at="2025-03-01T01:00Z",
        next_due_at=None,
        next_due_kind="",
    )
    csv = f"工单编号,回访时间,纳入考评,响应,解决,满意\n{ticket.ticket_no},2025-03-05 10:00,是,是,是,是\n".encode()
    upload = SimpleUploadedFile("visits.csv", csv, content_type="text/csv")
    response = client_for(center_staff).post("/visits/import/", {"file": upload}, follow=True)
    assert "已导入：新增 1 条" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.visit_resolved is True


def test_a_bad_visit_file_lists_its_rows_and_changes_nothing(client_for, center_staff, handler_unit):
    ticket = dispatched_ticket(handler_unit, status=Status.REPLIED, replied_at="2025-03-01T02:00Z")
    csv = (
        "工单编号,回访时间,纳入考评,响应,解决,满意\n"
        f"{ticket.ticket_no},not a time,是,是,是,是\n"
        "NO-SUCH,2025-03-05 10:00,是,是,是,是\n"
    )
    upload = SimpleUploadedFile("visits.csv", csv.encode(), content_type="text/csv")
    response = client_for(center_staff).post("/visits/import/", {"file": upload})
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "NO-SUCH" in html and "not a time" in html
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED and ticket.visited_at is None


def test_only_the_center_imports_visits(client_for, unit_handler):
    assert client_for(unit_handler).get("/visits/import/").status_code == 404

"""The ticket file (卷宗): one ticket played through the workflow — triage, dispatch, contact, a note
with a photo, an extension, a draft returned and a second signed off, the reply, a not-double-yes
visit, second handling — then the file as a print page and as a PDF read back with pypdf."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from dispatch.models import PersonalDataAccess
from dispatch.workflow import add_handling_note
from intake.models import Category
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def act(api_client_for):
    def run(user, ticket, action, **data):
        response = api_client_for(user).post(
            f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **data}, format="json"
        )
        assert response.status_code == 200, response.json()
        return response.json()

    return run


@pytest.fixture
def case(act, center_staff, unit_handler, section_leader, handler_unit):
    ticket = make_ticket(content="楼道灯坏了很久没人修，电话13812341234")
    category = Category.objects.create(name="照明设施").name
    act(center_staff, ticket, "triage_ticket", category=category, urgency="normal", community=handler_unit.name)
    act(center_staff, ticket, "dispatch_ticket", lead_unit=handler_unit.name, co_units=["平安建设办公室"])
    act(unit_handler, ticket, "acknowledge_ticket")
    act(unit_handler, ticket, "record_first_contact", method="phone", outcome="约定明天上门查看")
    photo = SimpleUploadedFile("现场.png", _png(), content_type="image/png")
    add_handling_note(ticket, actor=unit_handler, text="现场查看，灯座老化", files=[photo])
    act(unit_handler, ticket, "request_extension", days=3, reason="需等待配件到货")
    act(section_leader, ticket, "decide_extension", approved=True)
    act(unit_handler, ticket, "submit_reply_draft", text="初稿：已报修。")
    act(section_leader, ticket, "return_reply_draft", reason="请写明修复时间")
    act(unit_handler, ticket, "submit_reply_draft", text="楼道灯已于周三修复，居民表示认可。")
    act(section_leader, ticket, "sign_off_reply")
    act(center_staff, ticket, "send_reply")
    visit = {"counted": True, "contacted": True, "resolved": False, "satisfied": False}
    act(center_staff, ticket, "record_return_visit", visited_at=timezone.now().isoformat(), **visit)
    act(center_staff, ticket, "reopen_for_second_handling", reason="居民反映灯又坏了")
    ticket.refresh_from_db()
    return ticket


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_file_holds_the_whole_case(case, center_staff, unit_handler, section_leader):
    answer = _client(center_staff).get(f"/tickets/{case.ticket_no}/file/")

    assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-store"
    html = answer.content.decode()
    for text in (
        "楼道灯坏了很久没人修",  # the request
        "照明设施",  # triage
        "平安建设办公室",  # the dispatch's co-handling unit
        "约定明天上门查看",  # the contact
        "现场查看，灯座老化",  # the note
        "需等待配件到货",  # the extension
        "初稿：已报修。",  # the returned draft and why
        "请写明修复时间",
        "楼道灯已于周三修复",  # the signed-off draft …
        str(section_leader),  # … and who signed it
        "居民反映灯又坏了",  # second handling
    ):
        assert text in html, text
    assert html.count('data-testid="file-draft"') == 2
    assert html.count('data-testid="file-signature"') == 1
    assert html.count('data-testid="file-visit"') == 1
    assert '<img src="/media/attachments/' in html
    # a document, not a staff page: no navigation, no language menu, no workflow buttons
    assert 'class="site-header"' not in html and "language-select" not in html and "ticket-action" not in html
    assert "@media print" in html and ".screen-only { display: none" in html
    # the center sees the complainant in full, and that display is logged
    assert "13812341234" in html
    assert PersonalDataAccess.objects.filter(user=center_staff, ticket=case, context="ticket file").count() == 1


def test_personal_data_is_masked_for_a_role_that_may_not_see_it(case, section_leader):
    html = _client(section_leader).get(f"/tickets/{case.ticket_no}/file/").content.decode()

    assert "张**" in html and "138****1234" in html
    assert "张三丰" not in html
    assert not PersonalDataAccess.objects.filter(user=section_leader).exists()


def test_the_pdf_reads_back_with_the_case_and_the_photo(case, center_staff, section_leader):
    answer = _client(center_staff).get(f"/tickets/{case.ticket_no}/file/", {"format": "pdf"})

    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="ticket-file-{case.ticket_no}.pdf"'
    reader = PdfReader(io.BytesIO(answer.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    for expected in (
        "卷宗",
        case.ticket_no,
        "楼道灯坏了很久没人修",
        "约定明天上门查看",
        "楼道灯已于周三修复",
        "请写明修复时间",
    ):
        assert expected in text, expected
    assert str(section_leader).replace(" ", "") in text
    photos = {image.data for page in reader.pages for image in page.images}
    assert len(photos) == 1  # the note's photo
    assert "返回工单" not in text and "下载PDF" not in text  # no toolbar in the archive copy
    logged = PersonalDataAccess.objects.filter(user=center_staff, context="ticket file PDF")
    assert logged.count() == 1


def test_a_ticket_one_cannot_see_is_not_found(case, other_unit_handler, platform_client):
    assert _client(other_unit_handler).get(f"/tickets/{case.ticket_no}/file/").status_code == 404
    assert _client(other_unit_handler).get(f"/tickets/{case.ticket_no}/file/?format=pdf").status_code == 404
    assert _client(platform_client).get(f"/tickets/{case.ticket_no}/file/").status_code == 404
    assert Client().get(f"/tickets/{case.ticket_no}/file/").status_code == 302  # sign in first
    assert _client(other_unit_handler).get("/tickets/NO-SUCH/file/").status_code == 404


def test_the_pdf_fetches_nothing_but_the_notes_photos(tmp_path, media_root):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from jxq_cases.lib.pdf import html_to_pdf

    # real pictures behind every refused address, so that fetching any of them would show
    outside = tmp_path / "outside.png"
    outside.write_bytes(_png())
    unlisted = default_storage.save("attachments/unlisted.png", ContentFile(_png()))
    listed = default_storage.save("attachments/listed.png", ContentFile(_png()))
    html = f'<p>外部</p><img src="http://127.0.0.1:9/x.png"><img src="file://{outside}"><img src="/media/{unlisted}">'

    reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    assert "外部" in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 0

    # the one stored file the document is given is shown, and only it
    files = {f"/media/{listed}": (listed, "image/png")}
    reader = PdfReader(io.BytesIO(html_to_pdf(html + f'<img src="/media/{listed}">', files=files)))
    assert len(reader.pages[0].images) == 1


def test_the_file_shows_the_evidence_files_of_an_exclusion_and_the_pdf_carries_its_photo(
    api_client_for, unit_handler, center_staff, handler_unit, media_root
):
    from intake.models import Status
    from tests.factories import ticket_in

    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    files = [
        SimpleUploadedFile("通话记录.png", _png(), content_type="image/png"),
        SimpleUploadedFile("情况说明.pdf", b"%PDF-1.7\n" + b"0" * 64, content_type="application/pdf"),
    ]
    answer = api_client_for(unit_handler).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/",
        {"action": "request_exclusion", "reason_category": "unreachable", "reason": "三次未接通", "files": files},
        format="multipart",
    )
    assert answer.status_code == 200, answer.json()

    html = _client(center_staff).get(f"/tickets/{ticket.ticket_no}/file/").content.decode()
    assert 'data-testid="evidence-files"' in html and "通话记录.png" in html and "情况说明.pdf" in html
    pdf = _client(center_staff).get(f"/tickets/{ticket.ticket_no}/file/", {"format": "pdf"})
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "情况说明.pdf" in text and "三次未接通" in text
    assert len({image.data for page in reader.pages for image in page.images}) == 1  # the evidence photo

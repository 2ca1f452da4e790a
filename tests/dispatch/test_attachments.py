"""Handling notes with attachments: images and PDFs only (checked by content), under a size limit,
stored under MEDIA_ROOT; a refused upload leaves nothing behind (no note, no event, no file)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch.models import Attachment, Note, TicketEvent
from intake.models import Status
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def _post(client, ticket, files, text="现场照片"):
    return client.post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/",
        {"action": "note", "text": text, "files": files},
        format="multipart",
    )


def _files_on_disk(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_images_and_pdfs_are_stored(api_client_for, unit_handler, handler_unit, media_root):
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    files = [
        SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
        SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf"),
    ]
    response = _post(api_client_for(unit_handler), ticket, files)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "handling"
    stored = Attachment.objects.order_by("id")
    assert [(a.original_name, a.content_type, a.size) for a in stored] == [
        ("现场.png", "image/png", len(PNG)),
        ("说明.pdf", "application/pdf", len(PDF)),
    ]
    assert len(_files_on_disk(media_root)) == 2
    assert stored[0].file.read() == PNG
    assert TicketEvent.objects.get(ticket=ticket).data["attachments"] == ["现场.png", "说明.pdf"]


def test_a_file_is_judged_by_its_content_not_its_name(api_client_for, unit_handler, handler_unit, media_root):
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    files = [
        SimpleUploadedFile("ok.png", PNG, content_type="image/png"),
        SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is an executable", content_type="image/jpeg"),
    ]
    response = _post(api_client_for(unit_handler), ticket, files)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"file": "photo.jpg", "reason": "不是图片（JPEG、PNG、GIF、WEBP）或 PDF 文件"}]
    assert not Note.objects.exists() and not Attachment.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert _files_on_disk(media_root) == []
    ticket.refresh_from_db()
    assert ticket.status == Status.CONTACTED


def test_a_file_over_the_limit_is_refused_by_size(api_client_for, unit_handler, handler_unit, media_root, settings):
    settings.JXQ_ATTACHMENT_MAX_BYTES = 1000
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 2000, content_type="application/pdf")
    response = _post(api_client_for(unit_handler), ticket, [big])
    assert response.status_code == 413
    assert "big.pdf" in response.json()["detail"] and "1000" in response.json()["detail"]
    assert not Note.objects.exists() and _files_on_disk(media_root) == []


def test_a_co_handling_unit_may_add_notes_but_not_draft_replies(
    api_client_for, other_unit_handler, handler_unit, other_unit
):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    ticket.co_units.add(other_unit)
    client = api_client_for(other_unit_handler)
    assert _post(client, ticket, []).status_code == 200
    reply = client.post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": "submit_reply", "text": "x"}, format="json"
    )
    assert reply.status_code == 403
    assert Note.objects.get().author_unit == other_unit


def test_attachments_are_listed_on_the_ticket_and_downloadable_only_by_those_who_see_it(
    api_client_for, unit_handler, other_unit_handler, inspector, handler_unit
):
    ticket = ticket_in(Status.CONTACTED, lead_unit=handler_unit)
    _post(api_client_for(unit_handler), ticket, [SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    detail = api_client_for(unit_handler).get(f"/api/v1/tickets/{ticket.ticket_no}/").json()
    [note] = detail["notes"]
    assert note["text"] == "现场照片" and note["author_unit"] == handler_unit.name
    url = note["attachments"][0]["url"]
    download = api_client_for(inspector).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert api_client_for(other_unit_handler).get(url).status_code == 404

"""Evidence files on exclusion requests and reply drafts: the same checks as a note's attachments
(type by content, size, count), stored with the document's version, shown in the sign-off queue and
on the ticket page, downloadable only by those who see the ticket; a refused upload leaves no
request, draft, event or file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dispatch.models import EvidenceFile, ExclusionRequest, ReplyDraft, TicketEvent
from intake.models import Status
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00 this is an executable"


def _files_on_disk(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _exclusion(client, ticket, files):
    return client.post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/",
        {"action": "request_exclusion", "reason_category": "unreachable", "reason": "三次未接通", "files": files},
        format="multipart",
    )


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_exclusion_request_carries_its_evidence_to_the_signer_and_the_ticket_page(
    api_client_for, unit_handler, section_leader, other_unit_handler, inspector, handler_unit, media_root
):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    files = [
        SimpleUploadedFile("通话记录.png", PNG, content_type="image/png"),
        SimpleUploadedFile("情况说明.pdf", PDF, content_type="application/pdf"),
    ]
    answer = _exclusion(api_client_for(unit_handler), ticket, files)

    assert answer.status_code == 200, answer.json()
    request = ExclusionRequest.objects.get(ticket=ticket)
    stored = list(request.files.order_by("id"))
    assert [(f.original_name, f.content_type, f.size) for f in stored] == [
        ("通话记录.png", "image/png", len(PNG)),
        ("情况说明.pdf", "application/pdf", len(PDF)),
    ]
    assert len(_files_on_disk(media_root)) == 2
    event = TicketEvent.objects.get(ticket=ticket, kind="request_exclusion")
    assert event.data["evidence_files"] == ["通话记录.png", "情况说明.pdf"]
    [listed] = answer.json()["exclusion_requests"]
    urls = [f["url"] for f in listed["files"]]
    assert urls == [f"/api/v1/tickets/{ticket.ticket_no}/evidence/{f.pk}/" for f in stored]

    # the signer sees them in the queue, and anyone who sees the ticket on its page
    queue = _page(section_leader).get("/signoff/").content.decode()
    card = queue.split('data-testid="signoff-exclusion"')[1]
    assert 'data-testid="evidence-files"' in card and "情况说明.pdf" in card and urls[0] in card
    page = _page(inspector).get(f"/tickets/{ticket.ticket_no}/").content.decode()
    assert urls[0] in page and "情况说明.pdf" in page

    # downloads: by content, only for those who see the ticket
    download = api_client_for(section_leader).get(urls[1])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert api_client_for(other_unit_handler).get(urls[1]).status_code == 404
    assert api_client_for(unit_handler).get(f"/api/v1/tickets/{ticket.ticket_no}/evidence/999999/").status_code == 404


@pytest.mark.parametrize(
    "files, status, detail",
    [
        ([("ok.png", PNG), ("照片.jpg", EXE)], 400, "照片.jpg"),  # judged by content, not by name
        ([("big.pdf", b"%PDF-1.7\n" + b"0" * 2000)], 413, "big.pdf"),  # over the size limit
        ([(f"{i}.png", PNG) for i in range(4)], 400, "3"),  # over the number of files
    ],
    ids=["not-an-image", "too-large", "too-many"],
)
def test_a_bad_evidence_file_refuses_the_whole_request(
    api_client_for, unit_handler, handler_unit, media_root, settings, files, status, detail
):
    settings.JXQ_ATTACHMENT_MAX_BYTES = 1000
    settings.JXQ_ATTACHMENT_MAX_FILES = 3
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    uploads = [SimpleUploadedFile(name, data, content_type="image/png") for name, data in files]

    answer = _exclusion(api_client_for(unit_handler), ticket, uploads)

    assert answer.status_code == status, answer.json()
    assert detail in str(answer.json())
    assert not ExclusionRequest.objects.exists() and not EvidenceFile.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert _files_on_disk(media_root) == []


def test_a_reply_draft_takes_evidence_files_from_the_page_and_a_bad_one_leaves_nothing(
    unit_handler, section_leader, handler_unit, media_root
):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    client = _page(unit_handler)
    url = f"/tickets/{ticket.ticket_no}/do/submit_reply_draft/"

    refused = client.post(url, {"text": "已修复", "files": [SimpleUploadedFile("修好了.png", EXE)]})
    assert refused.status_code == 400
    assert "修好了.png" in refused.content.decode()
    assert not ReplyDraft.objects.exists() and _files_on_disk(media_root) == []

    done = client.post(url, {"text": "已修复", "files": [SimpleUploadedFile("修好了.png", PNG)]})
    assert done.status_code == 302
    draft = ReplyDraft.objects.get(ticket=ticket)
    [evidence] = draft.files.all()
    assert (evidence.original_name, evidence.content_type, evidence.exclusion_id) == ("修好了.png", "image/png", None)
    card = _page(section_leader).get("/signoff/").content.decode().split('data-testid="signoff-draft"')[1]
    assert f"/api/v1/tickets/{ticket.ticket_no}/evidence/{evidence.pk}/" in card


def test_an_evidence_file_belongs_to_exactly_one_document(unit_handler, handler_unit):
    from django.db import IntegrityError, transaction

    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFile.objects.create(
            ticket=ticket, stored_name="x.png", original_name="x.png", content_type="image/png", size=1
        )

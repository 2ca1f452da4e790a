"""Handling-note attachments: images and PDFs, checked by size and by their content (magic bytes),
never by the file name or the browser's declared type, and stored under MEDIA_ROOT."""

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from jxq_cases.lib.errors import DomainError, ErrorCode

# signature -> (content type, extension); WEBP is RIFF....WEBP, checked separately
SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
]


def max_bytes() -> int:
    return int(getattr(settings, "JXQ_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "JXQ_ATTACHMENT_MAX_FILES", 10))


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, ext in SIGNATURES:
        if head.startswith(signature):
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_uploads(files: list[UploadedFile]) -> list[dict]:
    """Validate every file before anything is written; returns what to store for each one.
    The same checks for a note's attachments and for the evidence of exclusion requests and replies."""
    if len(files) > max_files():
        raise DomainError(ErrorCode.INVALID, _("At most %(count)s files at a time.") % {"count": max_files()})
    checked, errors = [], []
    for upload in files:
        name = upload.name or "file"
        if (upload.size or 0) > max_bytes():
            raise DomainError(
                ErrorCode.TOO_LARGE,
                _("Attachment %(name)s is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"name": repr(name), "size": upload.size, "limit": max_bytes()},
            )
        upload.seek(0)
        kind = sniff(upload.read(16))
        upload.seek(0)
        if kind is None:
            errors.append({"file": name, "reason": _("not an image (JPEG, PNG, GIF, WEBP) or a PDF")})
            continue
        content_type, ext = kind
        checked.append(
            {
                "upload": upload,
                "original_name": name[:255],
                "content_type": content_type,
                "stored_name": f"{secrets.token_hex(12)}.{ext}",
                "size": upload.size,
            }
        )
    if errors:
        raise DomainError(ErrorCode.INVALID, _("Attachments must be images or PDF files."), errors=errors)
    return checked


def store_checked(checked: list[dict], make_row: Callable[[dict], Any], cleanup: list) -> list:
    """Store each checked upload as the row ``make_row(item)`` builds (a model with a ``file`` field),
    the file first, then the row. Files live outside the transaction: each stored file's removal is
    added to ``cleanup``, and when storing fails here the ones already written are removed at once,
    so a refused step leaves no file behind."""
    rows = []
    try:
        for item in checked:
            row = make_row(item)
            row.file.save(item["stored_name"], item["upload"], save=False)
            cleanup.append(lambda stored=row.file: stored.delete(save=False))
            row.save()
            rows.append(row)
    except Exception:
        for undo in cleanup:
            undo()
        raise
    return rows


def evidence_file(ticket: Any, item: dict, **document: Any) -> Any:
    """An unsaved ``EvidenceFile`` of a checked upload for one document (``exclusion=`` or ``reply_draft=``)."""
    from dispatch.models import EvidenceFile

    return EvidenceFile(
        ticket=ticket,
        stored_name=item["stored_name"],
        original_name=item["original_name"],
        content_type=item["content_type"],
        size=item["size"],
        **document,
    )

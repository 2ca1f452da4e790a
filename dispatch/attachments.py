"""Handling-note attachments: images and PDFs, checked by size and by their content (magic bytes),
never by the file name or the browser's declared type, and stored under MEDIA_ROOT."""

import secrets

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
    """Validate every file before anything is written; returns what to store for each one."""
    if len(files) > max_files():
        raise DomainError(ErrorCode.INVALID, _("At most %(count)s attachments per note.") % {"count": max_files()})
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

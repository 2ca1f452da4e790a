"""What the ways in over HTTP share: who may write, the upload's size check, the response and schema.

The views themselves live in ``dispatch.imports_api``: receiving a ticket number again is recorded
on the timeline (dispatch), and the visit import moves tickets on (step 8). Only center staff and the
upstream platform's machine client may bring tickets in (docs/domain.md §7).
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from intake.importers import ImportResult
from intake.serializers import CsvUploadSerializer, ImportErrorSerializer, ImportResultSerializer
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.permissions import requires

# The multipart envelope (boundaries, part headers) around the file, allowed on top of the limit.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


# Writing tickets in: center staff and the upstream platform (docs/domain.md §7).
CanImportTickets = requires(
    "tickets.receive",
    gettext_lazy("Only center staff and the upstream platform may import tickets and return visits."),
)
# The city's return-visit results: the center and the platform.
CanImportVisits = requires(
    "visits.import",
    gettext_lazy("Only center staff and the upstream platform may import tickets and return visits."),
)


def _limit_text(limit: int) -> str:
    return f"{limit / (1024 * 1024):.1f} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def uploaded_csv(request):
    """The uploaded CSV (multipart field ``file``), refused by size before it is read (413)."""
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    too_large = _("The upload is larger than the limit of %(limit)s; split the file or use the import command.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    # Refuse on the declared length first, so an oversized body is never parsed at all.
    if length > limit + MULTIPART_OVERHEAD_BYTES:
        raise DomainError(ErrorCode.TOO_LARGE, too_large % {"limit": _limit_text(limit)})
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError(ErrorCode.INVALID, _("Upload the CSV file in the multipart field “file”."))
    if upload.size > limit:
        raise DomainError(ErrorCode.TOO_LARGE, too_large % {"limit": _limit_text(limit)})
    return upload


def import_response(result: ImportResult) -> Response:
    return Response(result.as_dict(), status=status.HTTP_201_CREATED)


ERRORS = {
    400: OpenApiResponse(ImportErrorSerializer, description="bad input: every bad row is listed"),
    401: OpenApiResponse(ImportErrorSerializer, description="not authenticated"),
    403: OpenApiResponse(ImportErrorSerializer, description="not center staff nor the platform"),
    409: OpenApiResponse(ImportErrorSerializer, description="a concurrent import of the same tickets"),
}


UPLOAD_SCHEMA: dict[str, Any] = {
    "request": {"multipart/form-data": CsvUploadSerializer},
    "responses": {
        201: ImportResultSerializer,
        **ERRORS,
        413: OpenApiResponse(ImportErrorSerializer, description="over IMPORT_UPLOAD_MAX_BYTES"),
    },
    "tags": ["intake"],
}

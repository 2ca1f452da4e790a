"""The ways in over HTTP (docs/intake.md): one ticket as JSON, and CSV uploads of ticket exports and
return-visit results. Thin: intake reads and validates; dispatch records what re-receiving changed
(``dispatch.upstream``) and moves replied tickets on after a visit import (step 8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch.upstream import import_tickets_and_record, receive_ticket_and_record
from dispatch.workflow import import_visits_and_advance
from intake.api import ERRORS, UPLOAD_SCHEMA, CanImportTickets, CanImportVisits, import_response, uploaded_csv
from intake.receiving import CREATED
from intake.serializers import TicketIntakeSerializer, TicketReceivedSerializer

if TYPE_CHECKING:
    from dispatch.access import SignedInApiRequest


class TicketIntakeView(APIView):
    """POST one ticket (step 1, 接单). GET on the same path is the ticket list (dispatch.api)."""

    permission_classes = [CanImportTickets]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="tickets_receive",
        summary="Receive one ticket (JSON)",
        description="Same fields, values and validation as a row of the ticket export (docs/domain.md §8); "
        "English or Chinese field names. 201 when created, 200 when the ticket number existed "
        "(outcome says updated or unchanged; an update is recorded on the ticket's timeline). "
        "409 when the ticket is past receipt and the upstream's fields differ.",
        request=TicketIntakeSerializer,
        responses={
            201: TicketReceivedSerializer,
            200: TicketReceivedSerializer,
            **ERRORS,
        },
        tags=["intake"],
    )
    def post(self, request: SignedInApiRequest) -> Response:
        result = receive_ticket_and_record(request.data, actor=request.user)
        body = {"id": result.ticket.pk, "ticket_no": result.ticket.ticket_no, "outcome": result.outcome}
        return Response(body, status=status.HTTP_201_CREATED if result.outcome == CREATED else status.HTTP_200_OK)


class TicketImportView(APIView):
    """POST a ticket export (CSV upload), imported whole or not at all."""

    permission_classes = [CanImportTickets]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="imports_tickets", summary="Import a ticket export (CSV)", **UPLOAD_SCHEMA)
    def post(self, request: SignedInApiRequest) -> Response:
        upload = uploaded_csv(request)
        street = request.data.get("street") or None  # default: the client's own street
        return import_response(
            import_tickets_and_record(upload, actor=request.user, file_name=upload.name, street=street)
        )


class VisitImportView(APIView):
    """POST return-visit results (CSV upload), imported whole or not at all."""

    permission_classes = [CanImportVisits]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="imports_visits", summary="Import return-visit results (CSV)", **UPLOAD_SCHEMA)
    def post(self, request: SignedInApiRequest) -> Response:
        upload = uploaded_csv(request)
        # stores the visits and moves the replied tickets on (replied -> visited, or closed when double-yes)
        street = request.data.get("street") or None  # default: the client's own street
        result = import_visits_and_advance(upload, actor=request.user, file_name=upload.name, street=street)
        return import_response(result)

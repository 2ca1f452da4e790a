"""The ticket API: list and detail (scoped by dispatch.access), workflow actions, history, notifications.

Thin views: they find the ticket among those the caller may see (else 404), parse the body, call one
workflow function, and render. Errors are DomainErrors, mapped to {"code", "detail"} with 400/403/
404/409/413 by jxq_cases.lib.api_errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch import access
from dispatch.filters import TicketFilter
from dispatch.models import Attachment, EvidenceFile, Notification, TicketEvent
from dispatch.notifications import mark_read
from dispatch.serializers import (
    WITHOUT_FILES,
    MarkReadSerializer,
    NotificationSerializer,
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketListSerializer,
)
from dispatch.workflow import registry
from intake.models import DUE_SORT_LAST, Status, Ticket
from intake.serializers import ImportErrorSerializer, TicketIntakeSerializer, TicketReceivedSerializer
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Unit

if TYPE_CHECKING:
    from rest_framework.request import Request

    from dispatch.access import AnyUser, SignedInApiRequest

ERROR = inline_serializer(
    "Error",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.JSONField(required=False),
    },
)
ERRORS = {
    400: OpenApiResponse(ERROR, description="invalid data: `errors` names the field and why"),
    403: OpenApiResponse(ERROR, description="this user may not do this"),
    404: OpenApiResponse(ERROR, description="no such ticket among those this user may see"),
    409: OpenApiResponse(ERROR, description="not allowed in the ticket's current state, or lost a race"),
}


class TicketCursorPagination(CursorPagination):
    """Keyset pagination: a page is found by position, not by offset, so deep pages stay fast.

    ``ordering``: ``-received_at`` (default, newest first), ``received_at``, ``deadline`` (running
    deadline, soonest first; tickets without one last) or ``-deadline``.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ORDERINGS = {
        "-received_at": ("-received_at", "-id"),
        "received_at": ("received_at", "id"),
        "deadline": ("due_sort", "id"),
        "-deadline": ("-due_sort", "-id"),
    }

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> tuple[str, str]:
        return self.ORDERINGS.get(request.query_params.get("ordering", ""), self.ORDERINGS["-received_at"])

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["notices"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "with `q`: what the search did not look at, and why (absent without `q`)",
        }
        return answer


def listed_tickets(user: AnyUser) -> QuerySet[Ticket]:
    """The visible tickets with what a list row shows beside the ticket row (co-handling units apart)."""
    return (
        access.visible_tickets(user)
        .select_related("category", "community", "lead_unit")
        .annotate(due_sort=Coalesce("next_due_at", Value(DUE_SORT_LAST)))  # = the index ticket_due_sort
    )


def scoped_tickets(user: AnyUser) -> QuerySet[Ticket]:
    return listed_tickets(user).prefetch_related("co_units")


def attach_co_units(tickets: list[Ticket]) -> None:
    """The co-handling units of a page of tickets, read in one query (names in the units' order) and
    kept on each ticket for the list serializer and the access policy. ``prefetch_related`` reads
    the same rows in one query too, but then builds a related manager and a queryset per ticket, and
    the serializer another per ticket (docs/intake.md, "Search": "The API request")."""
    by_ticket: dict[int, list[tuple[int, str]]] = {ticket.pk: [] for ticket in tickets}
    if not by_ticket:
        return
    units = (
        Ticket.co_units.through.objects.filter(ticket_id__in=list(by_ticket))
        .order_by(*(f"-unit__{f[1:]}" if f.startswith("-") else f"unit__{f}" for f in Unit._meta.ordering or []))
        .values_list("ticket_id", "unit_id", "unit__name")
    )
    for ticket_id, unit_id, name in units:
        by_ticket[ticket_id].append((unit_id, name))
    for ticket in tickets:
        ticket._jxq_co_unit_ids = {unit_id for unit_id, _name in by_ticket[ticket.pk]}  # type: ignore[attr-defined]
        ticket._jxq_co_unit_names = [name for _unit_id, name in by_ticket[ticket.pk]]  # type: ignore[attr-defined]


def with_detail(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What the detail shows beside the ticket, fetched in a fixed number of queries."""
    return tickets.select_related("merged_into", "taken_by").prefetch_related(
        "co_units",
        "notes__author",
        "notes__author_unit",
        "notes__attachments__note__ticket",
        "reply_drafts__author",
        "reply_drafts__files__ticket",
        "exclusion_requests__files__ticket",
    )


def visible_ticket_or_404(user: AnyUser, ticket_no: str) -> Ticket:
    ticket = access.visible_tickets(user).filter(ticket_no=ticket_no).first()
    if ticket is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Ticket %(ticket_no)s not found.") % {"ticket_no": ticket_no})
    return ticket


@extend_schema(tags=["tickets"])
class TicketListView(generics.ListAPIView):
    """GET: the tickets this user may see (filtered, keyset-paginated). POST: receive one ticket (intake)."""

    serializer_class = TicketListSerializer
    filterset_class = TicketFilter
    pagination_class = TicketCursorPagination

    def get_queryset(self) -> QuerySet[Ticket]:
        return listed_tickets(self.request.user)

    def paginate_queryset(self, queryset: QuerySet[Any, Any]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        attach_co_units(page if page is not None else [])
        return page

    @extend_schema(
        operation_id="tickets_list",
        parameters=[
            OpenApiParameter("ordering", str, enum=list(TicketCursorPagination.ORDERINGS), description="sort order")
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        found = getattr(request, "ticket_search", None)
        if found is not None:
            # what a search did not look at (a phone from a role without personal-data rights, …)
            response.data["notices"] = found.notices
        return response

    @extend_schema(
        operation_id="tickets_receive",
        summary="Receive one ticket (JSON)",
        description="Step 1 (接单), answered by dispatch.imports_api.TicketIntakeView: the fields, values and "
        "validation of a row of the ticket export (docs/domain.md §8). 201 when created, 200 when the ticket "
        "number existed (outcome: updated or unchanged). Center staff and the platform only.",
        request=TicketIntakeSerializer,
        responses={
            201: TicketReceivedSerializer,
            200: TicketReceivedSerializer,
            400: OpenApiResponse(ImportErrorSerializer, description="bad input: every bad field is listed"),
            403: OpenApiResponse(ImportErrorSerializer, description="not center staff nor the platform"),
            409: OpenApiResponse(
                ImportErrorSerializer, description="the ticket is past receipt and the upstream's fields differ"
            ),
        },
        tags=["intake"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Receiving (step 1) has its own view; one URL serves both, so hand the request over unchanged.
        from dispatch.imports_api import TicketIntakeView

        return TicketIntakeView.as_view()(request._request, *args, **kwargs)


@extend_schema(tags=["tickets"])
class TicketDetailView(generics.RetrieveAPIView):
    """One ticket; the complainant in full only for the center and the handling units (logged)."""

    serializer_class = TicketDetailSerializer
    lookup_field = "ticket_no"
    lookup_url_kwarg = "ticket_no"

    def get_queryset(self) -> QuerySet[Ticket]:
        return with_detail(scoped_tickets(self.request.user))

    def get_object(self) -> Ticket:
        return get_object_or_404(self.get_queryset(), ticket_no=self.kwargs["ticket_no"])


ACTION_REQUEST = PolymorphicProxySerializer(
    component_name="TicketAction",
    # as JSON a note is its text; its files come as multipart/form-data (NoteWithFilesAction), and so
    # do an exclusion request's and a reply draft's evidence files
    serializers={a.name: WITHOUT_FILES.get(a.serializer, a.serializer) for a in registry.actions()},  # type: ignore[arg-type]
    resource_type_field_name="action",
)
ACTION_WITH_FILES_REQUEST = PolymorphicProxySerializer(
    component_name="TicketActionWithFiles",
    serializers={a.name: a.serializer for a in registry.actions() if a.serializer in WITHOUT_FILES},
    resource_type_field_name="action",
)


def _action_names() -> str:
    return ", ".join(
        a.name + (f" ({_('formerly')} {', '.join(a.aliases)})" if a.aliases else "") for a in registry.actions()
    )


@extend_schema(tags=["tickets"])
class TicketActionView(APIView):
    """POST {"action": NAME, ...}: one workflow step (see docs/workflow.md for who may do what, when)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tickets_action",
        # JSON for every action; multipart/form-data is for the actions with files (a note with its
        # photos or PDFs, an exclusion request or a reply draft with its evidence)
        request={"application/json": ACTION_REQUEST, "multipart/form-data": ACTION_WITH_FILES_REQUEST},
        responses={200: TicketDetailSerializer, **ERRORS},
        description="Actions: " + ", ".join(registry.names()) + ". The former names of renamed actions are "
        "accepted too. The body's other fields depend on the action.",
    )
    def post(self, request: SignedInApiRequest, ticket_no: str) -> Response:
        # any JSON may arrive: a list, or an "action" that is an object; only a known name goes on
        name = request.data.get("action") if hasattr(request.data, "get") else None
        declared = registry.find(name)
        if declared is None:
            raise DomainError(
                ErrorCode.INVALID,
                _("Unknown action %(action)s; one of: %(choices)s")
                % {"action": repr(name), "choices": _action_names()},
                errors={"action": "unknown"},
            )
        ticket = visible_ticket_or_404(request.user, ticket_no)
        # Who, then when (403, 409: the state and what the action needs), then what (400): a refused
        # user learns nothing from their data. The ticket page does the same (dispatch.views.ticket).
        registry.require_available(request.user, declared, ticket)
        body = declared.serializer(data=request.data, context={"street_id": ticket.street_id})
        if not body.is_valid():
            raise DomainError(
                ErrorCode.INVALID,
                _("Invalid data for %(action)s.") % {"action": declared.verb},
                errors=body.errors,
            )
        kwargs = dict(body.validated_data)
        kwargs.pop("action")
        declared.function(ticket, actor=request.user, **kwargs)
        # Not from the scoped list: after a refusal (改派) the actor no longer sees the ticket, yet the
        # answer shows what they did (personal data is masked by their rights as they are now).
        fresh = with_detail(Ticket.objects.select_related("category", "community", "lead_unit")).get(pk=ticket.pk)
        return Response(TicketDetailSerializer(fresh, context={"request": request}).data, status=status.HTTP_200_OK)


@extend_schema(tags=["tickets"], responses={200: TicketEventSerializer(many=True), 404: ERRORS[404]})
class TicketEventsView(generics.ListAPIView):
    """The ticket's history, oldest first; step 1 (received) is the ticket's own receipt."""

    serializer_class = TicketEventSerializer
    pagination_class = None
    queryset = TicketEvent.objects.none()  # for the schema; the real one depends on the ticket

    def get_queryset(self) -> QuerySet[TicketEvent]:
        ticket = visible_ticket_or_404(self.request.user, self.kwargs["ticket_no"])
        self.ticket = ticket
        return ticket.events.select_related("actor", "actor_unit").order_by("at", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        events = TicketEventSerializer(self.get_queryset(), many=True).data
        received = {
            "kind": "receive",
            "label": str(Status.RECEIVED.label),
            "actor": None,
            "actor_unit": None,
            "at": self.ticket.created_at.isoformat(),
            "from_status": "",
            "to_status": "received",
            "data": {"received_at": self.ticket.received_at.isoformat(), "import_batch": self.ticket.import_batch_id},
        }
        return Response([received, *events])


@extend_schema(tags=["notifications"])
class NotificationListView(generics.ListAPIView):
    """The caller's notifications, newest first; ``?unread=1`` for the unread ones only."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; the real one is the caller's
    request: SignedInApiRequest

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        rows = Notification.objects.filter(user=self.request.user).select_related("ticket")
        if self.request.query_params.get("unread") in ("1", "true"):
            rows = rows.filter(read_at=None)
        return rows

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="only unread ones")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(
    tags=["notifications"],
    request=MarkReadSerializer,
    responses={200: inline_serializer("MarkedRead", fields={"marked": serializers.IntegerField()})},
)
class NotificationReadView(APIView):
    """Mark the caller's notifications read (the given ids, or all unread ones)."""

    def post(self, request: SignedInApiRequest) -> Response:
        body = MarkReadSerializer(data=request.data)
        if not body.is_valid():
            raise DomainError(ErrorCode.INVALID, _("Invalid data."), errors=body.errors)
        return Response({"marked": mark_read(request.user, body.validated_data.get("ids"))})


def _download(stored: Attachment | EvidenceFile) -> FileResponse:
    """A stored upload as sent: a photo shown in the browser, a PDF downloaded, under its own name."""
    return FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=stored.content_type == "application/pdf",
        filename=stored.original_name,
    )


@extend_schema(
    tags=["tickets"],
    responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS[404]},
)
class TicketAttachmentView(APIView):
    """Download an attachment of a handling note — only for those who may see the ticket."""

    def get(self, request: Request, ticket_no: str, attachment_id: int) -> FileResponse:
        ticket = visible_ticket_or_404(request.user, ticket_no)
        attachment = Attachment.objects.filter(pk=attachment_id, note__ticket=ticket).first()
        if attachment is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("Attachment not found."))
        return _download(attachment)


@extend_schema(
    tags=["tickets"],
    responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS[404]},
)
class TicketEvidenceView(APIView):
    """Download an evidence file of an exclusion request or a reply draft — only for those who may see
    the ticket."""

    def get(self, request: Request, ticket_no: str, evidence_id: int) -> FileResponse:
        ticket = visible_ticket_or_404(request.user, ticket_no)
        evidence = EvidenceFile.objects.filter(pk=evidence_id, ticket=ticket).first()
        if evidence is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("Evidence file not found."))
        return _download(evidence)

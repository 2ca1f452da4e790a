"""The proactive API: similar tickets, hot spots and proactive cases. Thin: parse, call one domain
function, render."""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch import access
from dispatch.access import street_ids, visible_tickets
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode
from jxq_cases.lib.jobs import enqueue
from proactive import cases
from proactive.hotspots import hotspots_between
from proactive.models import HotSpot
from proactive.serializers import (
    CaseCloseSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseLinkedSerializer,
    CaseListSerializer,
    CaseMeasureSerializer,
    HotSpotDetailSerializer,
    HotSpotListSerializer,
    HotSpotRunQueuedSerializer,
    HotSpotRunRequestSerializer,
    HotSpotSerializer,
    HotSpotWindowSerializer,
    ProactiveCaseSerializer,
    SimilarResponseSerializer,
    SimilarTicketSerializer,
    SuggestionsResponseSerializer,
    TicketLinkSerializer,
)
from proactive.similar import similar_tickets
from proactive.triage_assistant import suggest

ERROR = OpenApiResponse(description='{"code": ..., "detail": ...}')
UNAVAILABLE = OpenApiResponse(description='the job queue is down: {"code": "unavailable", "detail": ...}; try later')


def _require(user, ability: str) -> None:
    """Hot spots are aggregates of the street's tickets: the people who watch the whole street read
    them (``hotspots.read``); the center and the principal leaders may look for them now."""
    if not access.may(user, ability):
        raise DomainError(ErrorCode.FORBIDDEN, _("your role may not do this"))


class SimilarTicketsView(APIView):
    @extend_schema(
        operation_id="ticket_similar",
        summary="Earlier tickets that are probably the same matter, best first",
        responses={200: SimilarResponseSerializer, 404: ERROR},
        tags=["proactive"],
    )
    def get(self, request, ticket_no: str):
        ticket = visible_tickets(request.user).filter(ticket_no=ticket_no).first()
        if ticket is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("ticket %(no)s not found") % {"no": ticket_no})
        found = similar_tickets(ticket, user=request.user)
        return Response(
            {
                "ticket_no": ticket.ticket_no,
                "threshold": settings.PROACTIVE_SAME_MATTER_THRESHOLD,
                "results": SimilarTicketSerializer(found, many=True).data,
            }
        )


class TriageSuggestionsView(APIView):
    @extend_schema(
        operation_id="ticket_suggestions",
        summary="The triage assistant's suggestions: community, category, lead unit, co-handling units",
        description="Each with its confidence and reasons; status `insufficient_history` when there is no "
        "model yet. Only for those who may triage the ticket (the complaint center).",
        responses={200: SuggestionsResponseSerializer, 403: ERROR, 404: ERROR},
        tags=["proactive"],
    )
    def get(self, request, ticket_no: str):
        ticket = visible_tickets(request.user).filter(ticket_no=ticket_no).first()
        if ticket is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("ticket %(no)s not found") % {"no": ticket_no})
        access.require(request.user, "triage_ticket", ticket)
        return Response(suggest(ticket, user=request.user))


class HotSpotListView(APIView):
    @extend_schema(
        operation_id="hotspots_list",
        parameters=[HotSpotWindowSerializer],
        responses={200: HotSpotListSerializer, 400: ERROR, 403: ERROR},
        tags=["proactive"],
    )
    def get(self, request):
        _require(request.user, "hotspots.read")
        params = HotSpotWindowSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        end_on = params.validated_data.get("end_on") or clock.today()
        start_on = params.validated_data.get("start_on") or end_on - timedelta(days=settings.PROACTIVE_HOTSPOT_DAYS - 1)
        found = hotspots_between(start_on, end_on, street_ids=street_ids(request.user))
        return Response({"start_on": start_on, "end_on": end_on, "results": found})


class HotSpotDetailView(APIView):
    @extend_schema(
        operation_id="hotspots_detail",
        responses={200: HotSpotDetailSerializer, 403: ERROR, 404: ERROR},
        tags=["proactive"],
    )
    def get(self, request, pk: int):
        _require(request.user, "hotspots.read")
        # a hot spot is one street's (its tickets are clustered per street): another street's is 404
        mine = HotSpot.objects.filter(hotspotticket__ticket__street_id__in=street_ids(request.user)).distinct()
        hotspot = get_object_or_404(mine.select_related("community", "category"), pk=pk)
        data = HotSpotSerializer(hotspot).data
        data["tickets"] = list(
            visible_tickets(request.user)
            .filter(id__in=hotspot.tickets.values("id"))
            .order_by("received_at")
            .values("ticket_no", "received_at", "content", "address", "status")
        )
        return Response(data)


class HotSpotRunView(APIView):
    """Queue the hot spot job now (it also runs nightly)."""

    @extend_schema(
        operation_id="hotspots_run",
        request=HotSpotRunRequestSerializer,
        responses={202: HotSpotRunQueuedSerializer, 400: ERROR, 403: ERROR, 503: UNAVAILABLE},
        tags=["proactive"],
    )
    def post(self, request):
        _require(request.user, "hotspots.run")
        params = HotSpotRunRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        from proactive.tasks import find_hotspots

        end_on = params.validated_data.get("end_on") or clock.today()
        result = enqueue(find_hotspots, end_on.isoformat(), params.validated_data.get("days"))
        return Response({"task_id": result.id, "end_on": end_on}, status=status.HTTP_202_ACCEPTED)


def _case_for(request, pk: int):
    case = cases.visible_cases(request.user).filter(pk=pk).first()
    if case is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("proactive case %(id)s not found") % {"id": pk})
    return case


def _case_body(case) -> dict:
    data = ProactiveCaseSerializer(case).data
    data["volume"] = cases.case_volume(case)
    return data


class CaseListView(APIView):
    @extend_schema(operation_id="proactive_cases_list", responses={200: CaseListSerializer}, tags=["proactive"])
    def get(self, request):
        found = cases.visible_cases(request.user).select_related("community", "category", "created_by", "opened_by")
        return Response(
            {"results": ProactiveCaseSerializer(found.prefetch_related("units", "tickets", "measures"), many=True).data}
        )

    @extend_schema(
        operation_id="proactive_cases_create",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, 400: ERROR, 403: ERROR},
        tags=["proactive"],
    )
    def post(self, request):
        _require(request.user, "cases.create")  # who first (403), then what (400)
        body = CaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = cases.create_case(
            actor=request.user,
            title=data["title"],
            hotspot=data.get("hotspot"),
            keywords=data.get("keywords"),
            community=data.get("community"),
            category=data.get("category"),
            units=data.get("units", []),
            ticket_nos=data.get("tickets", []),
        )
        return Response(_case_body(case), status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    @extend_schema(
        operation_id="proactive_cases_detail",
        responses={200: CaseDetailSerializer, 404: ERROR},
        tags=["proactive"],
    )
    def get(self, request, pk: int):
        return Response(_case_body(_case_for(request, pk)))


class CaseOpenView(APIView):
    @extend_schema(
        operation_id="proactive_cases_open",
        request=None,
        responses={200: CaseDetailSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
        tags=["proactive"],
    )
    def post(self, request, pk: int):
        case = cases.open_case(_case_for(request, pk), actor=request.user)
        return Response(_case_body(case))


class CaseMeasureView(APIView):
    @extend_schema(
        operation_id="proactive_cases_add_measure",
        request=CaseMeasureSerializer,
        responses={201: CaseMeasureSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        tags=["proactive"],
    )
    def post(self, request, pk: int):
        case = _case_for(request, pk)
        body = CaseMeasureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        measure = cases.add_measure(case, actor=request.user, **body.validated_data)
        return Response(CaseMeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


class CaseTicketsView(APIView):
    @extend_schema(
        operation_id="proactive_cases_link_tickets",
        request=TicketLinkSerializer,
        responses={200: CaseLinkedSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        tags=["proactive"],
    )
    def post(self, request, pk: int):
        case = _case_for(request, pk)
        body = TicketLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        added = cases.link_tickets(case, actor=request.user, ticket_nos=body.validated_data["tickets"])
        return Response({"added": added, **_case_body(case)})


class CaseCloseView(APIView):
    @extend_schema(
        operation_id="proactive_cases_close",
        request=CaseCloseSerializer,
        responses={200: CaseDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        tags=["proactive"],
    )
    def post(self, request, pk: int):
        body = CaseCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = cases.close_case(
            _case_for(request, pk), actor=request.user, conclusion=body.validated_data["conclusion"]
        )
        return Response(_case_body(case))

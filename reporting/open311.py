"""Open311 GeoReport v2, read only, for open-data users (docs/geography.md).

``GET /open311/v2/services.json`` lists the categories as services; ``GET /open311/v2/requests.json``
and ``GET /open311/v2/requests/{service_request_id}.json`` give the street's requests with public
fields only: the category, open or closed, the community (its name as the address and a point inside
its boundary as lat/long), the dates and the public reply the center wrote (else a fixed status
note). Never a name, a phone number, the caller's words, the address or the ticket's own point. No
sign-in; JSON only (the spec's XML is not offered: a ``.xml`` URL is simply not found).

Filters of requests.json, as the spec has them: ``service_request_id`` (comma-separated; when given
the other filters are ignored), ``service_code`` (comma-separated), ``start_date``/``end_date``
(W3C/ISO 8601 date-times; by default the last 90 days), ``status`` (``open``, ``closed`` or both,
comma-separated). At most 1000 requests, newest first. A bad parameter is answered 400 with the
spec's error list ``[{"code": 400, "description": …}]``.

Public like the public report, so guarded like it (docs/performance.md, "Anonymous pages"): an answer
is kept in the cache for ``PUBLIC_CACHE_SECONDS``, keyed by the parsed question (not the raw query
string) in the current generation of ``jxq_cases.lib.public_cache``, and one address may ask the three
URLs together ``PUBLIC_RATE_LIMIT`` times (django-ratelimit) before it is answered 429 in the spec's
error list, with ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from intake.models import GONE, REPLY_SENT, Category, Ticket
from jxq_cases.lib import clock, public_cache
from org.models import CommunityArea
from reporting.views import public_rate

DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
YEARS = (1900, 9000)  # dates outside are refused
CLOSED = REPLY_SENT
# the note published: the center's public reply once it has written one (Ticket.public_reply), else
# the street's fixed words for the status -- never the reply to the caller, which may name people
STATUS_NOTES = {"open": "办理中", "closed": "已办结并答复"}
# the fields of a request in the spec, in its order; tests compare with this list
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")


class BadRequest(Exception):
    pass


def _error(description: str, status: int = 400) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


def _iso(moment: dt.datetime | None) -> str | None:
    return clock.local(moment).isoformat(timespec="seconds") if moment else None


def _moment(text: str, name: str, *, end: bool = False) -> dt.datetime:
    try:  # None when the text is not shaped like one; ValueError when it is, with no such day or hour
        moment = parse_datetime(text)
        day = parse_date(text) if moment is None else None
    except ValueError:
        moment = day = None
    found = moment or day
    if found is None:
        raise BadRequest(f"{name} is not a W3C date-time: {text!r}")
    if not YEARS[0] <= found.year <= YEARS[1]:  # far years overflow in the time zone shift
        raise BadRequest(f"{name} is out of range: {text!r}")
    if moment is None:
        start, stop = clock.day_bounds(found)
        return stop if end else start
    return moment if moment.tzinfo else clock.assume_local(moment)


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.parent.name if category.parent else "",
    }


def _as_request(ticket: Ticket, centers: dict[int, tuple[float, float]]) -> dict[str, Any]:
    status = "closed" if ticket.status in CLOSED else "open"
    community_id = ticket.place_community_id or ticket.community_id
    community = ticket.place_community or ticket.community
    center = centers.get(community_id) if community_id else None
    category = ticket.category
    updated = max(m for m in (ticket.received_at, ticket.replied_at, ticket.closed_at) if m is not None)
    return {
        "service_request_id": ticket.ticket_no,
        "status": status,
        "status_notes": (status == "closed" and ticket.public_reply) or STATUS_NOTES[status],
        "service_name": category.name if category else "",
        "service_code": str(ticket.category_id) if ticket.category_id else "",
        "description": "",  # the caller's words may name people: not published
        "agency_responsible": ticket.street.name,  # the ticket's street (docs/district.md)
        "service_notice": "",
        "requested_datetime": _iso(ticket.received_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": None,
        "address": community.name if community else "",
        "address_id": None,
        "zipcode": None,
        "lat": center[1] if center else None,
        "long": center[0] if center else None,
        "media_url": None,
    }


def _published() -> QuerySet[Ticket]:
    return (
        Ticket.objects.exclude(status__in=GONE)
        .select_related("category", "community", "place_community", "street")
        .only(
            "ticket_no",
            "street__name",
            "status",
            "received_at",
            "replied_at",
            "closed_at",
            "public_reply",
            "category__name",
            "community__name",
            "place_community__name",
        )
    )


def _centers() -> dict[int, tuple[float, float]]:
    return {a.community_id: (a.center_lon, a.center_lat) for a in CommunityArea.objects.all()}


@dataclass(frozen=True)
class Question:
    """What requests.json is asked, parsed: the cache's key and the query's filters."""

    ids: tuple[str, ...] = ()
    codes: tuple[int, ...] = ()
    start: dt.datetime | None = None  # None: the default window, ending now
    end: dt.datetime | None = None
    statuses: frozenset[str] = frozenset()

    def key(self) -> str:
        if self.ids:
            return "ids=" + ",".join(self.ids)
        moments = [m.isoformat() if m else "-" for m in (self.start, self.end)]
        return "|".join([",".join(map(str, self.codes)), *moments, ",".join(sorted(self.statuses))])


def _question(params: QueryDict) -> Question:
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        return Question(ids=tuple(sorted(set(ids[:MAX_REQUESTS]))))
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    if not all(c.isascii() and c.isdigit() and len(c) <= 18 for c in codes):  # a longer one overflows SQLite
        raise BadRequest("service_code must be codes from services.json")
    end_text, start_text = params.get("end_date") or "", params.get("start_date") or ""
    end = _moment(end_text, "end_date", end=True) if end_text else None
    start = _moment(start_text, "start_date") if start_text else None
    if start and start > (end or clock.now()):
        raise BadRequest("start_date is after end_date")
    statuses = frozenset(s.strip() for s in (params.get("status") or "").split(",") if s.strip())
    if statuses - {"open", "closed"}:
        raise BadRequest("status must be open, closed or both")
    if statuses == {"open", "closed"}:
        statuses = frozenset()  # both is no filter
    return Question(codes=tuple(sorted({int(c) for c in codes})), start=start, end=end, statuses=statuses)


def _filtered(question: Question) -> QuerySet[Ticket]:
    tickets = _published()
    if question.ids:
        return tickets.filter(ticket_no__in=question.ids)
    if question.codes:
        tickets = tickets.filter(category_id__in=question.codes)
    end = question.end or clock.now()
    start = question.start or end - dt.timedelta(days=DEFAULT_DAYS)
    tickets = tickets.filter(received_at__gte=start, received_at__lte=end)
    if question.statuses == {"open"}:
        tickets = tickets.exclude(status__in=CLOSED)
    elif question.statuses == {"closed"}:
        tickets = tickets.filter(status__in=CLOSED)
    return tickets


def _cached(name: str, compute: Callable[[], list[dict[str, Any]] | None]) -> list[dict[str, Any]] | None:
    """The answer kept in the public cache's current generation (``None``, not found, is kept too)."""
    key = public_cache.key("open311", name)
    found = cache.get(key)
    if found is None:
        found = {"answer": compute()}
        cache.set(key, found, settings.PUBLIC_CACHE_SECONDS)
    return found["answer"]


def _guarded(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """GET only, one rate count per address for the three URLs, public HTTP caching."""

    @require_GET
    @ratelimit(key="ip", rate=public_rate, group="open311", block=False)
    @cache_control(public=True, max_age=300)
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if getattr(request, "limited", False):
            response = _error(
                gettext("Too many requests from your address in a short time. Please wait a minute and try again."),
                429,
            )
            response["Retry-After"] = "60"
            return response
        return view(request, *args, **kwargs)

    return guarded


def _services() -> list[dict[str, Any]]:
    # the categories in use or at the leaves; EXISTS, not a join to the tickets made distinct again
    # (a public URL: that join read every ticket of the street on each request)
    used = Exists(Ticket.objects.filter(category=OuterRef("pk")))
    leaf = ~Exists(Category.objects.filter(parent=OuterRef("pk")))
    categories = Category.objects.select_related("parent").filter(used | leaf)
    return [_service(c) for c in categories.order_by("name")]


@_guarded
def services(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_cached("services", _services), safe=False)


@_guarded
def requests(request: HttpRequest) -> JsonResponse:
    try:
        question = _question(request.GET)
    except BadRequest as error:
        return _error(str(error))

    def compute() -> list[dict[str, Any]]:
        centers = _centers()
        found = _filtered(question).order_by("-received_at", "-id")[:MAX_REQUESTS]
        return [_as_request(t, centers) for t in found]

    return JsonResponse(_cached("requests:" + question.key(), compute), safe=False)


@_guarded
def single_request(request: HttpRequest, service_request_id: str) -> JsonResponse:
    def compute() -> list[dict[str, Any]] | None:
        ticket = _published().filter(ticket_no=service_request_id).first()
        return None if ticket is None else [_as_request(ticket, _centers())]

    answer = _cached("request:" + service_request_id, compute)
    if answer is None:
        return _error(f"no service request {service_request_id}", 404)
    return JsonResponse(answer, safe=False)

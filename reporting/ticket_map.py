"""The map of the street's tickets (docs/geography.md): counts by grid cell and by community, hot spots
by place, and the points of the overdue and supervised tickets, for a period and a category.

Everything is counted in a few aggregate queries over the tickets the user may see
(``dispatch.access.visible_tickets``) through the drill-down vocabulary (``reporting.drilldown``),
so a click on a cell lists exactly the tickets that were counted.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from dispatch import access
from intake.models import AWAITING_REPLY, IN_FLIGHT, Category, Ticket
from jxq_cases.lib import clock
from org.models import CommunityArea, GridCell
from proactive.hotspots import place_hotspots
from reporting.drilldown import filter_q, period_filter, tickets_matching

if TYPE_CHECKING:
    from dispatch.access import AnyUser

DEFAULT_DAYS = 30
# the longest period drawn: the map is for recent weeks and months; a decade asked for would count the
# street's whole history at each click (a longer one is cut to the year ending on its last day)
MAX_DAYS = 366
MAX_POINTS = 500  # the points drawn: the overdue and supervised tickets in flight, newest first


def _overdue(now: dt.datetime) -> Q:
    """Open and past its handling or first-contact deadline at ``now`` (the drill-down's words)."""
    return filter_q({"handle_overdue_at": now.isoformat()}) | filter_q({"contact_overdue_at": now.isoformat()})


def _counts(tickets: QuerySet[Ticket], key: str, overdue: Q) -> dict[int, dict[str, Any]]:
    rows = (
        tickets.filter(**{f"{key}__isnull": False})
        .values(key)
        .annotate(
            tickets=Count("id"),
            open=Count("id", filter=Q(status__in=AWAITING_REPLY)),
            overdue=Count("id", filter=overdue),
            supervised=Count("id", filter=filter_q({"supervised": True, "open": True})),
        )
    )
    return {row.pop(key): row for row in rows}


def ticket_map(
    user: AnyUser,
    start_on: dt.date,
    end_on: dt.date,
    *,
    category: Category | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the map draws for this user, period and category (JSON-ready)."""
    now = now or timezone.now()
    extra = {"category": category.pk} if category else {}
    spec = period_filter(start_on, end_on, **extra)
    visible = access.visible_tickets(user)
    tickets = tickets_matching(spec, base=visible)
    overdue = _overdue(now)
    by_cell = _counts(tickets, "grid_cell", overdue)
    by_community = _counts(tickets, "place_community", overdue)
    streets = access.street_ids(user)  # the user's streets' cells and communities (docs/district.md)
    cells = []
    for cell in GridCell.objects.filter(community__street_id__in=streets).select_related("community").order_by("code"):
        counts = by_cell.get(cell.pk, {"tickets": 0, "open": 0, "overdue": 0, "supervised": 0})
        cells.append(
            {
                "id": cell.pk,
                "code": cell.code,
                "name": cell.name,
                "community": cell.community.name,
                "grid_worker": cell.grid_worker,
                "center": [cell.center_lon, cell.center_lat],
                **counts,
                "filter": {**spec, "grid_cell": cell.pk},
            }
        )
    communities = []
    for area in CommunityArea.objects.filter(community__street_id__in=streets).select_related("community"):
        counts = by_community.get(area.community_id, {"tickets": 0, "open": 0, "overdue": 0, "supervised": 0})
        communities.append(
            {
                "id": area.community_id,
                "name": area.community.name,
                **counts,
                "filter": {**spec, "place_community": area.community_id},
            }
        )
    points = (
        tickets.filter(place_lon__isnull=False, status__in=IN_FLIGHT)
        .filter(overdue | filter_q({"supervised": True}))
        .annotate(is_overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .order_by("-received_at")
        .values("ticket_no", "place_lon", "place_lat", "supervision", "is_overdue")[:MAX_POINTS]
    )
    return {
        "start_on": start_on.isoformat(),
        "end_on": end_on.isoformat(),
        "category": category.name if category else "",
        "is_demo": GridCell.objects.filter(is_demo=True).exists(),
        "total": tickets.count(),
        "unplaced": tickets.filter(place_community__isnull=True).count(),
        "cells": cells,
        "communities": communities,
        "hotspots": place_hotspots(end_on, category_id=category.pk if category else None, base=visible),
        "points": [
            {
                "ticket_no": p["ticket_no"],
                "lon": p["place_lon"],
                "lat": p["place_lat"],
                "overdue": bool(p["is_overdue"]),
                "supervised": bool(p["supervision"]),
            }
            for p in points
        ],
    }


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or clock.today()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def map_period(start_on: dt.date, end_on: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for, in order, and at most ``MAX_DAYS`` long (ending on its last day)."""
    start_on, end_on = min(start_on, end_on), max(start_on, end_on)
    return max(start_on, end_on - dt.timedelta(days=MAX_DAYS - 1)), end_on

"""The daily ranking (日监控排名), the weekly analysis (周调度分析) and the monthly bulletin (月总结通报).

Each ``take_*`` function computes one period in the database and stores it as that period's
snapshot, replacing an earlier one: the Celery tasks in ``reporting.tasks`` only call these.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

from django.db.models import Count, F, OuterRef, Q, Subquery

from dispatch.models import TicketEvent
from dispatch.workflow import submit_reply_draft
from intake.models import Source
from jxq_cases.lib import clock
from org.models import Street, User
from org.streets import street_named
from proactive.hotspots import hotspots_between
from reporting.drilldown import period_filter
from reporting.models import Job, Snapshot
from reporting.pre_visits import pre_visit_agreement
from reporting.rates import (
    COUNTED,
    DOUBLE_NO,
    MEASURES,
    PolicyBook,
    Ranking,
    percent,
    period_tickets,
    range_score,
    unit_ranking,
)
from reporting.snapshots import number, ranking_json, score_json, standing_json, store_snapshot

TOP = 10
BEST_HANDLERS = 3


# --- daily ranking --------------------------------------------------------------------------------


def build_daily_ranking(on: dt.date, street: Street | None = None) -> dict:
    """The units' month-to-date league table as of the end of ``on`` (default: the only street)."""
    street = street if street is not None else street_named(None)
    first = clock.month_start(on)
    return {
        "on": on.isoformat(),
        "street": score_json(range_score(first, on, street=street)),
        "ranking": ranking_json(unit_ranking(first, on, street=street)),
    }


def take_daily_ranking(on: dt.date, street: Street | None = None) -> Snapshot:
    street = street if street is not None else street_named(None)
    return store_snapshot(Job.DAILY_RANKING, on, on, lambda: build_daily_ranking(on, street), street=street)


# --- weekly analysis ------------------------------------------------------------------------------


def _week_totals(start_on: dt.date, end_on: dt.date, street: Street) -> dict:
    counts = period_tickets(start_on, end_on, street=street).aggregate(**MEASURES)
    return {
        **counts,
        "resolution": number(percent(counts["resolved"], counts["counted"])),
        "satisfaction": number(percent(counts["satisfied"], counts["counted"])),
        "response": number(percent(counts["responded"], counts["counted"])),
        "filter": period_filter(start_on, end_on, street=street.pk),
    }


def _change(now: int, before: int) -> float | None:
    return number(percent(now - before, before)) if before else None


def _top(
    start_on: dt.date, end_on: dt.date, previous: tuple[dt.date, dt.date], key: str, name: str, street: Street
) -> list[dict]:
    """The most frequent values of ``key`` this week with last week's count beside, two grouped queries."""
    this_week = list(
        period_tickets(start_on, end_on, street=street)
        .values(key, label=F(name))
        .annotate(count=Count("id"))
        .order_by("-count", "label")[:TOP]
    )
    ids = [row[key] for row in this_week]
    before = dict(
        period_tickets(*previous, street=street)
        .filter(**{f"{key}__in": [i for i in ids if i is not None]})
        .values(key)
        .annotate(count=Count("id"))
        .values_list(key, "count")
    )
    filter_key = key.removesuffix("_id")
    return [
        {
            "id": row[key],
            "name": row["label"],
            "count": row["count"],
            "previous": before.get(row[key], 0),
            "change": _change(row["count"], before.get(row[key], 0)),
            "filter": {**period_filter(start_on, end_on, street=street.pk), filter_key: row[key]},
        }
        for row in this_week
        if row[key] is not None
    ]


def build_weekly(monday: dt.date, street: Street | None = None, *, today: dt.date | None = None) -> dict:
    """The week Monday..Sunday against the week before: totals and rates, daily intake, top
    categories and communities (with last week's counts), and the hot spots of the week."""
    street = street if street is not None else street_named(None)
    sunday = monday + dt.timedelta(days=6)
    # A week still under way (the current one) is compared with the same days of the week before:
    # Monday..today against Monday..the same weekday, never a part week against a whole one.
    through = min(sunday, max(today or clock.today(), monday))
    days_compared = (through - monday).days + 1
    previous = (monday - dt.timedelta(days=7), through - dt.timedelta(days=7))
    this_week, last_week = _week_totals(monday, through, street), _week_totals(*previous, street)
    by_day = {
        row["day"]: row
        for row in period_tickets(monday, sunday, street=street)
        .annotate(day=clock.trunc_day("received_at"))
        .values("day")
        .annotate(total=Count("id"), city=Count("id", filter=Q(source=Source.CITY)))
        .order_by()
    }
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    return {
        "from": monday.isoformat(),
        "to": sunday.isoformat(),
        "through": through.isoformat(),
        "days_compared": days_compared,
        "this_week": this_week,
        "last_week": last_week,
        "trend": {
            "total_change": _change(this_week["total"], last_week["total"]),
            "counted_change": _change(this_week["counted"], last_week["counted"]),
            "double_no_change": this_week["double_no"] - last_week["double_no"],
        },
        "days": [
            {
                "day": day.isoformat(),
                "total": by_day.get(day, {}).get("total", 0),
                "city": by_day.get(day, {}).get("city", 0),
                "filter": period_filter(day, day, street=street.pk),
            }
            for day in days
        ],
        "top_categories": _top(monday, through, previous, "category_id", "category__name", street),
        "top_communities": _top(monday, through, previous, "community_id", "community__name", street),
        "hot_spots": hotspots_between(monday, sunday, street_ids={street.pk})[:TOP],
    }


def take_weekly_analysis(monday: dt.date, street: Street | None = None) -> Snapshot:
    monday = clock.week_start(monday)
    street = street if street is not None else street_named(None)
    return store_snapshot(
        Job.WEEKLY, monday, clock.week_end(monday), lambda: build_weekly(monday, street), street=street
    )


# --- monthly bulletin -----------------------------------------------------------------------------


def units_to_interview(ranking: Ranking) -> list[dict]:
    """High volume and low rank: ranked units in the bottom third whose volume (tickets led) is at
    least the median volume of the ranked units. Inspectors interview them (约谈)."""
    ranked = ranking.ranked
    if len(ranked) < 2:
        return []
    median_volume = statistics.median(s.score.counts["total"] for s in ranked)
    bottom_from = len(ranked) - math.ceil(len(ranked) / 3)
    return [
        {**standing_json(s), "median_volume": median_volume}
        for position, s in enumerate(ranked)
        if position >= bottom_from and s.score.counts["total"] >= median_volume
    ]


def best_handler_candidates(first: dt.date, last: dt.date, min_counted: int, street: Street) -> list[dict]:
    """Handlers whose counted tickets of the month went best: the handler of a ticket is who
    submitted its latest reply draft. Ranked by double-yes share, then fewer double-no, then volume;
    at least ``min_counted`` counted tickets to be a candidate (the ranking's fairness rule)."""
    latest_drafter = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=submit_reply_draft.action.event_kind)
        .order_by("-at", "-id")
        .values("actor")[:1]
    )
    rows = (
        period_tickets(first, last, street=street)
        .filter(COUNTED)
        .annotate(handler_id=Subquery(latest_drafter))
        .filter(handler_id__isnull=False)
        .values("handler_id")
        .annotate(
            counted=Count("id"),
            double_yes=Count("id", filter=Q(visit_resolved=True, visit_satisfied=True)),
            double_no=Count("id", filter=DOUBLE_NO),
        )
        .order_by()
    )
    candidates = [r for r in rows if r["counted"] >= min_counted]
    users = {
        u.pk: u for u in User.objects.filter(pk__in=[r["handler_id"] for r in candidates]).prefetch_related("units")
    }
    candidates.sort(key=lambda r: (-r["double_yes"] / r["counted"], r["double_no"], -r["counted"], r["handler_id"]))
    return [
        {
            "user_id": r["handler_id"],
            "name": str(users[r["handler_id"]]),
            "units": [u.name for u in users[r["handler_id"]].units.all()],
            "counted": r["counted"],
            "double_yes": r["double_yes"],
            "double_no": r["double_no"],
            "double_yes_rate": number(percent(r["double_yes"], r["counted"])),
        }
        for r in candidates[:BEST_HANDLERS]
    ]


def build_monthly(month: dt.date, street: Street | None = None) -> dict:
    street = street if street is not None else street_named(None)
    first, last = clock.month_start(month), clock.month_end(month)
    policies = PolicyBook(street=street)
    score = range_score(first, last, policies=policies, street=street)
    ranking = unit_ranking(first, last, policies=policies, street=street)
    return {
        "month": first.strftime("%Y-%m"),
        "from": first.isoformat(),
        "to": last.isoformat(),
        "street": score_json(score),
        "policy": str(policies.for_month(first)),
        "ranking": ranking_json(ranking),
        "best_unit": standing_json(ranking.ranked[0]) if ranking.ranked else None,
        "best_handlers": best_handler_candidates(first, last, ranking.min_counted, street),
        "units_to_interview": units_to_interview(ranking),
        "pre_visits": pre_visit_agreement(first, last, street),
        "filter": period_filter(first, last, street=street.pk),
    }


def take_monthly_bulletin(month: dt.date, street: Street | None = None) -> Snapshot:
    first = clock.month_start(month)
    street = street if street is not None else street_named(None)
    return store_snapshot(
        Job.MONTHLY, first, clock.month_end(first), lambda: build_monthly(first, street), street=street
    )

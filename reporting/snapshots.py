"""Storing the batch jobs' results: one snapshot per job and period, replaced when the job reruns,
and the plain-JSON shapes of the scores the snapshots hold.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from org.models import Street
from org.streets import street_named
from reporting.drilldown import period_filter
from reporting.models import Job, Snapshot
from reporting.rates import MonthScore, RangeScore, Ranking, UnitStanding


def number(value: Decimal | None) -> float | None:
    """A rounded Decimal as a JSON number (the two decimals survive: 97.01 stays 97.01)."""
    return None if value is None else float(value)


def score_json(score: RangeScore) -> dict:
    return {
        **score.counts,
        "response": number(score.response),
        "resolution": number(score.resolution),
        "satisfaction": number(score.satisfaction),
        "composite": number(score.composite),
        "pooled_response": number(score.pooled_response),
        "pooled_resolution": number(score.pooled_resolution),
        "pooled_satisfaction": number(score.pooled_satisfaction),
    }


def month_json(month: MonthScore) -> dict:
    return {
        "month": month.month.strftime("%Y-%m"),
        **month.counts,
        "response": number(month.response),
        "resolution": number(month.resolution),
        "satisfaction": number(month.satisfaction),
        "adjustment": number(month.adjustment),
        "composite": number(month.composite),
    }


def standing_json(standing: UnitStanding) -> dict:
    score = standing.score
    return {
        "rank": standing.rank,
        "unit_id": standing.unit_id,
        "unit": standing.unit_name,
        "kind": standing.unit_kind,
        **score_json(score),
        "adjustment": number(sum((m.adjustment for m in score.months), Decimal(0))),
        # the tickets behind the row: this unit's tickets of the period
        "filter": period_filter(score.start_on, score.end_on, lead_unit=standing.unit_id),
        "counted_filter": period_filter(score.start_on, score.end_on, lead_unit=standing.unit_id, counted=True),
        "double_no_filter": period_filter(score.start_on, score.end_on, lead_unit=standing.unit_id, double_no=True),
    }


def ranking_json(ranking: Ranking) -> dict:
    return {
        "from": ranking.start_on.isoformat(),
        "to": ranking.end_on.isoformat(),
        "min_counted": ranking.min_counted,
        "ranked": [standing_json(s) for s in ranking.ranked],
        "apart": [standing_json(s) for s in ranking.apart],
    }


def store_snapshot(
    job: Job, period_start: dt.date, period_end: dt.date, build: Callable[[], dict], *, street: Street
) -> Snapshot:
    """Run ``build`` and store its result as the street's snapshot of the job and period, replacing
    any earlier one: running a job twice for a period leaves one snapshot (the unique constraint
    guarantees it)."""
    started = time.monotonic()
    data = build()
    duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        snapshot, _ = Snapshot.objects.update_or_create(
            street=street,
            job=job,
            period_start=period_start,
            defaults={
                "period_end": period_end,
                "data": data,
                "computed_at": timezone.now(),
                "duration_ms": duration_ms,
            },
        )
    return snapshot


def latest_snapshot(job: Job, *, street: Street | None = None, on_or_before: dt.date | None = None) -> Snapshot | None:
    """The newest snapshot of a job (for the pages): the last period starting on or before a date, of
    ``street`` (default: the only street)."""
    snapshots = Snapshot.objects.filter(job=job, street=street if street is not None else street_named(None))
    if on_or_before is not None:
        snapshots = snapshots.filter(period_start__lte=on_or_before)
    return snapshots.order_by("-period_start").first()

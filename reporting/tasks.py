"""The reporting batch jobs as thin Celery tasks: parse the date, call one function, return the id.

Each job replaces its period's snapshot, so a retry or a second run changes nothing but the
timestamp. Database and broker hiccups are retried with backoff. Dates are ISO strings
(YYYY-MM-DD, the street's dates); without one, each job takes the period the beat schedule means.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError

from jxq_cases.lib import clock, public_cache
from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis
from reporting.nightly import take_nightly_snapshot

RETRY = {
    # connection trouble (database restarting, broker blip) is worth a retry; a bug is not
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    # a retry waits in a worker, unacknowledged, for its countdown: kept under the broker's
    # visibility timeout (CELERY_VISIBILITY_TIMEOUT) so that Redis does not hand it out twice
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


def _day(value: str | None, default: dt.date) -> dt.date:
    return dt.date.fromisoformat(value) if value else default


@shared_task(name="reporting.nightly_snapshot", **RETRY)
def nightly_snapshot(on: str | None = None, trend_from: str | None = None) -> int:
    """REPORTING_NIGHTLY_AT (22:30): the leadership snapshot of the day (default today), ready for 23:00."""
    start = dt.date.fromisoformat(trend_from) if trend_from else None
    snapshot = take_nightly_snapshot(_day(on, clock.today()), trend_from=start)
    public_cache.figures_changed()  # the anonymous pages compute their figures again after the night's job
    return snapshot.pk


@shared_task(name="reporting.daily_ranking", **RETRY)
def daily_ranking(on: str | None = None) -> int:
    """The units' month-to-date ranking as of a day (default today)."""
    return take_daily_ranking(_day(on, clock.today())).pk


@shared_task(name="reporting.weekly_analysis", **RETRY)
def weekly_analysis(week_of_day: str | None = None) -> int:
    """Monday morning: the analysis of the week holding the given day (default last week)."""
    return take_weekly_analysis(clock.week_start(_day(week_of_day, clock.today() - dt.timedelta(days=7)))).pk


@shared_task(name="reporting.monthly_bulletin", **RETRY)
def monthly_bulletin(month: str | None = None) -> int:
    """On the 1st: the bulletin of the month holding the given day (default last month)."""
    last_month = clock.month_start(clock.today()) - dt.timedelta(days=1)
    return take_monthly_bulletin(_day(month, last_month)).pk


@shared_task(name="reporting.leaders_digest")
def leaders_digest() -> int:
    """15 minutes after the snapshot (22:45): each leader's evening figures, in-app and by their channels.
    Not retried: a second run would tell the leaders twice."""
    from reporting.tonight import send_leaders_digest

    return send_leaders_digest()

"""The reporting batch jobs as thin Celery tasks: parse the date, call one function, return the id.

Each job replaces its period's snapshot, so a retry or a second run changes nothing but the
timestamp. Database and broker hiccups are retried with backoff. Dates are ISO strings
(YYYY-MM-DD, the street's dates); without one, each job takes the period the beat schedule means.

Every job is one street's (``street_id``; default the only street). The beat runs
``reporting.every_street``, which queues a job once per street as a Celery group of independent
tasks: several workers share a district's night, and one street's failure (retried, then logged)
does not stop the others (docs/district.md, "Jobs per street").
"""

from __future__ import annotations

import datetime as dt

from celery import group, shared_task, signature
from django.db import InterfaceError, OperationalError

from jxq_cases.lib import clock, public_cache
from org.models import Street
from org.streets import street_named
from reporting import tally
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


def _street(street_id: int | None) -> Street:
    return Street.objects.get(pk=street_id) if street_id is not None else street_named(None)


# the jobs that run once per street (reporting.every_street)
PER_STREET = (
    "reporting.nightly_snapshot",
    "reporting.daily_ranking",
    "reporting.weekly_analysis",
    "reporting.monthly_bulletin",
)


@shared_task(name="reporting.every_street", **RETRY)
def every_street(task_name: str, *args: str, queue: str | None = None) -> list[int]:
    """Queue ``task_name`` (one of PER_STREET, or any task taking ``street_id``) once per street, as a
    group of independent tasks (no chord: nothing waits for all of them, and a street's failure is
    its own task's); returns the streets' ids. ``queue``: where to send them (default: the tasks'
    default queue)."""
    streets = list(Street.objects.order_by("name").values_list("pk", flat=True))
    jobs = group(signature(task_name, args=args, kwargs={"street_id": pk}) for pk in streets)
    jobs.apply_async(**({"queue": queue} if queue else {}))
    return streets


@shared_task(name="reporting.nightly_snapshot", **RETRY)
def nightly_snapshot(on: str | None = None, trend_from: str | None = None, street_id: int | None = None) -> int:
    """REPORTING_NIGHTLY_AT (22:30): a street's leadership snapshot of the day (default today), ready for 23:00."""
    start = dt.date.fromisoformat(trend_from) if trend_from else None
    snapshot = take_nightly_snapshot(_day(on, clock.today()), street=_street(street_id), trend_from=start)
    public_cache.figures_changed()  # the anonymous pages compute their figures again after the night's job
    return snapshot.pk


@shared_task(name="reporting.fold_tallies", **RETRY)
def fold_tallies() -> None:
    """Every ten minutes: the ticket changes since the last fold into the monthly tallies (reporting.tally).
    The reports are exact without it (they add the pending changes); it keeps those few."""
    tally.fold()


@shared_task(name="reporting.daily_ranking", **RETRY)
def daily_ranking(on: str | None = None, street_id: int | None = None) -> int:
    """A street's units' month-to-date ranking as of a day (default today)."""
    return take_daily_ranking(_day(on, clock.today()), _street(street_id)).pk


@shared_task(name="reporting.weekly_analysis", **RETRY)
def weekly_analysis(week_of_day: str | None = None, street_id: int | None = None) -> int:
    """Monday morning: a street's analysis of the week holding the given day (default last week)."""
    monday = clock.week_start(_day(week_of_day, clock.today() - dt.timedelta(days=7)))
    return take_weekly_analysis(monday, _street(street_id)).pk


@shared_task(name="reporting.monthly_bulletin", **RETRY)
def monthly_bulletin(month: str | None = None, street_id: int | None = None) -> int:
    """On the 1st: a street's bulletin of the month holding the given day (default last month)."""
    last_month = clock.month_start(clock.today()) - dt.timedelta(days=1)
    return take_monthly_bulletin(_day(month, last_month), _street(street_id)).pk


@shared_task(name="reporting.leaders_digest")
def leaders_digest() -> int:
    """15 minutes after the snapshot (22:45): each leader's evening figures, in-app and by their channels.
    Not retried: a second run would tell the leaders twice."""
    from reporting.tonight import send_leaders_digest

    return send_leaders_digest()

"""``manage.py take_snapshots --job nightly|daily_ranking|weekly|monthly --from YYYY-MM-DD [--to YYYY-MM-DD]``

Run a reporting job by hand for every period of a range (backfilling after an import of past
tickets, or redoing a period after a correction). Each period's snapshot is replaced, as when the
scheduled job runs.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError
from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis
from reporting.models import Job, Snapshot
from reporting.nightly import take_nightly_snapshot
from reporting.report import parse_range

# the job, the first period start of a range, and the next period start
JOBS: dict[Job, tuple[Callable[[dt.date], Snapshot], Callable[[dt.date], dt.date], Callable[[dt.date], dt.date]]] = {
    Job.NIGHTLY: (take_nightly_snapshot, lambda d: d, lambda d: d + dt.timedelta(days=1)),
    Job.DAILY_RANKING: (take_daily_ranking, lambda d: d, lambda d: d + dt.timedelta(days=1)),
    Job.WEEKLY: (take_weekly_analysis, clock.week_start, lambda d: d + dt.timedelta(days=7)),
    Job.MONTHLY: (take_monthly_bulletin, clock.month_start, clock.next_month),
}


class Command(BaseCommand):
    help = "Take the snapshots of a reporting job for every period (day, week or month) of a date range."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", required=True, choices=[job.value for job in JOBS])
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="YYYY-MM-DD (default: the --from date)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start_on, end_on = parse_range(options["start"], options["end"] or options["start"])
        except DomainError as error:
            raise CommandError(error.detail) from None
        take, first, step = JOBS[Job(options["job"])]
        period, taken = first(start_on), 0
        while period <= end_on:
            snapshot = take(period)
            taken += 1
            self.stdout.write(f"{snapshot} ({snapshot.duration_ms} ms)")
            period = step(period)
        self.stderr.write(_("%(count)s snapshots taken.") % {"count": taken})

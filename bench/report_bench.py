"""Benchmark of the reporting jobs against one hand-written SQL statement (issue 4).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_bench DEBUG=1 \\
        .venv/bin/python bench/report_bench.py 1000000 [--days 730] [--repeat 3] [--keep]

Loads N demo tickets with their history (demo.seed.load_tickets: --stories of them played through the
workflow, the rest exact copies of those) into a PostgreSQL database whose name contains "bench" (it
empties the ticket tables first, so it refuses any other database), then times, as the median of
--repeat interleaved rounds:

  (a) the nightly job for all units and all months (take_nightly_snapshot with the trend from the
      first month of the data: one unit × month table over the whole range, plus the day's lists);
  (b) ``manage.py report --format json`` over the whole range;
  (c) the floor: one hand-written SQL statement computing the same per-unit-per-month counts;

and prints all three and the ratios a/c and b/c. With --keep an existing load of exactly N tickets
is reused instead of reloading.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.bench_data import BENCH_STORIES, load_bench_tickets  # noqa: E402
from intake.models import Ticket  # noqa: E402
from jxq_cases.lib import clock  # noqa: E402
from reporting.nightly import take_nightly_snapshot  # noqa: E402

# The floor: the per-unit-per-month counts of reporting.rates.MEASURES, written by hand.
FLOOR_SQL = """
SELECT lead_unit_id,
       date_trunc('month', received_at AT TIME ZONE %s) AS month,
       count(*) AS total,
       count(*) FILTER (WHERE source = 'city') AS city,
       count(*) FILTER (WHERE source = 'district') AS district,
       count(*) FILTER (WHERE visit_counted AND NOT is_excluded) AS counted,
       count(*) FILTER (WHERE visit_counted AND NOT is_excluded AND source = 'city') AS counted_city,
       count(*) FILTER (WHERE visit_counted AND NOT is_excluded AND visit_contacted) AS responded,
       count(*) FILTER (WHERE visit_counted AND NOT is_excluded AND visit_resolved) AS resolved,
       count(*) FILTER (WHERE visit_counted AND NOT is_excluded AND visit_satisfied) AS satisfied,
       count(*) FILTER (WHERE visit_counted AND NOT is_excluded AND NOT visit_resolved AND NOT visit_satisfied)
           AS double_no
  FROM intake_ticket
 WHERE received_at >= %s AND received_at < %s AND status NOT IN ('sent_back', 'merged')
 GROUP BY 1, 2
"""


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse an existing load of exactly COUNT tickets")
    parser.add_argument("--stories", type=int, default=BENCH_STORIES, help="stories played through the workflow")
    args = parser.parse_args()

    load_bench_tickets(
        args.count, args.days, keep=args.keep, also_truncate=("reporting_snapshot",), stories=args.stories
    )
    first_at, last_at = (
        Ticket.objects.order_by("received_at").values_list("received_at", flat=True)[:1][0],
        (Ticket.objects.order_by("-received_at").values_list("received_at", flat=True)[:1][0]),
    )
    first_on, last_on = clock.local_date(first_at), clock.local_date(last_at)
    start_at, end_at = clock.range_bounds(clock.month_start(first_on), last_on)
    print(f"{Ticket.objects.count()} tickets received {first_on} .. {last_on}")

    def nightly():
        take_nightly_snapshot(last_on, trend_from=first_on)

    def report():
        out = StringIO()
        call_command(
            "report", "--from", first_on.isoformat(), "--to", last_on.isoformat(), "--format", "json", stdout=out
        )

    rows = []

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [clock.STREET_TZ.key, start_at, end_at])
            rows[:] = cursor.fetchall()

    floor()  # warm the cache once so that no measurement pays for the first read from disk
    # Interleaved rounds (c, a, b, c, a, b, ...): on a shared machine the three see the same load.
    a_runs, b_runs, c_runs = [], [], []
    for _ in range(args.repeat):
        c_runs.append(timed(floor))
        a_runs.append(timed(nightly))
        b_runs.append(timed(report))
    a, b, c = (statistics.median(runs) for runs in (a_runs, b_runs, c_runs))
    months = len({row[1] for row in rows})
    print(f"floor rows: {len(rows)} (units × months, {months} months)")
    print(f"(a) nightly job, all units and months: {a * 1000:8.0f} ms   runs {[round(x * 1000) for x in a_runs]}")
    print(f"(b) report --format json, whole range: {b * 1000:8.0f} ms   runs {[round(x * 1000) for x in b_runs]}")
    print(f"(c) one hand-written SQL statement:    {c * 1000:8.0f} ms   runs {[round(x * 1000) for x in c_runs]}")
    print(f"a/c = {a / c:.2f}   b/c = {b / c:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark of the reports served from the monthly tallies (reporting.tally) against the same reports
counted from the raw tickets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_summary_bench DEBUG=1 \\
        .venv/bin/python bench/summary_bench.py 1000000 [--days 730] [--repeat 40] [--raw-repeat 5] [--keep]

Loads N demo tickets (``bench.bench_data.load_bench_tickets``: a PostgreSQL database whose name contains
"bench" only; ``--keep`` reuses a load of exactly N), then:

1. times the tallies' upkeep: the full rebuild (what migration 0005's fill costs), the trigger's cost
   on 200 single-ticket updates and on one 10,000-ticket update (each against the same with the
   trigger disabled, then undone), and the fold of the changes those left;
2. requests, through Django's test client (the whole stack), for each range: the public report with
   its cache bypassed (a new cache generation before every request), the district league page as
   the district center, and ``manage.py report --format json`` — ``--repeat`` times from the tallies,
   ``--raw-repeat`` times counting the raw tickets (``reporting.tally.in_use`` patched off: the code
   paths before the tallies), and prints median and p95 (nearest rank) of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.bench_data import BENCH_STORIES, load_bench_tickets  # noqa: E402
from bench.report_pages import report_pages  # noqa: E402
from bench.stats import p95, timed_ms  # noqa: E402
from intake.models import Ticket  # noqa: E402
from jxq_cases.lib import clock  # noqa: E402
from org.models import Street  # noqa: E402
from reporting import tally  # noqa: E402
from reporting.models import MonthlyTallyChange  # noqa: E402


def upkeep() -> None:
    print(f"rebuild (the migration's fill): {timed_ms(tally.rebuild):.0f} ms")
    ids = list(Ticket.objects.filter(visit_counted=True).order_by("id").values_list("id", flat=True)[:10000])
    toggle = "UPDATE intake_ticket SET visit_satisfied = NOT visit_satisfied WHERE id = %s"
    bulk = "UPDATE intake_ticket SET visit_satisfied = NOT visit_satisfied WHERE id = ANY(%s)"
    single: dict[bool, list[float]] = {True: [], False: []}
    many: dict[bool, list[float]] = {True: [], False: []}
    # Inside transactions that are rolled back (no commit to wait for, nothing left changed), with the
    # trigger and without it (disabled inside the transaction), in alternating rounds.
    for _round in range(3):
        for enabled in (True, False):
            with transaction.atomic(), connection.cursor() as cursor:
                if not enabled:
                    cursor.execute("ALTER TABLE intake_ticket DISABLE TRIGGER reporting_tally_update")
                single[enabled] += [timed_ms(cursor.execute, toggle, [pk]) for pk in ids[:200]]
                many[enabled].append(timed_ms(cursor.execute, bulk, [ids]))
                transaction.set_rollback(True)
    for enabled in (True, False):
        label = "with the trigger   " if enabled else "without the trigger"
        print(
            f"{label}: single-ticket update median {statistics.median(single[enabled]):.2f} ms "
            f"p95 {p95(single[enabled]):.2f} ms; one update of {len(ids)} tickets, median of 3: "
            f"{statistics.median(many[enabled]):.0f} ms"
        )
    # the changes a day leaves: 2,000 single-ticket updates, committed, then folded
    with connection.cursor() as cursor:
        for pk in ids[:1000]:
            cursor.execute(toggle, [pk])
            cursor.execute(toggle, [pk])
    pending = MonthlyTallyChange.objects.count()
    print(f"fold of {pending} pending monthly change rows (and their daily ones): {timed_ms(tally.fold):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--raw-repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--stories", type=int, default=BENCH_STORIES)
    parser.add_argument("--skip-upkeep", action="store_true")
    args = parser.parse_args()
    settings.PUBLIC_RATE_LIMIT = "1000000/m"

    load_bench_tickets(args.count, args.days, keep=args.keep, stories=args.stories)
    if not args.skip_upkeep:
        upkeep()
    tally.fold()
    street = Street.objects.order_by("name").first()
    assert street is not None
    today = clock.today()
    last_month = clock.month_start(today) - dt.timedelta(days=1)
    first_on = clock.local_date(Ticket.objects.order_by("received_at").values_list("received_at", flat=True)[0])
    ranges = {
        "this year to date": (today.replace(month=1, day=1), today),
        "the last 12 whole months": (clock.month_start(last_month - dt.timedelta(days=335)), last_month),
        "this month to date": (clock.month_start(today), today),
        "mid-month to mid-month (7 months)": (
            clock.month_start(today - dt.timedelta(days=200)).replace(day=15),
            last_month.replace(day=10),
        ),
        "everything (2 years)": (first_on, today),
    }
    print(f"{Ticket.objects.count()} tickets, street {street.name}, today {today}; load {os.getloadavg()}")
    print(f"{'case':58} {'median ms':>10} {'p95 ms':>8}   {'raw median':>10} {'raw p95':>8}")

    for page_name, page in report_pages():
        for range_name, (start_on, end_on) in ranges.items():
            page(start_on, end_on)  # warm
            fast = [timed_ms(page, start_on, end_on) for _ in range(args.repeat)]
            with mock.patch.object(tally, "in_use", lambda using=None: False):
                page(start_on, end_on)
                raw = [timed_ms(page, start_on, end_on) for _ in range(args.raw_repeat)]
            case = f"{page_name}, {range_name}"
            print(
                f"{case:58} {statistics.median(fast):10.1f} {p95(fast):8.1f}   "
                f"{statistics.median(raw):10.0f} {p95(raw):8.0f}",
                flush=True,
            )
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()

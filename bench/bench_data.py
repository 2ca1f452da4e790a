"""The demo tickets the PostgreSQL benchmarks measure on (imported after django.setup())."""

from __future__ import annotations

import sys
import time

from django.core.management import call_command
from django.db import connection

from demo.accounts import create_demo_accounts
from demo.seed import load_tickets
from intake.models import Ticket

# Stories played through the workflow (~12 ms a step on PostgreSQL, ~100 ms a story); every other
# ticket is an exact copy of one of them moved by whole days (demo/copies.py).
BENCH_STORIES = 500


def load_bench_tickets(
    count: int, days: int, *, keep: bool, also_truncate: tuple[str, ...] = (), stories: int = BENCH_STORIES
) -> None:
    """Load ``count`` demo tickets with their whole history into a PostgreSQL database named *bench*.

    It empties the ticket tables first, so it refuses any other database. With ``keep``, an existing
    load of exactly ``count`` tickets is reused.
    """
    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in database:
        sys.exit(
            f"refusing to run on {connection.vendor} database {database!r}: use a PostgreSQL database named *bench*"
        )
    call_command("migrate", verbosity=0)
    existing = Ticket.objects.count()
    if keep and existing == count:
        print(f"reusing the {existing} tickets already loaded in {database}")
        return
    tables = ", ".join(("intake_ticket", "intake_returnvisit", "intake_importbatch", *also_truncate))
    with connection.cursor() as cursor:
        # the bench database holds nothing but bench data (checked above); CASCADE empties the
        # workflow's tables (events, drafts, requests, notifications) with the tickets
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    create_demo_accounts()
    result = load_tickets(count, days, seed=2023, stories=min(stories, count))
    with connection.cursor() as cursor:
        # what autovacuum does soon after a bulk load: statistics and the visibility map (index-only scans)
        for table in ("intake_ticket", "intake_returnvisit", "dispatch_ticketevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        # and the statistics of every other table the load filled (drafts, notes, requests): without
        # them the planner guesses, e.g. thousands of reply drafts per ticket
        cursor.execute("ANALYZE")
    print(
        f"loaded {result.tickets} tickets ({result.played} stories played, {result.copied} copies) "
        f"in {time.perf_counter() - started:.1f} s"
    )

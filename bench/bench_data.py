"""The demo tickets the PostgreSQL benchmarks measure on (imported after django.setup())."""

from __future__ import annotations

import sys
import time

from django.core.management import call_command
from django.db import connection

from intake.demo import generate_demo_tickets
from intake.models import Ticket


def load_bench_tickets(count: int, days: int, *, keep: bool, also_truncate: tuple[str, ...] = ()) -> None:
    """Load ``count`` demo tickets with their visits into a PostgreSQL database named *bench*.

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
    tables = ", ".join(("intake_ticket", "intake_returnvisit", *also_truncate))
    with connection.cursor() as cursor:
        # the bench database holds nothing but bench data (checked above)
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    result = generate_demo_tickets(count, days, seed=2023)
    with connection.cursor() as cursor:
        # what autovacuum does soon after a bulk load: statistics and the visibility map (index-only scans)
        cursor.execute("VACUUM ANALYZE intake_ticket")
        cursor.execute("VACUUM ANALYZE intake_returnvisit")
    print(f"loaded {result.tickets} tickets and {result.visits} visits in {time.perf_counter() - started:.1f} s")

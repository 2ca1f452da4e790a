"""What ``bench/city_bench.py measure N`` runs (imported after its arguments are read: it sets Django up)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

import django

django.setup()
logging.getLogger("axes").setLevel(logging.WARNING)  # a line per sign-in of the bench's clients

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench.bench_data import load_bench_tickets  # noqa: E402
from bench.report_bench import FLOOR_SQL  # noqa: E402
from bench.report_pages import report_pages  # noqa: E402
from bench.stats import p95, time_page, timed_ms  # noqa: E402
from demo.copies import drop_for_bulk_load, restore_after_bulk_load  # noqa: E402
from dispatch.views.common import MAX_PAGE  # noqa: E402
from intake.models import ReturnVisit, Ticket  # noqa: E402
from jxq_cases.lib import clock  # noqa: E402
from org.models import Unit, UnitKind, User  # noqa: E402
from reporting import tally  # noqa: E402
from reporting.nightly import take_nightly_snapshot  # noqa: E402

WITH_HISTORY = 1_000_000
DAYS = 730


def _columns(cursor, table: str) -> list[str]:
    """The table's columns a row is written with: all but the id and the generated ones."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_generated = 'NEVER' "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def widen(count: int) -> None:
    """Copy the ticket rows, their co-handling units and return visits of the loaded tickets until
    there are ``count``: copy k of ticket i gets the id i + k × (the highest id), its number with
    "-k" appended, the same moments. One transaction: all or nothing."""
    ticket_table = Ticket._meta.db_table
    visit_table = ReturnVisit._meta.db_table
    co_table = Ticket.co_units.through._meta.db_table
    tables = [ticket_table, visit_table, co_table]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute(f"LOCK TABLE {ticket_table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT COUNT(*), MAX(id) FROM {ticket_table}")
        base, span = cursor.fetchone()
        rounds = -(-count // base) - 1
        dropped = drop_for_bulk_load(cursor, tables)
        ticket_columns = [c for c in _columns(cursor, ticket_table) if c not in ("ticket_no", "merged_into_id")]
        visit_columns = [c for c in _columns(cursor, visit_table) if c != "ticket_id"]
        for k in range(1, rounds + 1):
            started = time.perf_counter()
            last = min(base, count - base * k)  # the last round copies only what is missing
            cursor.execute(
                f"INSERT INTO {ticket_table} (id, ticket_no, merged_into_id, {', '.join(ticket_columns)}) "
                f"SELECT id + %(shift)s, ticket_no || %(suffix)s, merged_into_id + %(shift)s, "
                f"{', '.join(ticket_columns)} FROM {ticket_table} WHERE id <= %(span)s ORDER BY id LIMIT %(last)s",
                {"shift": k * span, "suffix": f"-{k}", "span": span, "last": last},
            )
            cursor.execute(
                f"INSERT INTO {visit_table} (ticket_id, {', '.join(visit_columns)}) "
                f"SELECT v.ticket_id + %(shift)s, {', '.join('v.' + c for c in visit_columns)} FROM {visit_table} v "
                f"JOIN {ticket_table} t ON t.id = v.ticket_id + %(shift)s WHERE v.ticket_id <= %(span)s",
                {"shift": k * span, "span": span},
            )
            cursor.execute(
                f"INSERT INTO {co_table} (ticket_id, unit_id) SELECT c.ticket_id + %(shift)s, c.unit_id "
                f"FROM {co_table} c JOIN {ticket_table} t ON t.id = c.ticket_id + %(shift)s "
                f"WHERE c.ticket_id <= %(span)s",
                {"shift": k * span, "span": span},
            )
            print(f"  copy {k}/{rounds}: {last} tickets in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        restore_after_bulk_load(cursor, dropped)
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        rebuilt = f"{len(dropped.indexes)} indexes and {len(dropped.keys)} foreign keys"
        print(f"  {rebuilt} rebuilt in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def load(count: int, keep: bool) -> str:
    """Load ``count`` tickets (see bench/city_bench.py); returns how long it took, or that it was reused."""
    call_command("migrate", verbosity=0)
    if keep and Ticket.objects.count() == count:
        return "(reused)"
    started = time.perf_counter()
    load_bench_tickets(min(count, WITH_HISTORY), DAYS, keep=keep, also_truncate=("reporting_snapshot",))
    if count > WITH_HISTORY:
        widen(count)
    return f"{time.perf_counter() - started:.0f} s"


def measure(client: Client, url: str, requests: int) -> dict:
    """Median and p95 ms of ``url`` and its SQL floor (bench.stats.time_page)."""
    timing = time_page(client, url, requests)
    assert timing.status == 200, (url, timing.status)
    return {"median": timing.median, "p95": timing.p95, "floor": timing.floor, "queries": timing.queries}


def api_deep_page(client: Client, pages: int) -> str:
    """The API list's URL ``pages`` pages deep (its cursor, followed from the first page)."""
    url = "/api/v1/tickets/"
    for _ in range(pages):
        url = client.get(url).json()["next"]
    return url.removeprefix("http://testserver")


def lists(requests: int) -> list[dict]:
    center, handler = Client(), Client()
    center.force_login(User.objects.get(username="center"))
    handler.force_login(User.objects.get(username="handler"))
    unit = Unit.objects.filter(is_center=False, kind=UnitKind.COMMUNITY).order_by("id").first()
    category_id, community_id = (
        Ticket.objects.filter(category__isnull=False, community__isnull=False)
        .order_by("-received_at")
        .values_list("category_id", "community_id")[0]
    )
    ticket = Ticket.objects.filter(status="closed").order_by("-received_at")[500]
    year_ago = (clock.today() - dt.timedelta(days=365)).isoformat()
    drill = json.dumps({"received_from": year_ago, "received_to": clock.today().isoformat(), "double_no": True})
    cases = [
        ("API list, first page", center, "/api/v1/tickets/"),
        ("API list ?status=closed&lead_unit=…", center, f"/api/v1/tickets/?status=closed&lead_unit={unit.name}"),
        ("API list ?ordering=deadline", center, "/api/v1/tickets/?ordering=deadline"),
        ("API list, 100 pages deep (cursor)", center, api_deep_page(center, 100)),
        ("workbench, in flight by deadline, first page", center, "/tickets/"),
        (f"workbench, in flight by deadline, page {MAX_PAGE}", center, f"/tickets/?page={MAX_PAGE}"),
        ("workbench, all, newest first, first page", center, "/tickets/?status=all&sort=-received"),
        (
            f"workbench, all, newest first, page {MAX_PAGE}",
            center,
            f"/tickets/?status=all&sort=-received&page={MAX_PAGE}",
        ),
        (
            "workbench, closed, one category and community",
            center,
            f"/tickets/?status=closed&category={category_id}&community={community_id}&sort=-received",
        ),
        ("unit inbox (community handler)", handler, "/inbox/"),
        ("dashboard drill-down, double-no over a year", center, f"/dashboard/tickets/?filter={drill}"),
        ("ticket page (center)", center, f"/tickets/{ticket.ticket_no}/"),
    ]
    found = []
    for name, client, url in cases:
        figures = measure(client, url, requests)
        found.append({"name": name, "url": url, **figures})
        print(f"{name:52} {figures['median']:8.1f} {figures['p95']:8.1f} {figures['floor']:8.1f}", flush=True)
    return found


def reports(requests: int) -> list[dict]:
    today = clock.today()
    first_on = clock.local_date(Ticket.objects.order_by("received_at").values_list("received_at", flat=True)[0])
    ranges = {"this year to date": (today.replace(month=1, day=1), today), "everything": (first_on, today)}
    found = []
    for page_name, page in report_pages():
        for range_name, (start_on, end_on) in ranges.items():
            page(start_on, end_on)
            times = [timed_ms(page, start_on, end_on) for _ in range(requests)]
            cached = " (not cached)" if page_name == "public report" else ""
            name = f"{page_name}, {range_name}{cached}"
            found.append({"name": name, "median": statistics.median(times), "p95": p95(times), "floor": None})
            print(f"{name:52} {found[-1]['median']:8.1f} {found[-1]['p95']:8.1f}", flush=True)
    return found


def nightly(rounds: int) -> dict:
    first_at = Ticket.objects.order_by("received_at").values_list("received_at", flat=True)[0]
    last_at = Ticket.objects.order_by("-received_at").values_list("received_at", flat=True)[0]
    first_on, last_on = clock.local_date(first_at), clock.local_date(last_at)
    start_at, end_at = clock.range_bounds(clock.month_start(first_on), last_on)

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [clock.STREET_TZ.key, start_at, end_at])
            cursor.fetchall()

    def job() -> None:
        take_nightly_snapshot(last_on, trend_from=first_on)

    floor()  # the first read from disk is nobody's figure
    jobs, floors = [], []
    for _ in range(rounds):  # interleaved: both see the same load
        floors.append(timed_ms(floor))
        jobs.append(timed_ms(job))
    found = {"job": statistics.median(jobs), "floor": statistics.median(floors), "jobs": jobs, "floors": floors}
    found["ratio"] = found["job"] / found["floor"]
    print(f"nightly job {found['job']:.0f} ms, floor {found['floor']:.0f} ms: {found['ratio']:.2f}×", flush=True)
    return found


def run(count: int, *, keep: bool, requests: int, rounds: int, results: Path) -> None:
    if settings.DEBUG:
        sys.exit("run with DEBUG=0: the figures are those of the production settings")
    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in database:
        sys.exit(
            f"refusing to run on {connection.vendor} database {database!r}: use a PostgreSQL database named *bench*"
        )
    settings.PUBLIC_RATE_LIMIT = "1000000/m"  # one address asking on purpose
    call_command("collectstatic", interactive=False, verbosity=0)
    loaded_in = load(count, keep)
    tally.fold()  # the change rows the load's trigger wrote, into the tallies the reports read
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('intake_ticket'))")
        size = cursor.fetchone()[0]
    before = os.getloadavg()[0]
    print(f"{count} tickets in {database} (ticket table {size}, loaded in {loaded_in}); load average {before:.2f}")
    print(f"{'case':52} {'median':>8} {'p95':>8} {'floor':>8}")
    found = {
        "tickets": count,
        "database": database,
        "ticket_table": size,
        "loaded_in": loaded_in,
        "load_before": before,
        "at": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cases": lists(requests) + reports(requests),
        "nightly": nightly(rounds),
    }
    found["load_after"] = os.getloadavg()[0]
    print(f"load average after: {found['load_after']:.2f}")
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{count}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))

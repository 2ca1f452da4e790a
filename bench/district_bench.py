"""A district on one deployment: the nightly job of every street with 1 and 2 workers against a SQL
floor, and a street user's ticket list against the single-street figure (docs/district.md).

    export DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_district_bench \\
           CELERY_BROKER_URL=redis://127.0.0.1:6379/13
    .venv/bin/python bench/district_bench.py 1000000 [--streets 40] [--days 365] [--requests 30] [--keep]

1. Loads N demo tickets with their history into one street (``bench.bench_data.load_bench_tickets``:
   stories played through the workflow, the rest copies; the database must be named *bench*).
2. The single-street figure: a center staff member's ticket list (the workbench, newest first, and
   the API list) requested ``--requests`` times after a warm-up: median and p95.
3. Spreads the tickets over ``--streets`` streets of one district (``add_street`` with the
   Jiuxianqiao units; ticket i goes to street i mod S, its units to that street's units of the same
   name), then VACUUM ANALYZE.
4. The same lists for a center staff member of one of the streets (N/S tickets): median, p95 and
   the ratio of the p95 to the single-street one.
5. The district's nightly job: ``reporting.every_street`` queues one nightly snapshot per street (a
   Celery group) for real workers (``celery worker --concurrency=1``, one, then two, in their own
   processes on a queue of their own); wall time from the queueing to the last street's snapshot.
6. The floor: one hand-written SQL statement computing the same street × unit × month counts the
   nightly jobs compute (from 1 January to the day), and the ratio of each wall time to it.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.bench_data import BENCH_STORIES, load_bench_tickets  # noqa: E402
from bench.list_bench import measure  # noqa: E402
from intake.models import Ticket  # noqa: E402
from jxq_cases.celery import app as celery_app  # noqa: E402
from jxq_cases.lib import clock  # noqa: E402
from org.accounts import create_user  # noqa: E402
from org.models import Role, Street  # noqa: E402
from org.streets import add_street  # noqa: E402
from reporting.models import Job, Snapshot  # noqa: E402
from reporting.tasks import every_street  # noqa: E402

LISTS = [("workbench, newest first", "/tickets/"), ("API list, first page", "/api/v1/tickets/")]

# The floor: street × lead unit × month counts of reporting.rates.MEASURES for the whole district.
FLOOR_SQL = """
SELECT street_id, lead_unit_id,
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
 GROUP BY 1, 2, 3
"""


def lists_of(user, requests: int) -> dict[str, tuple[float, float]]:
    client = Client()
    client.force_login(user)
    found = {}
    for name, url in LISTS:
        median, p95, _floor, status = measure(client, url, requests)
        assert status == 200, (url, status)
        found[name] = (median, p95)
    return found


def center_of(street: Street, username: str):
    get_user_model().objects.filter(username=username).delete()
    return create_user(username, role=Role.CENTER_STAFF, unit_names=["市民诉求处置中心"], street=street)


def spread(count: int, streets: int) -> None:
    """Ticket i to street i mod S (the first street keeps its own), its units to the namesakes."""
    first = Street.objects.order_by("id").first()
    assert first is not None
    existing = Street.objects.count()
    for n in range(existing, streets):
        add_street(f"测试街道{n:02d}", first.district.name)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_streets AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id "
            "FROM org_street"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_units AS SELECT s.k, o.id AS old_id, n.id AS new_id FROM org_unit o "
            "JOIN org_unit n ON n.name = o.name JOIN bench_streets s ON s.id = n.street_id "
            "WHERE o.street_id = %s AND s.k > 0",
            [first.pk],
        )
        cursor.execute("CREATE INDEX ON bench_units (k, old_id)")
        cursor.execute(
            "UPDATE intake_ticket t SET street_id = s.id, grid_cell_id = NULL, place_community_id = NULL, "
            "lead_unit_id = (SELECT new_id FROM bench_units u WHERE u.k = s.k AND u.old_id = t.lead_unit_id), "
            "community_id = (SELECT new_id FROM bench_units u WHERE u.k = s.k AND u.old_id = t.community_id) "
            "FROM bench_streets s WHERE s.k = t.id %% %s AND s.k > 0",
            [streets],
        )
        cursor.execute(
            "UPDATE intake_ticket_co_units c SET unit_id = u.new_id FROM intake_ticket t, bench_streets s, "
            "bench_units u WHERE t.id = c.ticket_id AND s.id = t.street_id AND u.k = s.k AND u.old_id = c.unit_id"
        )
        cursor.execute("DROP TABLE bench_units")
        cursor.execute("DROP TABLE bench_streets")
        cursor.execute("VACUUM ANALYZE intake_ticket")
    print(f"spread {count} tickets over {streets} streets in {time.perf_counter() - started:.1f} s")


def start_workers(count: int, queue: str, logs: Path) -> list[subprocess.Popen]:
    workers = []
    for n in range(count):
        log = logs / f"bench-worker-{queue}-{n}.log"
        args = [sys.executable, "-m", "celery", "-A", "jxq_cases", "worker", "--pool=prefork", "--concurrency=1"]
        args += ["-Q", queue, "-n", f"{queue}-{n}@%h", "--loglevel=WARNING", "--without-gossip", "--without-mingle"]
        handle = open(log, "w")  # noqa: SIM115 (kept open for the worker's life)
        workers.append(subprocess.Popen(args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT))
    names = {f"{queue}-{n}@{socket.gethostname()}" for n in range(count)}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # every worker answers a ping: connected and ready
        answered = {name for reply in celery_app.control.ping(timeout=1.0) for name in reply}
        if names <= answered:
            return workers
    raise SystemExit(f"the workers did not answer within two minutes (logs in {logs})")


def nightly_wall(workers: int, day: str, streets: int, logs: Path) -> float:
    queue = f"district-bench-{uuid.uuid4().hex[:6]}"
    processes = start_workers(workers, queue, logs)
    try:
        Snapshot.objects.filter(job=Job.NIGHTLY).delete()
        started = time.perf_counter()
        every_street.apply_async(args=["reporting.nightly_snapshot", day], kwargs={"queue": queue}, queue=queue)
        while Snapshot.objects.filter(job=Job.NIGHTLY).count() < streets:
            if time.perf_counter() - started > 3600:
                raise SystemExit("the district's night took more than an hour")
            time.sleep(0.2)
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--streets", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--stories", type=int, default=BENCH_STORIES)
    parser.add_argument("--keep", action="store_true", help="reuse a load of exactly COUNT tickets already spread")
    parser.add_argument("--logs", default="var", help="folder for the workers' logs")
    args = parser.parse_args()
    logs = ROOT / args.logs
    logs.mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)

    spread_already = args.keep and Street.objects.count() == args.streets and Ticket.objects.count() == args.count
    if not spread_already:
        # a fresh single-street load: the streets of an earlier run go first (their units and people)
        get_user_model().objects.filter(username__startswith="district-bench").delete()
        first = Street.objects.order_by("id").first()
        assert first is not None
        if Street.objects.count() > 1:  # an earlier run's streets go first (their tickets with them)
            database = connection.settings_dict["NAME"]
            assert "bench" in database, database
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE intake_ticket, intake_returnvisit, intake_importbatch, reporting_snapshot "
                    "RESTART IDENTITY CASCADE"
                )
            for street in Street.objects.exclude(pk=first.pk):
                street.units.all().delete()
                street.delete()
        load_bench_tickets(
            args.count, args.days, keep=False, also_truncate=("reporting_snapshot",), stories=args.stories
        )
        single = lists_of(center_of(first, "district-bench-single"), args.requests)
        print(f"single street, {Ticket.objects.count()} tickets: center staff's lists")
        for name, (median, p95) in single.items():
            print(f"  {name:28s} median {median:7.1f} ms   p95 {p95:7.1f} ms")
        spread(args.count, args.streets)
    else:
        single = None
        print(f"reusing {args.count} tickets spread over {args.streets} streets (no single-street figure)")

    street = Street.objects.order_by("id")[1]
    mine = Ticket.objects.filter(street=street).count()
    district = lists_of(center_of(street, "district-bench-street"), args.requests)
    print(f"{args.streets} streets: center staff of {street.name} ({mine} of {Ticket.objects.count()} tickets)")
    for name, (median, p95) in district.items():
        ratio = f"   p95 ratio to one street {p95 / single[name][1]:.2f}" if single else ""
        print(f"  {name:28s} median {median:7.1f} ms   p95 {p95:7.1f} ms{ratio}")

    last_at = Ticket.objects.order_by("-received_at").values_list("received_at", flat=True)[:1][0]
    day = clock.local_date(last_at)
    start_at, end_at = clock.range_bounds(day.replace(month=1, day=1), day)
    rows: list = []

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [clock.STREET_TZ.key, start_at, end_at])
            rows[:] = cursor.fetchall()

    floor()  # warm
    floors = []
    for _ in range(3):
        started = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - started)
    floor_s = statistics.median(floors)
    print(
        f"floor: one SQL statement, street × unit × month from {start_at.date()}: {floor_s * 1000:.0f} ms "
        f"({len(rows)} rows; runs {[round(x * 1000) for x in floors]})"
    )
    for workers in (1, 2):
        wall = nightly_wall(workers, day.isoformat(), args.streets, logs)
        per_street = statistics.median(Snapshot.objects.filter(job=Job.NIGHTLY).values_list("duration_ms", flat=True))
        print(
            f"nightly, {args.streets} streets, {workers} worker(s): wall {wall:7.1f} s   "
            f"(median {per_street} ms a street)   ratio to the floor {wall / floor_s:.0f}"
        )


if __name__ == "__main__":
    main()

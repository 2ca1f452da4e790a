"""The CPU a page of the load test costs in-process (issue 13): each page of bench/locustfile.py,
requested through Django's test client with production settings (DEBUG off, hashed static files).

    STATIC_ROOT=$(mktemp -d) SECRET_KEY=x DEBUG=0 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_load_bench \\
        .venv/bin/python bench/page_cpu.py [--repeat 40] [--profile PAGE]

Runs on a database the load test loaded (bench/load_data.py): logs in as each of the load test's
personas (the demo accounts ``center``, ``handler``, ``leader``, ``principal``), collects the static
files into STATIC_ROOT first (the manifest DEBUG off reads), then requests every page the personas
click N times after one warm-up request and prints per page the median and p95 of the wall time and
of this process's CPU time, the time spent waiting on the queries and their number. A ticket page is a
different ticket each request, drawn from the ones the persona may open (the load test's targets).
``--profile PAGE`` (a label of the table) prints cProfile's top functions of that page instead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.load_data import ROLES, sample_numbers  # noqa: E402
from bench.stats import QueryClock, p95  # noqa: E402
from org.models import User  # noqa: E402

STATUSES = ["received", "dispatched", "handling", "replied", "closed"]


def pages(tickets: dict[str, list[str]]) -> list[tuple[str, str, object]]:
    """(persona, label, url or a function giving the next url): what bench/locustfile.py requests."""
    rng = random.Random(13)
    return [
        ("center", "workbench (by deadline)", "/tickets/"),
        ("center", "workbench (newest, pages 1-5)", lambda: f"/tickets/?sort=-received&page={rng.randint(1, 5)}"),
        ("center", "workbench (by status)", lambda: f"/tickets/?status={rng.choice(STATUSES)}&sort=-received"),
        ("center", "ticket page (center)", lambda: f"/tickets/{rng.choice(tickets['center'])}/"),
        ("handler", "inbox", "/inbox/"),
        ("handler", "ticket page (handler)", lambda: f"/tickets/{rng.choice(tickets['handler'])}/"),
        ("leader", "dashboard (leader)", "/dashboard/"),
        ("leader", "sign-off queue (leader)", "/signoff/"),
        ("leader", "ticket page (leader)", lambda: f"/tickets/{rng.choice(tickets['leader'])}/"),
        ("principal", "dashboard (principal)", "/dashboard/"),
        ("principal", "sign-off queue (principal)", "/signoff/"),
    ]


def url_of(target) -> str:
    return target() if callable(target) else target


def measure(client: Client, target, repeat: int) -> dict:
    response = client.get(url_of(target))  # warm: the first request pays for connections and caches
    assert response.status_code == 200, (target, response.status_code)
    wall, cpu, sql, queries = [], [], [], []
    for _ in range(repeat):
        clock = QueryClock()
        url = url_of(target)
        with connection.execute_wrapper(clock):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        sql.append(clock.seconds * 1000)
        queries.append(clock.count)
    return {
        "median": statistics.median(wall),
        "p95": p95(wall),
        "cpu": statistics.median(cpu),
        "cpu95": p95(cpu),
        "sql": statistics.median(sql),
        "queries": f"{min(queries)}-{max(queries)}" if min(queries) != max(queries) else str(queries[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", help="a page label: print its cProfile top functions")
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    args = parser.parse_args()
    if settings.DEBUG:
        sys.exit("run with DEBUG=0: the figures are those of the production settings")
    call_command("collectstatic", interactive=False, verbosity=0)

    clients, tickets = {}, {}
    for persona, username in ROLES.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        clients[persona] = client
        tickets[persona] = sample_numbers(user, 200)
    listed = pages(tickets)
    if args.profile:
        persona, label, target = next(p for p in listed if p[1] == args.profile)
        measure(clients[persona], target, 3)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            clients[persona].get(url_of(target))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return

    print(f"{args.repeat} requests per page after one warm-up; load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'page':30} {'median':>8} {'p95':>8} {'cpu':>8} {'cpu p95':>8} {'sql':>8} {'queries':>7}")
    for persona, label, target in listed:
        if args.only and args.only not in label:
            continue
        f = measure(clients[persona], target, args.repeat)
        print(
            f"{label:30} {f['median']:6.1f}ms {f['p95']:6.1f}ms {f['cpu']:6.1f}ms {f['cpu95']:6.1f}ms"
            f" {f['sql']:6.1f}ms {f['queries']:>7}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

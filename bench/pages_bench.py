"""Benchmark of the pages that list tickets (issue 5): the workbench's first page and filtered pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_ui_bench DEBUG=1 \\
        .venv/bin/python bench/pages_bench.py 1000000 [--days 730] [--repeat 60] [--keep]

Loads N demo tickets with their history (demo.seed.load_tickets: --stories of them played through the
workflow, the rest exact copies of those) into a PostgreSQL database whose name contains "bench" (it
empties the ticket tables first, so it refuses any other database), then requests each page through
Django's test client — the whole stack: session, middleware, access scoping, the queries, the
template — as center staff (who sees every ticket) and as a community's handler, and prints the
median and the 95th percentile per page. Target: p95 < 100 ms at 1,000,000 tickets. With --keep an
existing load of exactly N tickets is reused.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.bench_data import BENCH_STORIES, load_bench_tickets  # noqa: E402
from bench.stats import QueryClock  # noqa: E402
from intake.models import Category, Ticket  # noqa: E402
from org.models import Role, Unit, User  # noqa: E402


def person(username: str, role: str, unit: Unit) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    user.units.set([unit])
    return user


def measure(client: Client, url: str, repeat: int) -> dict:
    response = client.get(url)  # warm: the first request pays for connections and caches
    assert response.status_code == 200, (url, response.status_code)
    wall, cpu, sql, queries = [], [], [], 0
    for _ in range(repeat):
        clock = QueryClock()
        with connection.execute_wrapper(clock):
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        sql.append(clock.seconds * 1000)
        queries = clock.count
    wall.sort()
    return {
        "median": statistics.median(wall),
        "p95": wall[max(int(round(0.95 * len(wall))) - 1, 0)],
        "cpu": statistics.median(cpu),
        "sql": statistics.median(sql),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse an existing load of exactly COUNT tickets")
    parser.add_argument("--stories", type=int, default=BENCH_STORIES, help="stories played through the workflow")
    args = parser.parse_args()
    load_bench_tickets(args.count, args.days, keep=args.keep, stories=args.stories)

    community = Unit.objects.get(name="南路社区")
    department = Unit.objects.get(name="城市管理办公室")
    category = Category.objects.order_by("name").first()
    center = Client()
    center.force_login(person("bench-center", Role.CENTER_STAFF, Unit.objects.get(is_center=True)))
    handler = Client()
    handler.force_login(person("bench-handler", Role.UNIT_HANDLER, community))
    pages = [
        ("center", center, "/tickets/", "workbench, first page (in flight, by deadline)"),
        ("center", center, "/tickets/?page=2", "workbench, second page"),
        ("center", center, f"/tickets/?community={community.pk}&sort=-received", "filtered: community, in flight"),
        (
            "center",
            center,
            f"/tickets/?status=all&category={category.pk}&sort=-received",
            "filtered: category, all states, newest first",
        ),
        ("center", center, f"/tickets/?unit={department.pk}&due=overdue", "filtered: lead unit, overdue"),
        ("center", center, "/tickets/?status=closed&source=city&sort=-received", "filtered: closed, city direct"),
        ("handler", handler, "/tickets/", "a handler's ticket list"),
        ("handler", handler, "/inbox/", "a handler's inbox"),
    ]
    print(f"{Ticket.objects.count()} tickets; {args.repeat} requests per page after one warm-up")
    # wall = what the user waits for (includes waiting for a CPU on a busy machine); python = this
    # process's CPU time; sql = time inside the queries (PostgreSQL runs in its own processes)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'page':54} {'median':>8} {'p95':>8} {'python':>8} {'sql':>8} {'queries':>7}")
    for who, client, url, label in pages:
        f = measure(client, url, args.repeat)
        print(
            f"{who + ': ' + label:54} {f['median']:6.1f}ms {f['p95']:6.1f}ms {f['cpu']:6.1f}ms {f['sql']:6.1f}ms"
            f" {f['queries']:7d}   {url}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

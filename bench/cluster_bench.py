"""Timings of proactive handling on generated tickets, in a database of its own.

    export DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_proactive_bench
    .venv/bin/python bench/cluster_bench.py cluster --tickets 100000   # hot spot job over 90 days
    .venv/bin/python bench/cluster_bench.py lookup --tickets 1000000   # similar-tickets lookup

The tickets are written from the labelled set's paraphrases (tests/data/similarity/labelled.csv) with
other building numbers, extra clauses and an occasional typo: recurring matters come in bursts (the
hot spots to find), the rest are one-off calls. The vocabulary is narrower than a real year of calls,
which makes LSH buckets bigger than in real data: the timings are on the pessimistic side.

The database must hold only bench tickets (ticket numbers ``B-...``); the script refuses otherwise.
Generated tickets and their index are kept, so a second run with the same count only times.
"""

import argparse
import csv
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from intake.models import Category, Kind, Source, Ticket  # noqa: E402
from org.models import Role, Unit, UnitKind  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "similarity" / "labelled.csv"
EXTRA = [
    "已经反映过好几次了",
    "家里有老人和小孩",
    "希望尽快解决",
    "晚上更严重",
    "之前打过电话没人管",
    "请相关部门到现场看看",
    "邻居们都有意见",
    "物业说不归他们管",
    "周末也是这样",
    "已经持续一个多月",
    "社区说会协调但没有结果",
    "请给个答复",
]
TYPOS = {"噪": "燥", "道": "到", "梯": "体", "烤": "考", "绿": "路", "拴": "栓", "暖气": "暖器", "通道": "通到"}
BUILDING = re.compile(r"\d+号楼|[一二三四五六七八九十]+号楼")


def frames() -> tuple[list[list[dict]], list[dict]]:
    """Paraphrase groups (recurring matters) and single texts (one-off matters) of the labelled set."""
    groups: dict[str, list[dict]] = {}
    singles = []
    with LABELLED.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            (groups.setdefault(row["group"], []) if row["group"].startswith("g") else singles).append(row)
    return list(groups.values()), singles


def vary(text: str, rng: random.Random, building: int) -> str:
    text = BUILDING.sub(f"{building}号楼", text)
    if rng.random() < 0.6:
        text = text.rstrip("，。") + "，" + rng.choice(EXTRA)
    if rng.random() < 0.1:
        wrong = rng.choice(list(TYPOS))
        text = text.replace(wrong, TYPOS[wrong], 1)
    return text


def generate(total: int, *, days: int, end_at: datetime, seed: int = 12345) -> None:
    """``total`` tickets over the ``days`` days before ``end_at``: 35% in bursts of recurring
    matters (10-40 calls within 1-4 weeks), the rest one-off calls."""
    rng = random.Random(seed)
    groups, singles = frames()
    communities = {u.name: u.id for u in Unit.objects.filter(kind=UnitKind.COMMUNITY)}
    names = list(communities)
    categories = {}
    for row in [r for g in groups for r in g] + singles:
        categories.setdefault(row["category"], Category.objects.get_or_create(name=row["category"])[0].id)
    start = end_at - timedelta(days=days)
    rows: list[Ticket] = []
    made = 0

    def add(text, community, category, address, at):
        nonlocal made
        made += 1
        rows.append(
            Ticket(
                ticket_no=f"B-{made:08d}",
                source=Source.CITY,
                received_at=at,
                kind=Kind.COMPLAINT,
                content=text,
                address=address,
                community_id=communities[community],
                category_id=categories[category],
            )
        )
        if len(rows) >= 5000:
            Ticket.objects.bulk_create(rows)
            rows.clear()

    recurring = int(total * 0.35)
    while made < recurring:
        group = rng.choice(groups)
        community = rng.choice(names)
        building = rng.randint(1, 40)
        size = rng.randint(10, 40)
        burst_start = start + timedelta(seconds=rng.uniform(0, days * 86400))
        span = rng.uniform(7, 28) * 86400
        for _ in range(min(size, recurring - made)):
            row = rng.choice(group)
            at = min(end_at - timedelta(seconds=1), burst_start + timedelta(seconds=rng.uniform(0, span)))
            add(vary(row["content"], rng, building), community, row["category"], f"{building}号楼", at)
    pool = [r for g in groups for r in g] + singles * 4
    while made < total:
        row = rng.choice(pool)
        building = rng.randint(1, 40)
        at = start + timedelta(seconds=rng.uniform(0, days * 86400))
        add(vary(row["content"], rng, building), rng.choice(names), row["category"], f"{building}号楼", at)
    if rows:
        Ticket.objects.bulk_create(rows)


def prepare(total: int, days: int, end_at: datetime) -> None:
    call_command("migrate", verbosity=0)
    foreign = Ticket.objects.exclude(ticket_no__startswith="B-").count()
    if foreign:
        sys.exit(f"refusing: the database holds {foreign} tickets that are not bench tickets")
    have = Ticket.objects.count()
    if have != total:
        from proactive.models import HotSpotRun, SignatureBand, TicketSignature

        print(f"generating {total} tickets over {days} days (had {have}) ...", flush=True)
        with connection.cursor() as cursor:
            for model in (SignatureBand, TicketSignature, HotSpotRun):
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
            cursor.execute(f"TRUNCATE {Ticket._meta.db_table} CASCADE")
        started = time.perf_counter()
        generate(total, days=days, end_at=end_at)
        print(f"  generated in {time.perf_counter() - started:.1f}s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def index_all() -> None:
    from proactive.indexing import index_pending
    from proactive.models import TicketSignature

    missing = Ticket.objects.count() - TicketSignature.objects.count()
    if missing <= 0:
        return
    print(f"indexing {missing} tickets (the periodic task's work) ...", flush=True)
    started = time.perf_counter()
    done = 0
    while True:
        n = index_pending(20000)
        done += n
        if not n:
            break
        elapsed = time.perf_counter() - started
        print(f"  {done} indexed, {done / elapsed:.0f} tickets/s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  indexed in {time.perf_counter() - started:.1f}s", flush=True)


def bench_cluster(args) -> None:
    from proactive.hotspots import find_hotspots

    end_at = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)  # the end of 30 June in Beijing
    prepare(args.tickets, 90, end_at)
    index_all()
    for attempt in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        run = find_hotspots(datetime(2026, 6, 30).date(), days=90)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        sizes = sorted((h.ticket_count for h in run.hotspots.all()), reverse=True)
        print(
            f"run {attempt + 1}: clustered {run.ticket_count} tickets of 90 days into {run.hotspot_count} hot spots "
            f"in {elapsed:.1f}s wall, {cpu:.1f}s CPU of this process "
            f"(largest {sizes[:5]}, median size {statistics.median(sizes) if sizes else 0}); "
            f"load average {os.getloadavg()[0]:.1f}"
        )


def bench_lookup(args) -> None:
    from rest_framework.test import APIClient

    from org.accounts import create_user
    from proactive.similar import similar_tickets

    end_at = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    prepare(args.tickets, args.days, end_at)
    index_all()
    from org.models import User

    user = User.objects.filter(username="bench-center").first() or create_user(
        "bench-center", role=Role.CENTER_STAFF, unit_names=[Unit.objects.get(is_center=True).name], password=None
    )
    rng = random.Random(7)
    recent = list(
        Ticket.objects.filter(received_at__gte=end_at - timedelta(days=30)).values_list("id", flat=True)[:20000]
    )
    picks = Ticket.objects.in_bulk(rng.sample(recent, args.lookups))
    similar_tickets(next(iter(picks.values())), user=user)  # load jieba and the tables once
    timings, found = [], []
    for ticket in picks.values():
        started = time.perf_counter()
        results = similar_tickets(ticket, user=user)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(results))
    client = APIClient()
    client.force_authenticate(user=user)
    api_timings = []
    for ticket in list(picks.values())[:50]:
        started = time.perf_counter()
        response = client.get(f"/api/v1/tickets/{ticket.ticket_no}/similar/")
        api_timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content

    def describe(values):
        values = sorted(values)
        return (
            f"median {statistics.median(values):.1f} ms, p95 {values[int(len(values) * 0.95) - 1]:.1f} ms, "
            f"max {values[-1]:.1f} ms"
        )

    print(f"{Ticket.objects.count()} tickets stored, window {args.days} days")
    print(
        f"similar_tickets() x {len(timings)}: {describe(timings)}; "
        f"results per lookup: median {statistics.median(found)}"
    )
    print(f"GET /api/v1/tickets/<no>/similar/ x {len(api_timings)}: {describe(api_timings)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    cluster = sub.add_parser("cluster")
    cluster.add_argument("--tickets", type=int, default=100_000)
    cluster.add_argument("--repeat", type=int, default=2)
    lookup = sub.add_parser("lookup")
    lookup.add_argument("--tickets", type=int, default=1_000_000)
    lookup.add_argument("--days", type=int, default=730, help="the tickets spread over this many days")
    lookup.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    if "jxq_proactive_bench" not in str(connection.settings_dict["NAME"]):
        sys.exit("run against its own database: DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_proactive_bench")
    {"cluster": bench_cluster, "lookup": bench_lookup}[args.what](args)


if __name__ == "__main__":
    main()

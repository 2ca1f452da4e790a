"""p95 of the ticket lists and the public report at N generated tickets, beside the SQL floor.

    export DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_scale_bench
    .venv/bin/python bench/list_bench.py --tickets 100000 --requests 30

The tickets are written with one set-based INSERT … SELECT generate_series (two years, a Beijing-like
mix of states: nine in ten closed, the rest spread over the workflow; units, communities and sources
round-robin), then VACUUM ANALYZE. A second run with the same count reuses them (``--reload`` forces).
The database must be named *bench*: the script empties its ticket tables.

Each case is requested ``--requests`` times in process (Django's test client, a signed-in center
staff member), after one warm-up; it prints the median and the p95 (nearest rank) of the whole request,
and the SQL floor: the same request's queries run again straight on the cursor (p95 of their sum).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.stats import time_page  # noqa: E402
from dispatch.views.common import MAX_PAGE  # noqa: E402
from intake.models import Ticket  # noqa: E402
from intake.staging import model_defaults  # noqa: E402
from org.accounts import create_user  # noqa: E402
from org.models import Role, Unit, UnitKind  # noqa: E402

# one row in ten is in flight, spread over the workflow's states; nine in ten are closed
STATES = "ARRAY['received','triaged','dispatched','contacted','handling','rehandling','reviewed','replied','visited']"

# the columns GENERATE computes; every other column gets the model's default (intake.staging.model_defaults),
# so a column another app adds does not break the bench
COLUMNS = (
    "ticket_no", "source", "received_at", "kind", "content", "complainant_name", "complainant_phone", "address",
    "urgency", "status", "is_key", "is_difficult", "supervision", "rehandling_count", "is_excluded", "created_at",
    "updated_at", "handle_paused_for", "next_due_kind", "warning_level", "lead_unit_id", "community_id",
    "dispatched_at", "next_due_at", "next_warn_at", "street_id",
)  # fmt: skip

GENERATE = f"""
INSERT INTO intake_ticket ({{columns}})
SELECT
    'LB' || lpad(n::text, 9, '0'),
    CASE WHEN n % 4 = 0 THEN 'district' ELSE 'city' END,
    now() - make_interval(mins => (n::bigint * 730 * 24 * 60 / %(count)s)::int),
    (ARRAY['consult','help','complaint','report','suggestion'])[1 + n % 5],
    '楼道灯坏了很久没人修，请尽快处理 ' || n,
    '', '', '酒仙桥路' || (n % 300) || '号',
    CASE WHEN n % 50 = 0 THEN 'urgent' ELSE 'normal' END,
    state, n % 37 = 0, n % 41 = 0, '', 0, false, now(), now(), interval '0', '', '',
    lead.ids[1 + n % cardinality(lead.ids)],
    comm.ids[1 + n % cardinality(comm.ids)],
    CASE WHEN state NOT IN ('received', 'triaged') THEN now() - make_interval(mins => n % 10000) END,
    CASE WHEN state IN ('dispatched','contacted','handling','rehandling')
         THEN now() + make_interval(mins => (n % 20000) - 5000) END,
    CASE WHEN state IN ('dispatched','contacted','handling','rehandling')
         THEN now() + make_interval(mins => (n % 20000) - 8000) END,
    center.street_id{{defaults}}
FROM generate_series(1, %(count)s) AS n
CROSS JOIN LATERAL (
    SELECT CASE WHEN n % 10 = 0 THEN ({STATES})[1 + (n / 10) % 9] ELSE 'closed' END AS state
) s
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM org_unit WHERE NOT is_center) lead
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM org_unit WHERE kind = %(community)s) comm
CROSS JOIN (SELECT street_id FROM org_unit WHERE is_center ORDER BY id LIMIT 1) center
"""


def load(count: int, reload: bool) -> None:
    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in database:
        sys.exit(f"refusing to run on {connection.vendor} database {database!r}: use one named *bench*")
    call_command("migrate", verbosity=0)
    if not reload and Ticket.objects.count() == count:
        print(f"reusing the {count} tickets in {database}")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE intake_ticket, intake_returnvisit, intake_importbatch RESTART IDENTITY CASCADE")
        default_columns, defaults = model_defaults(Ticket, set(COLUMNS), timezone.now())
        sql = GENERATE.format(
            columns=", ".join([*COLUMNS, *default_columns]),
            defaults="".join(f", %(d{i})s" for i in range(len(defaults))),
        )
        params = {"count": count, "community": UnitKind.COMMUNITY, **{f"d{i}": v for i, v in enumerate(defaults)}}
        cursor.execute(sql.replace(" % ", " %% "), params)
        cursor.execute("VACUUM ANALYZE intake_ticket")
    print(f"generated {count} tickets in {time.perf_counter() - started:.1f} s (set-based INSERT … SELECT)")


def measure(client: Client, url: str, requests: int) -> tuple[float, float, float, int]:
    """(median ms, p95 ms, SQL floor p95 ms, status) of ``url`` (bench.stats.time_page)."""
    timing = time_page(client, url, requests)
    return timing.median, timing.p95, timing.floor, timing.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    load(args.tickets, args.reload)
    settings.PUBLIC_RATE_LIMIT = "1000000/m"  # the bench is one address asking on purpose
    get_user_model().objects.filter(username="list-bench").delete()
    center = Unit.objects.get(is_center=True)
    user = create_user("list-bench", role=Role.CENTER_STAFF, unit_names=[center.name])
    client = Client()
    client.force_login(user)
    unit = Unit.objects.filter(is_center=False).order_by("id").first()
    assert unit is not None
    cases = [
        ("API list, first page", "/api/v1/tickets/"),
        ("API ?status=closed&lead_unit=…", f"/api/v1/tickets/?status=closed&lead_unit={unit.name}"),
        ("API ?ordering=deadline", "/api/v1/tickets/?ordering=deadline"),
        ("workbench, all, newest first, first page", "/tickets/?status=all&sort=-received"),
        (
            f"workbench, all, newest first, page {MAX_PAGE} (the last served)",
            f"/tickets/?status=all&sort=-received&page={MAX_PAGE}",
        ),
        (f"workbench by deadline, page {MAX_PAGE}", f"/tickets/?sort=deadline&page={MAX_PAGE}"),
        (f"workbench, page {MAX_PAGE + 1} (refused, 400)", f"/tickets/?status=all&page={MAX_PAGE + 1}"),
        ("public report, this year (cached)", "/report/public/"),
    ]
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"\n{args.tickets} tickets, {args.requests} requests each; load: {uptime}")
    print(f"command: {' '.join([os.path.relpath(sys.executable, ROOT), *sys.argv])}\n")
    print("| case | status | median ms | p95 ms | SQL floor p95 ms |")
    print("|---|---|---|---|---|")
    for name, url in cases:
        median, high, floor, status = measure(client, url, args.requests)
        print(f"| {name} | {status} | {median:.1f} | {high:.1f} | {floor:.1f} |")
    user.delete()


if __name__ == "__main__":
    main()

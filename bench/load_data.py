"""The data the load test (bench/load_bench.sh) runs on: N demo tickets and the accounts that log in.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_load_bench DEBUG=1 \\
        .venv/bin/python bench/load_data.py 1000000 --targets var/load-bench/targets.json [--keep]

Loads N demo tickets with their whole history (``bench.bench_data.load_bench_tickets``: a database
whose name contains "bench" only; ``--keep`` reuses a load of exactly N), then writes the targets the
load test requests as JSON: the demo accounts by role (their shared password) and, per role, ticket
numbers that role may open, drawn at random over the whole period — so the ticket pages hit cold and
warm rows alike, as a day's work does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.bench_data import load_bench_tickets  # noqa: E402
from demo.accounts import DEMO_PASSWORD  # noqa: E402
from dispatch.access import visible_tickets  # noqa: E402
from org.models import User  # noqa: E402

# the staff accounts the virtual users log in as (several virtual users share one, each with its own session)
ROLES = {"center": "center", "handler": "handler", "leader": "leader", "principal": "principal"}
SAMPLE = 2000


def sample_numbers(user: User, count: int) -> list[str]:
    """``count`` ticket numbers ``user`` may open, spread over the whole table (TABLESAMPLE, then scoped)."""
    visible = visible_tickets(user).values("id")
    sql, params = visible.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ticket_no FROM intake_ticket TABLESAMPLE SYSTEM (5) "
            f"WHERE id IN ({sql}) ORDER BY random() LIMIT %s",
            [*params, count],
        )
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tickets", type=int)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--targets", type=Path, required=True)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    load_bench_tickets(args.tickets, args.days, keep=args.keep)
    targets = {"password": DEMO_PASSWORD, "accounts": {}}
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        numbers = sample_numbers(user, SAMPLE)
        if not numbers:
            sys.exit(f"{username} may open no ticket: nothing to request")
        targets["accounts"][role] = {"username": username, "tickets": numbers}
        print(f"{role}: {username}, {len(numbers)} ticket numbers")
    args.targets.parent.mkdir(parents=True, exist_ok=True)
    args.targets.write_text(json.dumps(targets, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""City scale (issue 13): the lists, the reports and the nightly job at 100,000, 1,000,000 and
10,000,000 tickets, each beside its SQL floor, printed side by side.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_city_bench
    STATIC_ROOT=$(mktemp -d) SECRET_KEY=x DEBUG=0 .venv/bin/python bench/city_bench.py measure 100000
    STATIC_ROOT=$(mktemp -d) SECRET_KEY=x DEBUG=0 .venv/bin/python bench/city_bench.py measure 1000000
    STATIC_ROOT=$(mktemp -d) SECRET_KEY=x DEBUG=0 .venv/bin/python bench/city_bench.py measure 10000000
    .venv/bin/python bench/city_bench.py table          # the scales measured so far, side by side

``measure N`` loads N tickets into the database (a PostgreSQL database whose name contains "bench":
it empties the ticket tables; ``--keep`` reuses a load of exactly N), measures, writes the figures to
``var/city-bench/N.json`` and prints them; ``table`` prints every scale measured as one table.

**The tickets.** Up to 1,000,000: the demo street's tickets over two years with their whole history
(``bench.bench_data.load_bench_tickets``: 500 stories played through the workflow, the rest exact
copies of them moved by whole days — events, visits, notes, drafts, requests). Above: 1,000,000 with
their history, then the ticket rows, their co-handling units and their return visits copied until N
(new ids and numbers, the same moments, so the two years hold N tickets), in one transaction with
the plain indexes and foreign keys dropped and rebuilt once. The copies carry no events, notes or
drafts: with them a ticket takes ~7 KB on disk (10,000,000 would need ~70 GB), without ~3.5 KB. Lists,
reports and the nightly job read the ticket rows and visits; a ticket page reads its own events
through their ticket index, which grows with the log of the events.

**The figures** (production settings: DEBUG off, hashed static files; Django's test client, the whole
stack in one process): each page ``--requests`` times after one warm-up, median and p95 (nearest
rank), and its SQL floor: the SELECTs the request made, run again straight on a cursor (p95 of their
sum), and the ratio p95 / floor. The nightly job for all units and months (``take_nightly_snapshot``
with the trend from the first month) against one hand-written statement counting the same
unit × month figures from the tickets (``bench.report_bench.FLOOR_SQL``), median of ``--rounds``
interleaved rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

RESULTS = ROOT / "var" / "city-bench"


def table() -> None:
    """Every scale measured so far, side by side (p95 ms, floor ms, ratio)."""
    runs = sorted((json.loads(p.read_text()) for p in RESULTS.glob("*.json")), key=lambda r: r["tickets"])
    if not runs:
        sys.exit(f"nothing measured yet in {RESULTS}")
    head = " | ".join(f"{r['tickets']:,}: p95 / floor (×)" for r in runs)
    print(f"| case | {head} |")
    print("|---|" + "---|" * len(runs))
    names = list(dict.fromkeys(c["name"] for r in runs for c in r["cases"]))
    for name in names:
        cells = []
        for run in runs:
            case = next((c for c in run["cases"] if c["name"] == name), None)
            if case is None:
                cells.append("—")
            elif case.get("floor"):
                cells.append(f"{case['p95']:.1f} / {case['floor']:.1f} ({case['p95'] / case['floor']:.1f}×)")
            else:
                cells.append(f"{case['p95']:.1f}")
        print(f"| {name} | {' | '.join(cells)} |")
    cells = [f"{r['nightly']['job']:.0f} / {r['nightly']['floor']:.0f} ({r['nightly']['ratio']:.2f}×)" for r in runs]
    print(f"| nightly job, all units and months: median ms / floor (×) | {' | '.join(cells)} |")
    print()
    for run in runs:
        print(
            f"{run['tickets']:,} tickets: {run['database']}, ticket table {run['ticket_table']}; "
            f"load average {run['load_before']:.2f} before, {run['load_after']:.2f} after; measured {run['at']}; "
            f"loaded in {run['loaded_in']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    measure_parser = commands.add_parser("measure")
    measure_parser.add_argument("tickets", type=int)
    measure_parser.add_argument("--keep", action="store_true", help="reuse a load of exactly N tickets")
    measure_parser.add_argument("--requests", type=int, default=30)
    measure_parser.add_argument("--rounds", type=int, default=3)
    commands.add_parser("table")
    args = parser.parse_args()
    if args.command == "table":
        table()
        return
    from bench import city_measure

    city_measure.run(args.tickets, keep=args.keep, requests=args.requests, rounds=args.rounds, results=RESULTS)


if __name__ == "__main__":
    main()

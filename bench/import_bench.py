"""Import benchmark: ``python bench/import_bench.py N [--runs 3] [--encoding gb18030|utf-8] [--keep]``.

Writes an N-row ticket export (and a return-visit export for ~90% of the tickets) like the upstream
sends them, then imports both into PostgreSQL with the real entry points (tickets through
``dispatch.upstream``, which records re-received tickets on the timeline) and prints rows per second:
tickets (new), visits (new), the same ticket file again (all unchanged), and the file with every
content amended (all updated before triage: one timeline event each). Each run starts from empty
tables; with --runs > 1 the median is printed too. The floor: the new tickets as the import wrote them,
copied back into the emptied table by a plain ``COPY`` (same rows, same indexes, no Python), and the
import's ratio to it.

DATABASE_URL must point at PostgreSQL. The benchmark works in a throwaway database named
``<that database>_import_bench`` (created, migrated, and dropped at the end unless --keep).
"""

import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def throwaway_database(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (postgres://user@host:port/name)")
    name = parsed.path.lstrip("/") + "_import_bench"
    return urlunparse(parsed._replace(path="/" + name)), name


def admin_sql(url: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def amend_contents(source: Path, target: Path, encoding: str) -> None:
    """The same export with one sentence added to every request's text (诉求内容)."""
    with (
        open(source, encoding=encoding, newline="") as reading,
        open(target, "w", encoding=encoding, newline="") as out,
    ):
        rows = csv.reader(reading)
        header = next(rows)
        content = header.index("诉求内容")
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            row[content] += "(平台补充:市民再次来电。)"
            writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="rows in the ticket export")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--encoding", default="gb18030", choices=["gb18030", "utf-8", "utf-8-sig"])
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument(
        "--fillfactor",
        type=int,
        help="set intake_ticket's fillfactor first (room for HOT updates of the visit columns)",
    )
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    url, name = throwaway_database(base_url)
    admin_sql(base_url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(base_url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.exports import write_demo_exports
    from dispatch.upstream import import_tickets_and_record as import_tickets
    from intake.importers import import_visits

    try:
        call_command("migrate", verbosity=0)
        if args.fillfactor:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE intake_ticket SET (fillfactor = {int(args.fillfactor)})")
        figures: dict[str, list[float]] = {
            "tickets": [],
            "visits": [],
            "tickets again (unchanged)": [],
            "tickets amended (updated)": [],
            "COPY floor (tickets)": [],
        }
        with tempfile.TemporaryDirectory() as work:
            tickets_csv, visits_csv = Path(work) / "tickets.csv", Path(work) / "visits.csv"
            started = time.perf_counter()
            visit_rows = write_demo_exports(
                tickets_csv, args.n, seed=1, days=365, encoding=args.encoding, visits_path=visits_csv
            )
            print(
                f"wrote {args.n} tickets ({tickets_csv.stat().st_size / 1e6:.1f} MB, {args.encoding}) and "
                f"{visit_rows} visits in {time.perf_counter() - started:.1f} s"
            )
            amended_csv = Path(work) / "amended.csv"
            amend_contents(tickets_csv, amended_csv, args.encoding)
            for run in range(args.runs):
                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE intake_ticket, intake_returnvisit, intake_importbatch CASCADE")
                    cursor.execute("CHECKPOINT")  # every run starts with the WAL flushed
                floor_rows: io.StringIO | None = None
                for label, importer, path, rows in (
                    ("tickets", import_tickets, tickets_csv, args.n),
                    ("visits", import_visits, visits_csv, visit_rows),
                    ("tickets again (unchanged)", import_tickets, tickets_csv, args.n),
                    ("tickets amended (updated)", import_tickets, amended_csv, args.n),
                ):
                    started = time.perf_counter()
                    result = importer(path, file_name=path.name)
                    seconds = time.perf_counter() - started
                    figures[label].append(rows / seconds)
                    print(
                        f"run {run + 1}: {label:<26} {rows:>8} rows in {seconds:6.2f} s = {rows / seconds:8.0f} rows/s"
                        f"  (created {result.created}, updated {result.updated}, unchanged {result.unchanged})"
                    )
                    if label == "tickets":  # the rows as the import wrote them, for the COPY floor below
                        floor_rows = io.StringIO()
                        with connection.cursor() as cursor:
                            cursor.cursor.copy_expert("COPY intake_ticket TO STDOUT", floor_rows)
                # The floor: the same ticket rows (derived columns included) written by a plain COPY into
                # the same table with the same indexes, nothing else in the table, no Python per row.
                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE intake_ticket CASCADE")  # the import batches stay: the rows name them
                    cursor.execute("CHECKPOINT")
                    floor_rows.seek(0)
                    started = time.perf_counter()
                    cursor.cursor.copy_expert("COPY intake_ticket FROM STDIN", floor_rows)
                    seconds = time.perf_counter() - started
                figures["COPY floor (tickets)"].append(args.n / seconds)
                ratio = figures["tickets"][-1] / figures["COPY floor (tickets)"][-1]
                print(
                    f"run {run + 1}: {'COPY floor (tickets)':<26} {args.n:>8} rows in {seconds:6.2f} s = "
                    f"{args.n / seconds:8.0f} rows/s  (the import: {ratio:.2f}× the floor)"
                )
        if args.runs > 1:
            for label, rates in figures.items():
                print(f"median of {args.runs}: {label:<26} {statistics.median(rates):8.0f} rows/s")
    finally:
        connection.close()
        if not args.keep:
            admin_sql(base_url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()

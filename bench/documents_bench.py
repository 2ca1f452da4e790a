"""Benchmark of the documents (docs/reporting.md "Documents"): the ticket file's PDF, the monthly
bulletin and the weekly analysis as Word, and the ledger and three tables of a month.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_docs_bench DEBUG=1 \\
        .venv/bin/python bench/documents_bench.py 10000 [--days 90] [--repeat 3] [--keep]

Loads N demo tickets (bench.bench_data: a PostgreSQL database named *bench*, emptied first; --keep
reuses a load of exactly N), takes last month's bulletin and last week's analysis snapshots, then
prints the median of --repeat runs of each document, its size, the load average and the command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
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
from django.template.loader import render_to_string  # noqa: E402
from django.utils import translation  # noqa: E402

from bench.bench_data import load_bench_tickets  # noqa: E402
from demo.samples import sample_ticket  # noqa: E402
from dispatch.views.ticket_file import stored_images, ticket_file  # noqa: E402
from intake.models import Ticket  # noqa: E402
from jxq_cases.lib import clock  # noqa: E402
from jxq_cases.lib.pdf import html_to_pdf  # noqa: E402
from org.models import Role, User  # noqa: E402
from reporting.bulletins import take_monthly_bulletin, take_weekly_analysis  # noqa: E402
from reporting.documents import monthly_bulletin, weekly_analysis, write_docx  # noqa: E402
from reporting.exports import write_workbook  # noqa: E402
from reporting.rates import period_tickets  # noqa: E402


def timed(function, repeat: int) -> tuple[float, int]:
    runs, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = function()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    load_bench_tickets(args.count, args.days, keep=args.keep)
    with connection.cursor() as cursor:
        # what autovacuum does soon after a bulk load (bench_data analyses the ticket tables only): without
        # statistics the ledger's reply subquery scans every signed-off draft per ticket (7 s instead of 0.3)
        for table in ("dispatch_replydraft", "dispatch_exclusionrequest", "intake_ticket_co_units"):
            cursor.execute(f"ANALYZE {table}")
    today = clock.today()
    month = clock.month_start(clock.month_start(today) - dt.timedelta(days=1))
    monday = clock.week_start(today) - dt.timedelta(days=7)
    monthly, weekly = take_monthly_bulletin(month), take_weekly_analysis(monday)
    reader = User.objects.filter(role=Role.INSPECTOR).order_by("pk").first()
    ticket = sample_ticket()

    def pdf() -> int:
        file = ticket_file(reader, Ticket.objects.get(pk=ticket.pk), context="bench")
        html = render_to_string("dispatch/ticket_file.html", {**file, "for_pdf": True})
        return len(html_to_pdf(html, files=stored_images(file)))

    def docx(build, snapshot) -> int:
        buffer = io.BytesIO()
        write_docx(build(snapshot), buffer)
        return len(buffer.getvalue())

    def ledger() -> int:
        buffer = io.BytesIO()
        write_workbook(monthly.period_start, monthly.period_end, buffer, with_text=True)
        return len(buffer.getvalue())

    month_tickets = period_tickets(monthly.period_start, monthly.period_end).count()
    with translation.override("zh-hans"):
        results = [
            (f"ticket file PDF ({ticket.ticket_no}, {ticket.events.count()} events)", timed(pdf, args.repeat)),
            (f"monthly bulletin .docx ({month:%Y-%m})", timed(lambda: docx(monthly_bulletin, monthly), args.repeat)),
            (f"weekly analysis .docx ({monday})", timed(lambda: docx(weekly_analysis, weekly), args.repeat)),
            (f"ledger and three tables .xlsx ({month_tickets} tickets)", timed(ledger, args.repeat)),
        ]
    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    print(" ".join(sys.argv))
    for name, (ms, size) in results:
        print(f"{name:<60} median {ms:8.0f} ms  {size:>10,} bytes")


if __name__ == "__main__":
    main()

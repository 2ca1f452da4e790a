"""One sample of each document we hand out, made from the demo street (``manage.py make_samples``):
the ticket file as PDF, the monthly bulletin and the weekly analysis as Word documents, and the
ledger with the three tables as Excel. ``docs/samples/`` holds the committed copies
(``scripts/make-samples.sh`` makes them from a fresh demo street).

The samples are made as the demo inspector, who sees every ticket with the complainants masked:
the ticket file shows what the masking rules print, and the ledger its masked text columns.
"""

from __future__ import annotations

from pathlib import Path

from django.db.models import Count
from django.template.loader import render_to_string

from dispatch.views.ticket_file import stored_images, ticket_file
from intake.models import Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from jxq_cases.lib.pdf import html_to_pdf
from org.models import Role, User
from reporting.documents import monthly_bulletin, weekly_analysis, write_docx
from reporting.exports import write_workbook
from reporting.models import Job
from reporting.snapshots import latest_snapshot

NAMES = {
    "ticket_file": "ticket-file.pdf",
    "monthly": "monthly-bulletin.docx",
    "weekly": "weekly-analysis.docx",
    "ledger": "ledger-and-three-tables.xlsx",
}


def sample_ticket() -> Ticket:
    """The closed ticket with the longest story (second handling first): the fullest file."""
    ticket = (
        Ticket.objects.filter(status=Status.CLOSED)
        .annotate(steps=Count("events"))
        .order_by("-rehandling_count", "-steps", "ticket_no")
        .first()
    )
    if ticket is None:
        raise DomainError(ErrorCode.INVALID, "no closed ticket: load the demo street first (manage.py seed_demo)")
    return ticket


def make_samples(directory: Path) -> dict[str, Path]:
    """Write the four samples into ``directory``; returns them by kind. Nothing is written unless
    the demo street has what every sample needs."""
    reader = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("pk").first()
    monthly, weekly = latest_snapshot(Job.MONTHLY), latest_snapshot(Job.WEEKLY)
    if reader is None or monthly is None or weekly is None:
        raise DomainError(
            ErrorCode.INVALID, "no inspector account or report snapshots: load the demo street first (seed_demo)"
        )
    ticket = sample_ticket()
    directory.mkdir(parents=True, exist_ok=True)
    paths = {kind: directory / name for kind, name in NAMES.items()}

    file = ticket_file(reader, ticket, context="sample")
    html = render_to_string("dispatch/ticket_file.html", {**file, "for_pdf": True})
    paths["ticket_file"].write_bytes(html_to_pdf(html, files=stored_images(file)))
    write_docx(monthly_bulletin(monthly), paths["monthly"])
    write_docx(weekly_analysis(weekly), paths["weekly"])
    # one week keeps the ledger small
    write_workbook(weekly.period_start, weekly.period_end, paths["ledger"], with_text=True)
    return paths

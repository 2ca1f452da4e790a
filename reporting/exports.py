"""一账三表: the ticket ledger plus the daily, weekly and monthly tables of a range, as one workbook.

The workbook is meant to be passed on (to the district, to the leadership's office), so the ledger
carries no personal data: no complainant name or phone, no address and no request text (free text
routinely repeats names, phone numbers and door numbers). A ticket is identified by its upstream
number, which whoever needs the details can look up in the system with their own access rights.

Counting is done in the database (grouped by day, ISO week and month); the ledger streams rows with
openpyxl's write-only mode so a year of tickets does not sit in memory.

The workbook is inert (``jxq_cases.lib.spreadsheet``): every text cell is a string cell, and text that
a spreadsheet would read as a formula (a category ``=HYPERLINK(…)``) gets a leading apostrophe.
Counts, rates and times stay numbers and dates.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from intake.models import Kind, Source, Status, Supervision, Urgency
from jxq_cases.lib import clock
from jxq_cases.lib.spreadsheet import text_cell, text_row
from org.models import Unit

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from reporting.rates import (
    MEASURES,
    percent,
    period_tickets,
    range_score,
)

LEDGER_FIELDS = (
    "ticket_no",
    "source",
    "received_at",
    "kind",
    "category__name",
    "community__name",
    "lead_unit__name",
    "urgency",
    "status",
    "is_key",
    "supervision",
    "contact_due_at",
    "first_contact_at",
    "handle_due_at",
    "replied_at",
    "visited_at",
    "visit_counted",
    "visit_contacted",
    "visit_resolved",
    "visit_satisfied",
    "is_excluded",
)


def _ledger_headers() -> list[str]:
    return [
        _("Ticket number"),
        _("Source"),
        _("Received at"),
        _("Kind"),
        _("Category"),
        _("Community"),
        _("Lead unit"),
        _("Urgency"),
        _("Status"),
        _("Key ticket"),
        _("Supervision"),
        _("Contact by"),
        _("First contact at"),
        _("Handle by"),
        _("Replied at"),
        _("Visited at"),
        _("Counted"),
        _("Responded"),
        _("Resolved"),
        _("Satisfied"),
        _("Excluded"),
    ]


def _table_headers(first: str) -> list[str]:
    return [
        first,
        _("Total"),
        _("City direct"),
        _("District forwarded"),
        _("Counted"),
        _("Counted, city direct"),
        _("Responded"),
        _("Resolved"),
        _("Satisfied"),
        _("Double-no"),
        _("Response rate %"),
        _("Resolution rate %"),
        _("Satisfaction rate %"),
    ]


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the wall-clock time the street works in (Beijing time).
    return clock.local(moment).replace(tzinfo=None) if moment else None


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def _rates(counts: dict) -> list:
    return [
        float(r) if (r := percent(counts[key], counts["counted"])) is not None else None
        for key in ("responded", "resolved", "satisfied")
    ]


def _count_row(label: object, counts: dict[str, Any]) -> list[Any]:
    return [label, *(counts[key] for key in MEASURES), *_rates(counts)]


def _header_row(sheet: WriteOnlyWorksheet, headers: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for text in headers:
        cell = text_cell(sheet, str(text))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def write_workbook(start_on: dt.date, end_on: dt.date, target: str | IO[bytes], *, unit: Unit | None = None) -> int:
    """Write the ledger and the three tables of the range to ``target``; returns the ledger's rows."""
    tickets = period_tickets(start_on, end_on, unit=unit)
    labels = {
        "source": dict(Source.choices),
        "kind": dict(Kind.choices),
        "urgency": dict(Urgency.choices),
        "status": dict(Status.choices),
        "supervision": dict(Supervision.choices),
    }
    book = Workbook(write_only=True)

    ledger = book.create_sheet(_("Ledger"))
    _header_row(ledger, _ledger_headers())
    rows = 0
    for values in tickets.order_by("received_at", "id").values_list(*LEDGER_FIELDS).iterator(chunk_size=5000):
        record = dict(zip(LEDGER_FIELDS, values, strict=True))
        ledger.append(
            text_row(
                ledger,
                [
                    record["ticket_no"],
                    str(labels["source"].get(record["source"], record["source"])),
                    _local(record["received_at"]),
                    str(labels["kind"].get(record["kind"], record["kind"])),
                    record["category__name"] or "",
                    record["community__name"] or "",
                    record["lead_unit__name"] or "",
                    str(labels["urgency"].get(record["urgency"], record["urgency"])),
                    str(labels["status"].get(record["status"], record["status"])),
                    _yes_no(record["is_key"]),
                    str(labels["supervision"].get(record["supervision"], "")) if record["supervision"] else "",
                    _local(record["contact_due_at"]),
                    _local(record["first_contact_at"]),
                    _local(record["handle_due_at"]),
                    _local(record["replied_at"]),
                    _local(record["visited_at"]),
                    _yes_no(record["visit_counted"]),
                    _yes_no(record["visit_contacted"]),
                    _yes_no(record["visit_resolved"]),
                    _yes_no(record["visit_satisfied"]),
                    _yes_no(record["is_excluded"]),
                ],
            )
        )
        rows += 1

    daily = book.create_sheet(_("Daily table"))
    _header_row(daily, _table_headers(_("Day")))
    by_day = tickets.annotate(day=clock.trunc_day("received_at")).values("day").annotate(**MEASURES).order_by("day")
    for counts in by_day:
        daily.append(text_row(daily, _count_row(counts["day"], counts)))

    weekly = book.create_sheet(_("Weekly table"))
    _header_row(weekly, _table_headers(_("Week (Monday to Sunday)")))
    by_week = (
        tickets.annotate(week=clock.trunc_week("received_at")).values("week").annotate(**MEASURES).order_by("week")
    )
    for counts in by_week:
        monday = clock.period_start(counts["week"])
        first, last = max(monday, start_on), min(clock.week_end(monday), end_on)
        weekly.append(text_row(weekly, _count_row(f"{first:%Y-%m-%d} – {last:%Y-%m-%d}", counts)))

    monthly = book.create_sheet(_("Monthly table"))
    _header_row(monthly, [*_table_headers(_("Month")), _("Bonus − deductions"), _("Composite score")])
    for month in range_score(start_on, end_on, unit=unit).months:
        monthly.append(
            text_row(
                monthly,
                [
                    *_count_row(month.month.strftime("%Y-%m"), month.counts),
                    float(month.adjustment),
                    float(month.composite) if month.composite is not None else None,
                ],
            )
        )

    book.save(target)
    return rows

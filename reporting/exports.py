"""一账三表: the full ledger plus the daily, weekly and monthly tables of a range, as one workbook.

The ledger has a row per ticket: the request and the reply as text, the units, every date, the
return visit's outcome and the exclusion. The workbook is passed on (to the district, the
leadership's office), so the complainant's name and phone are never columns, and the text columns
are masked by ``dispatch.access.mask_text`` (the complainant's name and every phone-like number, by
the rules of the pages). The text columns are there only with ``with_text``: the report command
and the people who see every ticket (``reports.ledger``); the others' download has the same ledger
without them.

The three tables have a row per unit and period (the unit that led the tickets; tickets not yet
dispatched have a row of their own) and the street's total after each period's units. Counting is
done in the database, one grouped query per table (period × lead unit); the street's total is the
sum of its rows, and the monthly table's street row is ``build_report``'s monthly row — the one the
public page and ``report --format json`` print. The ledger streams rows with openpyxl's write-only
mode so a year of tickets does not sit in memory; the co-handling units are read per chunk.

The workbook is inert (``jxq_cases.lib.spreadsheet``): every text cell is a string cell, and text that
a spreadsheet would read as a formula (a category ``=HYPERLINK(…)``) gets a leading apostrophe.
Counts, rates and times stay numbers and dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dispatch.access import mask_text
from dispatch.models import ExclusionReason, ExclusionRequest, ExclusionStatus, ReplyDraft, SignOffStatus
from intake.models import Kind, Source, Status, Supervision, Ticket, Urgency
from jxq_cases.lib import clock
from jxq_cases.lib.spreadsheet import text_cell, text_row
from org.models import Unit

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from reporting.rates import (
    COUNT_KEYS,
    MEASURES,
    PolicyBook,
    empty_counts,
    month_counts,
    percent,
    period_tickets,
    unit_scores,
)
from reporting.report import build_report

CHUNK = 2000

LEDGER_FIELDS = (
    "id",
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
    "dispatched_at",
    "contact_due_at",
    "first_contact_at",
    "handle_due_at",
    "replied_at",
    "visited_at",
    "visit_counted",
    "visit_contacted",
    "visit_resolved",
    "visit_satisfied",
    "rehandling_count",
    "closed_at",
    "is_excluded",
    "exclusion_status",
    "exclusion_reason",
)
TEXT_FIELDS = ("content", "reply_text", "complainant_name", "complainant_phone")


def _ledger_headers(with_text: bool) -> list[str]:
    text = [_("Request text"), _("Reply text")] if with_text else []
    return [
        _("Ticket number"),
        _("Source"),
        _("Received at"),
        _("Kind"),
        _("Category"),
        _("Community"),
        *text,
        _("Lead unit"),
        _("Co-handling units"),
        _("Urgency"),
        _("Status"),
        _("Key ticket"),
        _("Supervision"),
        _("Dispatched at"),
        _("Contact by"),
        _("First contact at"),
        _("Handle by"),
        _("Replied at"),
        _("Visited at"),
        _("Counted"),
        _("Responded"),
        _("Resolved"),
        _("Satisfied"),
        _("Second handlings"),
        _("Closed at"),
        _("Excluded"),
        _("Exclusion request"),
    ]


def _table_headers(first: str) -> list[str]:
    return [
        first,
        _("Unit"),
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


def _count_row(label: object, unit_name: str, counts: dict[str, Any]) -> list[Any]:
    return [label, unit_name, *(counts[key] for key in MEASURES), *_rates(counts)]


def _header_row(sheet: WriteOnlyWorksheet, headers: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for text in headers:
        cell = text_cell(sheet, str(text))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _ledger_tickets(tickets: QuerySet[Ticket], with_text: bool) -> QuerySet[Ticket, dict[str, Any]]:
    """The ledger's columns in one query: the reply that went out (the latest signed-off draft) and
    the latest exclusion request are correlated subqueries, not a query per ticket."""
    reply = ReplyDraft.objects.filter(ticket=OuterRef("pk"), status=SignOffStatus.SIGNED_OFF).order_by("-version")
    exclusion = ExclusionRequest.objects.filter(ticket=OuterRef("pk")).order_by("-version")
    tickets = tickets.annotate(
        exclusion_status=Subquery(exclusion.values("status")[:1]),
        exclusion_reason=Subquery(exclusion.values("reason_category")[:1]),
    )
    fields: tuple[str, ...] = LEDGER_FIELDS
    if with_text:
        tickets = tickets.annotate(reply_text=Subquery(reply.values("text")[:1]))
        fields = (*LEDGER_FIELDS, *TEXT_FIELDS)
    return tickets.order_by("received_at", "id").values(*fields)


def _chunks(rows: QuerySet[Ticket, dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _co_units(ticket_ids: list[int]) -> dict[int, list[str]]:
    through = Ticket.co_units.through
    names = defaultdict(list)
    rows = (
        through.objects.filter(ticket_id__in=ticket_ids)
        .order_by("unit__kind", "unit__sort_order", "unit__name")
        .values_list("ticket_id", "unit__name")
    )
    for ticket_id, name in rows:
        names[ticket_id].append(name)
    return names


def write_ledger(book: Workbook, tickets: QuerySet[Ticket], *, with_text: bool) -> int:
    """The ledger sheet (台账): one row per ticket of ``tickets``; returns the rows written."""
    labels = {
        "source": dict(Source.choices),
        "kind": dict(Kind.choices),
        "urgency": dict(Urgency.choices),
        "status": dict(Status.choices),
        "supervision": dict(Supervision.choices),
        "exclusion_status": dict(ExclusionStatus.choices),
        "exclusion_reason": dict(ExclusionReason.choices),
    }

    def label(kind: str, code: str | None) -> str:
        return str(labels[kind].get(code, code)) if code else ""

    ledger = book.create_sheet(_("Ledger"))
    _header_row(ledger, _ledger_headers(with_text))
    rows = 0
    for chunk in _chunks(_ledger_tickets(tickets, with_text)):
        co_units = _co_units([record["id"] for record in chunk])
        for record in chunk:
            text = []
            if with_text:
                person = {"name": record["complainant_name"], "phone": record["complainant_phone"]}
                text = [mask_text(record["content"], **person), mask_text(record["reply_text"] or "", **person)]
            exclusion = ""
            if record["exclusion_status"]:
                status, reason = record["exclusion_status"], record["exclusion_reason"]
                exclusion = f"{label('exclusion_status', status)}（{label('exclusion_reason', reason)}）"
            ledger.append(
                text_row(
                    ledger,
                    [
                        record["ticket_no"],
                        label("source", record["source"]),
                        _local(record["received_at"]),
                        label("kind", record["kind"]),
                        record["category__name"] or "",
                        record["community__name"] or "",
                        *text,
                        record["lead_unit__name"] or "",
                        "、".join(co_units.get(record["id"], [])),
                        label("urgency", record["urgency"]),
                        label("status", record["status"]),
                        _yes_no(record["is_key"]),
                        label("supervision", record["supervision"]),
                        _local(record["dispatched_at"]),
                        _local(record["contact_due_at"]),
                        _local(record["first_contact_at"]),
                        _local(record["handle_due_at"]),
                        _local(record["replied_at"]),
                        _local(record["visited_at"]),
                        _yes_no(record["visit_counted"]),
                        _yes_no(record["visit_contacted"]),
                        _yes_no(record["visit_resolved"]),
                        _yes_no(record["visit_satisfied"]),
                        record["rehandling_count"],
                        _local(record["closed_at"]),
                        _yes_no(record["is_excluded"]),
                        exclusion,
                    ],
                )
            )
            rows += 1
    return rows


def _unit_order(unit_ids: set[int | None]) -> list[tuple[int | None, str]]:
    """The units in the street's order (departments, then communities), the undispatched last."""
    units = Unit.objects.filter(pk__in=[u for u in unit_ids if u is not None]).order_by("kind", "sort_order", "name")
    order: list[tuple[int | None, str]] = [(unit.pk, unit.name) for unit in units]
    if None in unit_ids:
        order.append((None, _("Not dispatched yet")))
    return order


def _per_unit(
    tickets: QuerySet[Ticket], trunc: Callable[[str], Any]
) -> dict[dt.date, dict[int | None, dict[str, int]]]:
    """{period: {lead unit id or None: counts}} from one query grouped by period and lead unit."""
    table: dict = defaultdict(dict)
    rows = (
        tickets.annotate(period=trunc("received_at")).values("period", "lead_unit_id").annotate(**MEASURES).order_by()
    )
    for row in rows:
        table[clock.period_start(row["period"])][row["lead_unit_id"]] = {k: row[k] for k in COUNT_KEYS}
    return table


def _write_table(
    sheet: WriteOnlyWorksheet,
    table: dict[dt.date, dict[int | None, dict[str, int]]],
    label_of: Callable[[dt.date], Any],
    *,
    with_total: bool = True,
) -> None:
    """Each period's units, then the street's total of the period (the sum of its rows)."""
    order = _unit_order({unit_id for units in table.values() for unit_id in units})
    street = _("Street total")
    for period in sorted(table):
        units = table[period]
        label = label_of(period)
        total = empty_counts()
        for unit_id, name in order:
            if unit_id in units:
                sheet.append(text_row(sheet, _count_row(label, name, units[unit_id])))
                for k in COUNT_KEYS:
                    total[k] += units[unit_id][k]
        if with_total:
            sheet.append(text_row(sheet, _count_row(label, street, total)))


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def write_workbook(
    start_on: dt.date,
    end_on: dt.date,
    target: str | IO[bytes],
    *,
    unit: Unit | None = None,
    with_text: bool = True,
) -> int:
    """Write the ledger and the three tables of the range to ``target``; returns the ledger's rows.

    ``with_text``: the ledger carries the request and the reply (masked); without it, neither.
    """
    tickets = period_tickets(start_on, end_on, unit=unit)
    book = Workbook(write_only=True)
    rows = write_ledger(book, tickets, with_text=with_text)

    daily = book.create_sheet(_("Daily table"))
    _header_row(daily, _table_headers(_("Day")))
    _write_table(daily, _per_unit(tickets, clock.trunc_day), lambda day: day, with_total=unit is None)

    weekly = book.create_sheet(_("Weekly table"))
    _header_row(weekly, _table_headers(_("Week (Monday to Sunday)")))

    def week_label(monday: dt.date) -> str:
        first, last = max(monday, start_on), min(clock.week_end(monday), end_on)
        return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"

    _write_table(weekly, _per_unit(tickets, clock.trunc_week), week_label, with_total=unit is None)

    monthly = book.create_sheet(_("Monthly table"))
    _header_row(monthly, [*_table_headers(_("Month")), _("Bonus − deductions"), _("Composite score")])
    write_monthly_table(monthly, start_on, end_on, unit=unit)

    book.save(target)
    return rows


def write_monthly_table(
    sheet: WriteOnlyWorksheet, start_on: dt.date, end_on: dt.date, *, unit: Unit | None = None
) -> None:
    """Every month: each unit's counts, rates, bonus − deductions and composite (one grouped query,
    ``unit_scores``), then the street's row — ``build_report``'s monthly row, as on the public page."""
    policies = PolicyBook()
    rows = month_counts(start_on, end_on, unit=unit, by_unit=True)
    scores = unit_scores(start_on, end_on, policies=policies, rows=rows)
    undispatched = {row["month"]: row for row in rows if row["lead_unit_id"] is None}
    with_tickets = {row["lead_unit_id"] for row in rows}
    order = _unit_order(with_tickets)
    # the street's rows: a unit's workbook has none (its rows are its total), so no report is built
    street_months = build_report(start_on, end_on)["months"] if unit is None else None
    for position, month in enumerate(clock.months_between(start_on, end_on)):
        label = month.strftime("%Y-%m")
        for unit_id, name in order:
            if unit_id is None:
                if month in undispatched:
                    sheet.append(text_row(sheet, [*_count_row(label, name, undispatched[month]), None, None]))
                continue
            score = next(m for m in scores[unit_id].months if m.month == month)
            if not score.counts["total"]:
                continue
            sheet.append(
                text_row(
                    sheet,
                    [*_count_row(label, name, score.counts), float(score.adjustment), _number(score.composite)],
                )
            )
        if street_months is None:
            continue
        street = street_months[position]
        sheet.append(
            text_row(
                sheet,
                [
                    *_count_row(label, _("Street total"), street["counts"]),
                    float(street["adjustment"]),
                    _number(street["composite"]),
                ],
            )
        )

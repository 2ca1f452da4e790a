"""Every workbook we hand out is inert (docs/reporting.md): text from upstream or user data is a string
cell, and text a spreadsheet would take as a formula gets a leading apostrophe. Counts and rates stay
numbers. The report command's workbook and the web downloads are the product's spreadsheets (it
writes no CSV); ``inert`` is what a CSV writer would use."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from jxq_cases.lib.spreadsheet import inert, text_row
from org.models import Unit, UnitKind
from reporting.bulletins import take_monthly_bulletin
from tests.factories import counted_ticket

DANGEROUS_CATEGORIES = ['=HYPERLINK("http://x","y")', "+86-10-1234", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
LEAD_UNIT = "@联合执法队"


@pytest.fixture
def dangerous_tickets(community_a):
    lead = Unit.objects.create(street=community_a.street, name=LEAD_UNIT, kind=UnitKind.DEPARTMENT)
    counted_ticket(
        "2023-01-03 09:00",
        unit=community_a,
        visit="yyy",
        ticket_no="=1+1",
        category="物业管理",
        content="=cmd|' /C calc'!A0",
    )
    for i, category in enumerate(DANGEROUS_CATEGORIES):
        counted_ticket(f"2023-01-0{4 + i} 09:00", unit=lead, visit="yny", category=category)


def _cells(book):
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def _assert_inert(book) -> None:
    cells = _cells(book)
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    live = [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert live == []
    header, *rows = list(book.worksheets[0].values)
    by_header = [dict(zip(header, row, strict=True)) for row in rows]
    assert by_header[0]["Ticket number"] == "'=1+1"
    # (openpyxl's own XML writer lets a reader turn the carriage return into a line feed, lxml's keeps
    # it; the apostrophe is what matters)
    assert [r["Category"].replace("\r", "\n") for r in by_header[1:]] == [
        "'" + c.replace("\r", "\n") for c in DANGEROUS_CATEGORIES
    ]
    assert {r["Lead unit"] for r in by_header[1:]} == {"'" + LEAD_UNIT}
    if "Request text" in header:  # the full ledger: the request text is inert too
        assert by_header[0]["Request text"] == "'=cmd|' /C calc'!A0"
    # real numbers stay numbers: the daily table's counts, the monthly table's rates
    daily = list(book.worksheets[1].values)
    assert all(isinstance(row[2], int) for row in daily[1:])
    assert "'" + LEAD_UNIT in {row[1] for row in daily[1:]}
    header, *rows = list(book.worksheets[3].values)
    monthly = next(dict(zip(header, row, strict=True)) for row in rows if row[1] == "Street total")
    assert monthly["Total"] == 7 and isinstance(monthly["Resolution rate %"], float)


def test_the_report_commands_workbook_is_inert(dangerous_tickets, tmp_path):
    target = tmp_path / "report.xlsx"

    with translation.override("en"):
        call_command(
            "report", "--from", "2023-01-01", "--to", "2023-01-31", "--format", "xlsx", "--output", str(target)
        )

    _assert_inert(load_workbook(target))


def test_the_web_download_is_inert(dangerous_tickets, center_staff, unit_handler):
    take_monthly_bulletin(dt.date(2023, 1, 1))
    client = Client()
    client.force_login(center_staff)

    response = client.get("/reports/monthly/", {"on": "2023-01-01", "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    _assert_inert(load_workbook(io.BytesIO(response.content)))
    # a handler is not a reader of the reports: no workbook at all
    client.force_login(unit_handler)
    assert client.get("/reports/monthly/", {"on": "2023-01-01", "format": "xlsx"}).status_code == 404


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("南路社区", "南路社区"),
        ("a=1", "a=1"),
        ("", ""),
        (42, 42),
        (-3.5, -3.5),
        (None, None),
    ],
)
def test_inert_neutralises_only_text_a_spreadsheet_would_evaluate(value, expected):
    assert inert(value) == expected


def test_a_control_character_does_not_break_the_workbook(tmp_path):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append(text_row(sheet, ["a\x01b", "=x", 7, dt.date(2023, 1, 1)]))
    book.save(tmp_path / "c.xlsx")

    [row] = list(load_workbook(tmp_path / "c.xlsx")["s"].values)
    assert row[:3] == ("a\ufffdb", "'=x", 7) and row[3].date() == dt.date(2023, 1, 1)

"""Spreadsheets we hand out are inert: no value from upstream or user data can become a formula.

Excel, WPS and LibreOffice read a CSV cell, or a cell someone retypes, that starts with ``=``, ``+``,
``-`` or ``@`` (a leading tab or carriage return included) as a formula: ``=HYPERLINK(…)`` in a
category would be a live link in a workbook sent to the district. So every writer of an .xlsx or a
.csv passes its values through here:

- ``inert(value)``: text starting with one of those characters gets a leading apostrophe, as OWASP
  advises for CSV injection; the text stays readable (``'=1+1``) and survives a re-save as CSV.
  Numbers, dates and None are returned as they are: counts and rates stay numbers.
- ``text_row(sheet, values)``: a row for an openpyxl write-only sheet, each text value ``inert`` and
  written as a string cell (openpyxl would otherwise store text starting with ``=`` as a formula).

A CSV writer writes ``[inert(v) for v in row]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What an XML-illegal control character in a value becomes (openpyxl refuses them; a report must not).
REPLACEMENT = "\ufffd"


def inert(value):
    """``value`` with a leading apostrophe when it is text that a spreadsheet would take as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def text_cell(sheet, value: str) -> Cell:
    """A string cell of a write-only sheet holding ``inert(value)``, never a formula."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, inert(value)))
    cell.data_type = "s"
    return cell


def text_row(sheet, values) -> list:
    """A row for ``sheet.append``: text as inert string cells, other values (numbers, dates, None) as is."""
    return [text_cell(sheet, value) if isinstance(value, str) else value for value in values]

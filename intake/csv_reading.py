"""Reading upstream CSV exports: the encoding, the header, and the rows, in bounded memory.

Excel on Chinese Windows writes GBK; the platforms write UTF-8, often with a BOM. The encoding is
detected by decoding the whole file strictly, 1 MiB at a time: first as UTF-8 (a BOM is dropped),
then as GB18030 (a superset of GBK). A file that is neither is refused before any row is read, so
a half-decoded file can never be imported as mojibake.

The structure is read strictly, because a quote left open silently merges rows: a file is refused
whole, naming the physical line and the spreadsheet row, when

- a quote is never closed (the rest of the file would be one cell), or a closing quote is followed
  by more text (``"abc"def``);
- a cell spans lines and holds at least as many commas as a whole row has (header width - 1): what a
  quote opened in one row and closed in a later one leaves behind (the tail of its own row plus the
  head of the row where it closes add up to exactly one row's commas);
- the file contains a NUL character;
- and every row whose cell count differs from the header's is listed as an error (short or long).
docs/intake.md ("Strict CSV") gives the reasons and the limits of these rules.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from intake.formats import Column, RowError
from jxq_cases.lib.errors import DomainError, ErrorCode

ENCODINGS = ("utf-8-sig", "gb18030")
READ_CHUNK = 1 << 20
# One field may hold a long complaint, but an unclosed quote must not swallow the whole file.
MAX_FIELD_CHARS = 100_000
csv.field_size_limit(MAX_FIELD_CHARS)
# A file whose start is at least this share NUL (1 in 8) is UTF-16/32 or binary, not text with a stray NUL.
NUL_SHARE_OF_NON_TEXT = 8


@contextmanager
def open_binary(stream_or_path) -> Iterator[io.BufferedIOBase]:
    """A seekable binary stream for a path, a binary file object or an uploaded file."""
    if isinstance(stream_or_path, str | os.PathLike):
        try:
            handle = open(Path(stream_or_path), "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise DomainError(
                ErrorCode.INVALID,
                _("Cannot read %(path)s: %(error)s") % {"path": stream_or_path, "error": exc.strerror},
            ) from exc
        with handle:
            yield handle
        return
    stream = stream_or_path
    if hasattr(stream, "seek") and getattr(stream, "seekable", lambda: True)():
        stream.seek(0)
        yield stream
        return
    # Detection needs two passes; a pipe is spooled to disk first (memory stays bounded).
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool, READ_CHUNK)
        spool.seek(0)
        yield spool


def detect_encoding(binary) -> tuple[str, bool]:
    """(encoding, has NUL): the first of UTF-8 and GB18030 that decodes the whole file strictly.

    NUL never occurs in CSV text. When it makes up an eighth or more of the file's start, the file is
    UTF-16/32 or binary and is refused as an encoding error; a stray NUL is reported by the reader
    with its line (``has NUL``).
    """
    binary.seek(0)
    if not binary.read(1):
        raise DomainError(ErrorCode.INVALID, _("The file is empty."))
    for encoding in ENCODINGS:
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        has_nul = False
        first = True
        try:
            while chunk := binary.read(READ_CHUNK):
                text = decoder.decode(chunk)
                if "\x00" in text:
                    has_nul = True
                    if first and text.count("\x00") * NUL_SHARE_OF_NON_TEXT >= len(text):
                        raise UnicodeDecodeError(encoding, b"\x00", 0, 1, "mostly NUL: not text")
                first = False
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        binary.seek(0)
        return ("utf-8" if encoding == "utf-8-sig" else encoding), has_nul
    raise DomainError(
        ErrorCode.INVALID,
        _(
            "Unsupported file encoding: the file is neither UTF-8 nor GB18030/GBK text. "
            "Save it from Excel as “CSV UTF-8” or “CSV (comma delimited)” and try again."
        ),
    )


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _records(text, *, has_nul: bool) -> Iterator[tuple[int, int, list[str]]]:
    """Yield (spreadsheet row, physical line where the row starts, cells) of every record, blank ones
    included; structural faults refuse the file (see the module docstring)."""
    reader = csv.reader(text, strict=True)
    header: list[str] | None = None
    row = end = 0
    while True:
        first = end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _not_valid_csv(row + 1, first, reader.line_num, exc) from exc
        row += 1
        end = reader.line_num
        if has_nul:
            _refuse_nul(record, row, first)
        if end > first and header is not None:
            _refuse_swallowed_rows(record, header, row, first, end)
        if header is None and any(cell.strip() for cell in record):
            header = record
        yield row, first, record


def _not_valid_csv(row: int, first: int, last: int, exc: csv.Error) -> DomainError:
    message = str(exc)
    if "unexpected end of data" in message or "field larger than field limit" in message:
        detail = _(
            "Row %(row)d (line %(line)d) opens a quote that is never closed: the rest of the file, up to line "
            "%(last)d, would be read as one cell. Close the quote; nothing was imported."
        ) % {"row": row, "line": first, "last": last}
    else:
        detail = _(
            "Row %(row)d, which starts on line %(line)d, is not valid CSV on line %(at)d (%(error)s): a quote is "
            "left open, or a quote inside a quoted cell is not doubled. Nothing was imported."
        ) % {"row": row, "line": first, "at": last, "error": message}
    return DomainError(ErrorCode.INVALID, detail)


def _refuse_nul(record: list[str], row: int, first: int) -> None:
    breaks = 0
    for cell in record:
        at = cell.find("\x00")
        if at < 0:
            breaks += len(_LINE_BREAK.findall(cell))
            continue
        line = first + breaks + len(_LINE_BREAK.findall(cell[:at]))
        raise DomainError(
            ErrorCode.INVALID,
            _(
                "Line %(line)d (row %(row)d) contains a NUL character (byte 0), which is never part of CSV text: "
                "the file is damaged. Nothing was imported."
            )
            % {"line": line, "row": row},
        )


def _refuse_swallowed_rows(record: list[str], header: list[str], row: int, first: int, last: int) -> None:
    row_commas = len(header) - 1
    if row_commas < 1:
        return
    for i, cell in enumerate(record):
        commas = cell.count(",")
        if commas >= row_commas and _LINE_BREAK.search(cell):
            column = header[i].strip().lstrip("\ufeff") if i < len(header) else str(i + 1)
            raise DomainError(
                ErrorCode.INVALID,
                _(
                    "Row %(row)d (lines %(first)d–%(last)d): the cell %(column)s spans several lines and holds "
                    "%(commas)d commas, as many as a whole row has. A quote opened on line %(first)d is probably "
                    "never closed and swallowed the rows up to line %(last)d. Close the quote (if the cell really "
                    "is one text, write its commas as ，). Nothing was imported."
                )
                % {"row": row, "first": first, "last": last, "column": column, "commas": commas},
            )


@dataclass
class CsvRows:
    """The header of a CSV file mapped onto the format's columns, and an iterator over its rows."""

    encoding: str
    present: list[str]  # column codes found in the header, in format order
    ignored_columns: list[str] = field(default_factory=list)
    _records: Iterator[tuple[int, int, list[str]]] | None = None
    _index: dict[str, int] = field(default_factory=dict)
    _width: int = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, str], list[RowError]]]:
        """Yield (spreadsheet row number, raw values by column code, structural errors); blank rows skipped."""
        width = self._width
        for row, line, record in self._records:
            if not any(cell.strip() for cell in record):
                continue
            errors = []
            if len(record) != width:
                errors.append(
                    RowError(
                        row,
                        "-",
                        ",".join(record),
                        _("the row has %(n)d cells but the header has %(m)d") % {"n": len(record), "m": width},
                        line=line,
                    )
                )
            raw = {code: (record[i] if i < len(record) else "") for code, i in self._index.items()}
            yield row, raw, errors


def read_csv(binary, columns: list[Column]) -> CsvRows:
    """Detect the encoding, read the header and return the rows; header problems refuse the file."""
    encoding, has_nul = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
    records = _records(text, has_nul=has_nul)
    header_row = 0
    header: list[str] | None = None
    for row, _line, record in records:
        if any(cell.strip() for cell in record):
            header, header_row = record, row
            break
    if header is None:
        raise DomainError(ErrorCode.INVALID, _("The file is empty."))
    by_name = {}
    for column in columns:
        by_name[column.code.lower()] = column.code
        by_name[column.header_zh] = column.code
    index: dict[str, int] = {}
    ignored: list[str] = []
    duplicated: list[str] = []
    for i, cell in enumerate(header):
        name = cell.strip().lstrip("\ufeff").strip()
        code = by_name.get(name) or by_name.get(name.lower())
        if code is None:
            if name:
                ignored.append(name)
        elif code in index:
            duplicated.append(name)
        else:
            index[code] = i
    if duplicated:
        raise DomainError(
            ErrorCode.INVALID,
            _("The header names a column twice: %(names)s.") % {"names": ", ".join(duplicated)},
        )
    missing = [f"{c.code} ({c.header_zh})" for c in columns if c.required and c.code not in index]
    if missing:
        raise DomainError(
            ErrorCode.INVALID,
            _("Required column(s) missing from the header (row %(row)d): %(columns)s.")
            % {"row": header_row, "columns": ", ".join(missing)},
        )
    present = [c.code for c in columns if c.code in index]
    return CsvRows(
        encoding=encoding,
        present=present,
        ignored_columns=ignored,
        _records=records,
        _index=index,
        _width=len(header),
    )

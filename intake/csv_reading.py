"""Reading upstream CSV exports: the encoding, the header, and the rows, in bounded memory.

Excel on Chinese Windows writes GBK; the platforms write UTF-8, often with a BOM. The encoding is
detected by decoding the whole file strictly, 1 MiB at a time: first as UTF-8 (a BOM is dropped),
then as GB18030 (a superset of GBK). A file that is neither is refused before any row is read, so
a half-decoded file can never be imported as mojibake.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
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


def detect_encoding(binary) -> str:
    """The first of UTF-8 and GB18030 that decodes the whole file strictly; else an "encoding" error."""
    binary.seek(0)
    if not binary.read(1):
        raise DomainError(ErrorCode.INVALID, _("The file is empty."))
    for encoding in ENCODINGS:
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            while chunk := binary.read(READ_CHUNK):
                # NUL never occurs in CSV text; it betrays UTF-16 or a binary file that happens to decode.
                if "\x00" in decoder.decode(chunk):
                    raise UnicodeDecodeError(encoding, b"\x00", 0, 1, "NUL character")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        binary.seek(0)
        return "utf-8" if encoding == "utf-8-sig" else encoding
    raise DomainError(
        ErrorCode.INVALID,
        _(
            "Unsupported file encoding: the file is neither UTF-8 nor GB18030/GBK text. "
            "Save it from Excel as “CSV UTF-8” or “CSV (comma delimited)” and try again."
        ),
    )


@dataclass
class CsvRows:
    """The header of a CSV file mapped onto the format's columns, and an iterator over its rows."""

    encoding: str
    present: list[str]  # column codes found in the header, in format order
    ignored_columns: list[str] = field(default_factory=list)
    _records: Iterator[list[str]] | None = None
    _index: dict[str, int] = field(default_factory=dict)
    _width: int = 0
    _row: int = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, str], list[RowError]]]:
        """Yield (spreadsheet row number, raw values by column code, structural errors); blank rows skipped."""
        while True:
            try:
                record = next(self._records)
            except StopIteration:
                return
            except csv.Error as exc:
                raise DomainError(
                    ErrorCode.INVALID,
                    _("Row %(row)d is not valid CSV (%(error)s); is a quote left open?")
                    % {"row": self._row + 1, "error": exc},
                ) from exc
            self._row += 1
            if not any(cell.strip() for cell in record):
                continue
            errors = []
            if len(record) > self._width and any(cell.strip() for cell in record[self._width :]):
                errors.append(
                    RowError(
                        self._row,
                        "-",
                        ",".join(record[self._width :]),
                        _("the row has %(n)d cells but the header has %(m)d") % {"n": len(record), "m": self._width},
                    )
                )
            raw = {code: (record[i] if i < len(record) else "") for code, i in self._index.items()}
            yield self._row, raw, errors


def read_csv(binary, columns: list[Column]) -> CsvRows:
    """Detect the encoding, read the header and return the rows; header problems refuse the file."""
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
    records = csv.reader(text)
    row = 0
    header: list[str] | None = None
    for record in records:
        row += 1
        if any(cell.strip() for cell in record):
            header = record
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
            % {"row": row, "columns": ", ".join(missing)},
        )
    present = [c.code for c in columns if c.code in index]
    return CsvRows(
        encoding=encoding,
        present=present,
        ignored_columns=ignored,
        _records=records,
        _index=index,
        _width=len(header),
        _row=row,
    )

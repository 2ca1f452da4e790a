"""A per-connection staging table that an import streams its rows into, in chunks.

PostgreSQL gets the rows by COPY (one round trip per chunk); other databases by executemany. The
table is TEMP, so two imports on two connections never see each other's rows, and it is created
inside the import's transaction, so a refused file leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.db import connection

CHUNK_ROWS = 5000

# "text" columns never hold NULL (an empty value is ""); "ntext" columns may (an empty value is NULL).
_PG_TYPES = {"int": "integer", "bigint": "bigint", "bool": "boolean", "text": "text", "ntext": "text",
             "datetime": "timestamptz", "float": "double precision"}  # fmt: skip
_LITE_TYPES = {"int": "integer", "bigint": "integer", "bool": "integer", "text": "text", "ntext": "text",
               "datetime": "text", "float": "real"}  # fmt: skip


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def distinct_op() -> str:
    """SQL for "differs, NULLs included": ``IS DISTINCT FROM`` on PostgreSQL, ``IS NOT`` on SQLite."""
    return "IS DISTINCT FROM" if is_postgresql() else "IS NOT"


class StagingTable:
    """``columns`` are (name, type) with type in int/bigint/bool/text/ntext/datetime/float; rows are tuples
    in order."""

    def __init__(self, cursor, name: str, columns: list[tuple[str, str]]):
        self.cursor = cursor
        self.name = name
        self.columns = columns
        self.kinds = [kind for _, kind in columns]
        self.pending: list[tuple] = []
        self.postgres = is_postgresql()
        types = _PG_TYPES if self.postgres else _LITE_TYPES
        texts = [col for col, kind in columns if kind == "text"]
        self.not_null = f", FORCE_NOT_NULL ({', '.join(texts)})" if texts else ""
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        body = ", ".join(f"{col} {types[kind]}" for col, kind in columns)
        cursor.execute(f"CREATE TEMP TABLE {name} ({body})")

    def add(self, row: tuple) -> None:
        self.pending.append(row)
        if len(self.pending) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        if self.postgres:
            self._copy(self.pending)
        else:
            ops = self.cursor.db.ops
            rows = [
                tuple(ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v for v in row)
                for row in self.pending
            ]
            marks = ", ".join(["%s"] * len(self.columns))
            self.cursor.executemany(f"INSERT INTO {self.name} VALUES ({marks})", rows)
        self.pending = []

    def _copy(self, rows: list[tuple]) -> None:
        # CSV format: the C csv writer quotes whatever needs it. An unquoted empty field is NULL, except
        # in the text columns (FORCE_NOT_NULL), where it is the empty string: None and "" are only told
        # apart in the other columns, which is all the importers need.
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        buffer.seek(0)
        # Django's cursor wraps psycopg2's; copy_expert lives on the raw one.
        raw = getattr(self.cursor, "cursor", self.cursor)
        # (the cursor's own connection: a merge worker thread may be the one flushing)
        with self.cursor.db.wrap_database_errors:
            raw.copy_expert(f"COPY {self.name} FROM STDIN WITH (FORMAT csv{self.not_null})", buffer)

    def finish_loading(self) -> None:
        """Flush the last chunk. No index and no ANALYZE: every later statement reads the whole
        table once (hash joins, one sort for the duplicate check), and building them cost more than
        they saved (~1 s per 100,000 rows)."""
        self.flush()

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def model_defaults(model, exclude: set[str], now: datetime) -> tuple[list[str], list]:
    """Columns of ``model`` that a raw INSERT does not set itself, with the values the ORM would give them.

    Set-based inserts bypass ``Model.save()``; reading the defaults from the model keeps them right when
    another app's migration adds a column (``auto_now``/``auto_now_add`` columns get ``now``).
    """
    template = model()
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in exclude:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = getattr(template, field.attname)
        columns.append(field.column)
        values.append(field.get_db_prep_save(value, connection))
    return columns, values


# Advisory lock keys (PostgreSQL) that keep a ticket number in one street (docs/district.md): the
# database's unique index is per street, so two streets receiving the same number at the same instant
# would both succeed without them. A file import takes the intake lock exclusively (imports of tickets
# take turns); one JSON ticket takes it shared, then its number's own lock.
_INTAKE_LOCK = 12_001
_NUMBER_LOCK = 12_002


def intake_lock() -> None:
    """Inside the import's transaction: no other ticket intake runs until it commits."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_INTAKE_LOCK])


def number_lock(ticket_no: str) -> None:
    """Inside one ticket's transaction: no file import, and no other request for the same number."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [_INTAKE_LOCK])
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_NUMBER_LOCK, ticket_no])

"""Importing ticket exports and return-visit results (docs/domain.md §8), all or nothing, in bounded memory.

The rule: a file is imported whole or not at all. Every row is validated in Python (one row
validator, shared with the JSON API) and streamed, chunk by chunk, into a TEMP staging table;
duplicates inside the file and unknown ticket numbers are found in SQL; only when no row is bad
are the rows merged into the real tables with set-based SQL (INSERT for new rows, UPDATE for
changed ones), all inside one transaction. A bad file raises ``DomainError(INVALID)`` whose
``errors`` list every bad row (row, column, value, reason), capped at ``MAX_LISTED_ERRORS`` entries
with the total in the message; the database is left exactly as it was.

Importing the same file twice changes nothing: an existing ticket (by ticket number) or visit (by
ticket and time) is compared column by column and counted as unchanged when nothing differs. A
ticket number received again follows ``intake.upstream_changes``: the caller passes
``record_updates``, which gets the batch and every ``TicketChange`` inside the import's transaction
(``dispatch.upstream`` writes them on the timeline; intake does not know the timeline).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intake import signals
from intake.csv_reading import open_binary, read_csv
from intake.formats import TICKET_COLUMNS, VISIT_COLUMNS, RowError, RowValidator
from intake.models import ImportBatch, ReturnVisit, Ticket, Urgency
from intake.places import Placer
from intake.search_columns import columns_for, refresh_search_columns
from intake.staging import CHUNK_ROWS, StagingTable, distinct_op, intake_lock, model_defaults
from intake.ticket_merge import CHUNK_STAGE, SEARCH_COLUMNS, TICKET_DATA, TicketChunkMerger
from intake.upstream_changes import TicketChange, past_receipt_error
from jxq_cases.lib import clock, public_cache
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.streets import intake_street

# An error report lists at most this many entries (a row may have several); the message gives the
# total. It keeps a file with a million bad rows from building a million-entry report in memory.
MAX_LISTED_ERRORS = 1000

_VISIT_FLAGS = ["counted", "contacted", "resolved", "satisfied"]

# Called inside the import's transaction with the batch and what re-receiving changed.
RecordUpdates = Callable[[ImportBatch, list[TicketChange]], None]


@dataclass
class ImportResult:
    """What an accepted import did. ``changed_ticket_ids``: tickets whose latest visit changed (visits)."""

    batch: ImportBatch
    rows: int
    created: int
    updated: int
    unchanged: int
    encoding: str
    ignored_columns: list[str] = field(default_factory=list)
    changed_ticket_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "batch": self.batch.pk,
            "kind": str(self.batch.kind),
            "file_name": self.batch.file_name,
            "encoding": self.encoding,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "ignored_columns": self.ignored_columns,
        } | (
            {"tickets_with_new_latest_visit": len(self.changed_ticket_ids)}
            if self.batch.kind == ImportBatch.Kind.VISITS
            else {}
        )


class ErrorReport:
    """Collects row errors up to the cap and counts the rest."""

    def __init__(self):
        self.listed: list[RowError] = []
        self.total = 0

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(error)

    def raise_if_any(self) -> None:
        if not self.total:
            return
        rows = len({e.row for e in self.listed})
        detail = ngettext(
            "The file was not imported (nothing was changed): %(n)d error",
            "The file was not imported (nothing was changed): %(n)d errors",
            self.total,
        ) % {"n": self.total}
        if self.total > len(self.listed):
            detail += _("; the first %(listed)d are listed, and %(more)d more.") % {
                "listed": len(self.listed),
                "more": self.total - len(self.listed),
            }
        else:
            detail += ngettext(" in %(rows)d row.", " in %(rows)d rows.", rows) % {"rows": rows}
        self.listed.sort(key=lambda e: e.row or 0)
        raise DomainError(ErrorCode.INVALID, detail, errors=[e.as_dict() for e in self.listed])


def _refuse_empty(rows: int) -> None:
    if rows == 0:
        raise DomainError(ErrorCode.INVALID, _("The file has a header but no rows: there is nothing to import."))


def _is_unique_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "pgcode", None) == "23505" or "UNIQUE constraint failed" in str(exc)


def _conflict(exc: IntegrityError) -> DomainError:
    """Two imports adding the same ticket or visit at once: the loser is refused and may retry."""
    return DomainError(
        ErrorCode.CONFLICT,
        _("Another import changed the same tickets at the same time; nothing was imported, try again. (%(e)s)")
        % {"e": exc},
    )


@contextmanager
def _import_transaction():
    """One transaction for the whole file.

    When it is the outermost transaction on PostgreSQL, foreign keys are checked as each statement
    runs instead of all at COMMIT (Django declares them DEFERRABLE INITIALLY DEFERRED): the checks
    then run in the merge worker, overlapping the reading of the next chunk, and the commit no longer
    stalls ~2 s per 100,000 tickets. Inside a caller's transaction its deferred mode is left alone.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield


def _announce(kind: str, street) -> None:
    """Tell the other apps of the import once it is committed (``intake.signals.imported``)."""
    transaction.on_commit(lambda: signals.imported.send(sender=ImportBatch, kind=kind, street=street))


# --------------------------------------------------------------------------------------------- tickets


def import_tickets(
    stream_or_path, *, actor=None, file_name: str = "", record_updates: RecordUpdates, street=None
) -> ImportResult:
    """Import a ticket export (docs/domain.md §8): new ticket numbers are created; known ones follow
    ``intake.upstream_changes`` (updated while received, refused when a ticket past receipt differs).
    ``record_updates`` is required so that no caller can update tickets without recording it.
    The tickets are ``street``'s (``org.streets.intake_street``: default the actor's or the only
    street); a community of another street or a number another street holds refuses the file."""
    target = intake_street(street, actor)
    with open_binary(stream_or_path) as binary:
        source = read_csv(binary, TICKET_COLUMNS)
        try:
            with _import_transaction():
                result = _import_ticket_rows(
                    source, actor=actor, file_name=file_name, record_updates=record_updates, street=target
                )
                _announce("tickets", target)
                return result
        except IntegrityError as exc:
            if not _is_unique_violation(exc):
                raise
            raise _conflict(exc) from exc


def _import_ticket_rows(source, *, actor, file_name: str, record_updates: RecordUpdates, street) -> ImportResult:
    intake_lock()  # a number stays in one street: intake of tickets takes turns (intake.staging)
    validator = RowValidator(TICKET_COLUMNS, street=street)
    report = ErrorReport()
    codes = ["ticket_no"] + [code for code, _col in TICKET_DATA]
    defaults = {"complainant_name": "", "complainant_phone": "", "address": "", "urgency": Urgency.NORMAL}
    padding = (None,) * (len(CHUNK_STAGE) - 3)
    now = timezone.now()
    # created first so the new tickets can point at it; a refused file rolls it back with the rest
    placer = Placer()  # new tickets are written with their place (updates are placed after the import)
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.TICKETS, file_name=file_name[:255], encoding=source.encoding, imported_by=actor
    )
    with connection.cursor() as cursor:
        merger = TicketChunkMerger(cursor, present=set(source.present), batch_id=batch.pk, now=now, street_id=street.pk)
        try:
            rows = 0
            chunk: list[tuple] = []
            for row_no, raw, errors in source:
                rows += 1
                clean, row_errors = validator.validate(raw, row_no)
                if errors or row_errors:
                    for error in errors + row_errors:
                        report.add(error)
                    # kept for the duplicate check only; never merged
                    chunk.append((row_no, False, raw.get("ticket_no", "").strip() or None, *padding))
                else:
                    values = [clean.get(code, defaults.get(code)) for code in codes]
                    texts = dict(zip(codes, values, strict=True))
                    search = columns_for(
                        texts["content"] or "", texts["address"] or "", texts["complainant_phone"] or ""
                    )
                    place = placer.place(street.pk, texts["address"] or "")
                    chunk.append((row_no, True, *values, *[search[col] for col in SEARCH_COLUMNS], *place))
                if len(chunk) == CHUNK_ROWS:
                    merger.submit(chunk, merge=not report.total)
                    chunk = []
            if chunk:
                merger.submit(chunk, merge=not report.total)
            merger.finish()
        except BaseException:
            merger.abort()
            raise
        _refuse_empty(rows)
        for row_no, ticket_no, status, fields in merger.refusals:
            report.add(past_receipt_error(row_no, ticket_no, status, fields))
        for row_no, ticket_no, other in merger.foreign:
            reason = _("is held by another street (%(street)s)") % {"street": other}
            report.add(RowError(row_no, "ticket_no", ticket_no, reason))
        _report_duplicates(
            cursor, merger.seen_table, "ticket_no", report, _("the ticket number also appears in row %(first)d")
        )
        report.raise_if_any()
        created, updated = merger.created, merger.updated
        merger.drop()

    # the merge wrote the search columns with the rows (intake.ticket_merge); an update from a file
    # without all of content, address and phone recomputes them from what the ticket now holds
    if merger.changes and not merger.updates_search:
        refresh_search_columns(Ticket.objects.filter(pk__in=[change.ticket_id for change in merger.changes]))
    unchanged = rows - created - updated
    ImportBatch.objects.filter(pk=batch.pk).update(rows=rows, created=created, updated=updated, unchanged=unchanged)
    batch.rows, batch.created, batch.updated, batch.unchanged = rows, created, updated, unchanged
    if merger.changes:
        record_updates(batch, merger.changes)
    return ImportResult(
        batch=batch,
        rows=rows,
        created=created,
        updated=updated,
        unchanged=unchanged,
        encoding=source.encoding,
        ignored_columns=source.ignored_columns,
    )


def _report_duplicates(cursor, stage: str, key: str, report: ErrorReport, reason: str, where: str = "") -> None:
    """Every row whose ``key`` (a column list) already appeared in an earlier row of the same file."""
    cursor.execute(
        f"SELECT row_no, ticket_no, first_row FROM (SELECT row_no, ticket_no, "
        f"MIN(row_no) OVER (PARTITION BY {key}) AS first_row FROM {stage} WHERE ticket_no IS NOT NULL {where}) d "
        "WHERE row_no <> first_row ORDER BY row_no"
    )
    while batch := cursor.fetchmany(1000):
        for row_no, ticket_no, first_row in batch:
            report.add(RowError(row_no, "ticket_no", ticket_no, reason % {"first": first_row}))


# ---------------------------------------------------------------------------------------------- visits


_VISIT_STAGE = [
    ("row_no", "int"),
    ("ok", "bool"),
    ("ticket_no", "ntext"),
    ("visited_at", "datetime"),
    ("counted", "bool"),
    ("contacted", "bool"),
    ("resolved", "bool"),
    ("satisfied", "bool"),
    ("ticket_id", "bigint"),
]


def import_visits(stream_or_path, *, actor=None, file_name: str = "", street=None) -> ImportResult:
    """Import return-visit results: one ReturnVisit per (ticket, visited_at); the ticket's latest-visit
    columns follow its latest visit. ``changed_ticket_ids`` lists the tickets whose latest visit changed.
    The visits are of ``street``'s tickets (``org.streets.intake_street``); a number of another
    street's ticket refuses the file, naming the row."""
    target = intake_street(street, actor)
    with open_binary(stream_or_path) as binary:
        source = read_csv(binary, VISIT_COLUMNS)
        try:
            with _import_transaction():
                result = _import_visit_rows(source, actor=actor, file_name=file_name, street=target)
                _announce("visits", target)
            public_cache.figures_changed()  # the public figures count visits: serve them afresh
            return result
        except IntegrityError as exc:
            if not _is_unique_violation(exc):
                raise
            raise _conflict(exc) from exc


def _import_visit_rows(source, *, actor, file_name: str, street) -> ImportResult:
    validator = RowValidator(VISIT_COLUMNS)
    report = ErrorReport()
    with connection.cursor() as cursor:
        stage = StagingTable(cursor, "intake_stage_visits", _VISIT_STAGE)
        s = stage.name
        rows = 0
        for row_no, raw, errors in source:
            rows += 1
            clean, row_errors = validator.validate(raw, row_no)
            for error in errors + row_errors:
                report.add(error)
            if errors or row_errors:
                stage.add((row_no, False, raw.get("ticket_no", "").strip() or None) + (None,) * (len(_VISIT_STAGE) - 3))
                continue
            flags = tuple(clean[flag] for flag in _VISIT_FLAGS)
            stage.add((row_no, True, clean["ticket_no"], clean["visited_at"], *flags, None))
        _refuse_empty(rows)
        stage.finish_loading()
        cursor.execute(
            f"UPDATE {s} SET ticket_id = t.id FROM intake_ticket t "
            f"WHERE t.ticket_no = {s}.ticket_no AND t.street_id = %s",
            [street.pk],
        )
        cursor.execute(
            f"SELECT s.row_no, s.ticket_no, MIN(st.name) FROM {s} s "
            "LEFT JOIN intake_ticket t ON t.ticket_no = s.ticket_no LEFT JOIN org_street st ON st.id = t.street_id "
            "WHERE s.ticket_no IS NOT NULL AND s.ticket_id IS NULL GROUP BY s.row_no, s.ticket_no ORDER BY s.row_no"
        )
        while found := cursor.fetchmany(1000):
            for row_no, ticket_no, other in found:
                if other:
                    reason = _("is a ticket of another street (%(street)s)") % {"street": other}
                else:
                    reason = _("no ticket has this number")
                report.add(RowError(row_no, "ticket_no", ticket_no, reason))
        cursor.execute(
            f"SELECT s.row_no, s.visited_at, t.received_at FROM {s} s JOIN intake_ticket t ON t.id = s.ticket_id "
            "WHERE s.ok AND s.visited_at < t.received_at ORDER BY s.row_no"
        )
        while found := cursor.fetchmany(1000):
            for row_no, visited_at, received_at in found:
                report.add(
                    RowError(
                        row_no,
                        "visited_at",
                        _local_text(visited_at),
                        _("is before the ticket was received (%(received)s)") % {"received": _local_text(received_at)},
                    )
                )
        _report_duplicates(
            cursor,
            s,
            "ticket_no, visited_at",
            report,
            _("this ticket's visit at this time also appears in row %(first)d"),
            where="AND ok",
        )
        report.raise_if_any()

        now = timezone.now()
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.VISITS,
            file_name=file_name[:255],
            encoding=source.encoding,
            imported_by=actor,
            rows=rows,
        )
        same_visit = "v.ticket_id = s.ticket_id AND v.visited_at = s.visited_at"
        differs = " OR ".join(f"v.{flag} <> s.{flag}" for flag in _VISIT_FLAGS)
        cursor.execute(
            "SELECT SUM(CASE WHEN v.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN v.id IS NOT NULL AND ({differs}) THEN 1 ELSE 0 END) "
            f"FROM {s} s LEFT JOIN intake_returnvisit v ON {same_visit}"
        )
        created, updated = (int(n or 0) for n in cursor.fetchone())
        if updated:  # before the INSERT, so that only visits that existed are compared
            assignments = ", ".join(f"{flag} = s.{flag}" for flag in _VISIT_FLAGS)
            cursor.execute(
                f"UPDATE intake_returnvisit AS v SET {assignments}, import_batch_id = %s "
                f"FROM {s} s WHERE {same_visit} AND ({differs})",
                [batch.pk],
            )
        if created:
            insert_cols = ["ticket_id", "visited_at", *_VISIT_FLAGS, "import_batch_id"]
            default_cols, defaults = model_defaults(ReturnVisit, set(insert_cols), now)
            cursor.execute(
                f"INSERT INTO intake_returnvisit ({', '.join(insert_cols + default_cols)}) "
                f"SELECT s.ticket_id, s.visited_at, {', '.join('s.' + f for f in _VISIT_FLAGS)}, "
                f"%s{', %s' * len(default_cols)} FROM {s} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM intake_returnvisit v WHERE {same_visit}) ORDER BY s.row_no",
                [batch.pk, *defaults],
            )
        changed_ticket_ids = _follow_latest_visits(cursor, s, now)
        stage.drop()

    unchanged = rows - created - updated
    ImportBatch.objects.filter(pk=batch.pk).update(created=created, updated=updated, unchanged=unchanged)
    batch.created, batch.updated, batch.unchanged = created, updated, unchanged
    return ImportResult(
        batch=batch,
        rows=rows,
        created=created,
        updated=updated,
        unchanged=unchanged,
        encoding=source.encoding,
        ignored_columns=source.ignored_columns,
        changed_ticket_ids=changed_ticket_ids,
    )


def _follow_latest_visits(cursor, stage: str, now) -> list[int]:
    """Copy each touched ticket's latest visit onto its latest-visit columns; return the tickets that changed."""
    op = distinct_op()
    columns = [("visited_at", "visited_at")] + [(f"visit_{flag}", flag) for flag in _VISIT_FLAGS]
    cursor.execute(
        f"UPDATE intake_ticket SET {', '.join(f'{t} = v.{v}' for t, v in columns)}, updated_at = %s "
        "FROM intake_returnvisit v "
        f"WHERE v.ticket_id = intake_ticket.id AND intake_ticket.id IN (SELECT ticket_id FROM {stage}) "
        "AND v.visited_at = (SELECT MAX(v2.visited_at) FROM intake_returnvisit v2 WHERE v2.ticket_id = v.ticket_id) "
        f"AND ({' OR '.join(f'intake_ticket.{t} {op} v.{v}' for t, v in columns)}) "
        "RETURNING intake_ticket.id",
        [now],
    )
    return sorted(row[0] for row in cursor.fetchall())


def _local_text(value) -> str:
    """A database datetime (aware, or naive UTC text on SQLite) as the user wrote it: Beijing time."""
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return clock.local(value).strftime("%Y-%m-%d %H:%M:%S")

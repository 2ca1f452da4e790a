"""Merging a ticket export into ``intake_ticket`` chunk by chunk, while the next chunk is being read.

Reading and validating rows is Python work; inserting into ``intake_ticket`` (19 indexes) is
PostgreSQL work, on the other core. So each chunk of validated rows is copied into a TEMP chunk table
and merged at once -- on PostgreSQL by a worker thread, so that the server inserts chunk n while
Python validates chunk n+1 (psycopg2 releases the GIL while it waits for the server).

The rule stays all or nothing: the import is one transaction, and a bad row anywhere (found by
Python, or by the duplicate check over the whole file at the end) raises and rolls every merged
chunk back. From the first bad row on, chunks are only staged for the duplicate check.
"""

from __future__ import annotations

import queue
import threading

from intake.models import Ticket
from intake.staging import StagingTable, distinct_op, is_postgresql, model_defaults

# Ticket columns an import may set, besides ticket_no: compared on re-import, updated when they differ.
TICKET_DATA = [
    ("source", "source"),
    ("received_at", "received_at"),
    ("kind", "kind"),
    ("category", "category_id"),
    ("content", "content"),
    ("complainant_name", "complainant_name"),
    ("complainant_phone", "complainant_phone"),
    ("address", "address"),
    ("community", "community_id"),
    ("urgency", "urgency"),
]
CHUNK_STAGE = [
    ("row_no", "int"),
    ("ok", "bool"),
    ("ticket_no", "ntext"),
    ("source", "text"),
    ("received_at", "datetime"),
    ("kind", "text"),
    ("category", "ntext"),
    ("content", "text"),
    ("complainant_name", "text"),
    ("complainant_phone", "text"),
    ("address", "text"),
    ("community_id", "bigint"),
    ("urgency", "text"),
]
SEEN_STAGE = [("row_no", "int"), ("ticket_no", "ntext")]
_DONE = object()


class TicketChunkMerger:
    """``submit(rows, merge=...)`` each chunk (tuples in CHUNK_STAGE order), then ``finish()``.

    ``seen_table`` holds every row's ticket number for the final duplicate check; ``created`` and
    ``updated`` count what the merges did.
    """

    def __init__(self, cursor, *, present: set[str], batch_id: int, now):
        self.cursor = cursor
        self.chunk = StagingTable(cursor, "intake_stage_ticket_chunk", CHUNK_STAGE)
        self.seen = StagingTable(cursor, "intake_stage_ticket_nos", SEEN_STAGE)
        self.seen_table = self.seen.name
        self.present = present
        self.batch_id = batch_id
        self.now = now
        self.created = self.updated = 0
        self.merging = True
        self.aborted = False
        self.error: BaseException | None = None
        self._sql()
        self.queue: queue.Queue | None = None
        self.thread: threading.Thread | None = None
        self.postgres = is_postgresql()
        if self.postgres:
            self.queue = queue.Queue(maxsize=2)  # bounded memory: at most two chunks wait
            self.thread = threading.Thread(target=self._work, name="ticket-merge", daemon=True)
            self.thread.start()

    def submit(self, rows: list[tuple], *, merge: bool) -> None:
        if self.queue is None:
            self._process(rows, merge)
            return
        while True:  # never block forever on a worker that has died
            if self.error is not None:
                self.finish()
            try:
                self.queue.put((rows, merge), timeout=1)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        """Wait for the last chunk; re-raise what the worker raised."""
        if self.thread is not None:
            while self.thread.is_alive():
                try:
                    self.queue.put(_DONE, timeout=1)
                    break
                except queue.Full:
                    continue
            self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """The import failed in the main thread: let the worker skip what is queued, and wait for it,
        so that nothing runs on the connection while the transaction rolls back."""
        self.aborted = True
        if self.thread is not None:
            while self.thread.is_alive():
                try:
                    self.queue.put(_DONE, timeout=1)
                    break
                except queue.Full:
                    continue
            self.thread.join()

    def drop(self) -> None:
        self.chunk.drop()
        self.seen.drop()

    def _work(self) -> None:
        while (item := self.queue.get()) is not _DONE:
            if self.aborted:
                continue
            try:
                self._process(*item)
            except BaseException as exc:  # handed to the main thread, which raises it
                self.error = exc
                return

    def _process(self, rows: list[tuple], merge: bool) -> None:
        cursor, chunk = self.cursor, self.chunk.name
        self.chunk.pending = rows
        self.chunk.flush()
        if merge and self.merging:
            cursor.execute(
                f"SELECT 1 FROM {chunk} WHERE ticket_no IS NOT NULL GROUP BY ticket_no HAVING COUNT(*) > 1 LIMIT 1"
            )
            # a ticket number twice in one chunk: the file will be refused, and inserting both would
            # only trade the clear duplicate report for a unique-index error
            self.merging = cursor.fetchone() is None
        if merge and self.merging:
            self._merge()
        cursor.execute(
            f"INSERT INTO {self.seen_table} (row_no, ticket_no) SELECT row_no, ticket_no FROM {chunk} "
            "WHERE ticket_no IS NOT NULL"
        )
        cursor.execute(f"DELETE FROM {chunk}")

    def _sql(self) -> None:
        chunk = self.chunk.name
        # the chunk's valid rows joined to their category; each ticket column and where it comes from
        rows = f"{chunk} s LEFT JOIN intake_category c ON c.name = s.category"
        sources = {code: "c.id" if code == "category" else f"s.{col}" for code, col in TICKET_DATA}
        compared = [(col, sources[code]) for code, col in TICKET_DATA if code in self.present]
        differs = " OR ".join(f"t.{col} {distinct_op()} {expr}" for col, expr in compared)
        self.categories_sql = (
            f"INSERT INTO intake_category (name) SELECT DISTINCT category FROM {chunk} "
            "WHERE ok AND category IS NOT NULL ON CONFLICT (name) DO NOTHING"
        )
        self.count_sql = (
            "SELECT SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN t.id IS NOT NULL AND ({differs}) THEN 1 ELSE 0 END) "
            f"FROM {rows} LEFT JOIN intake_ticket t ON t.ticket_no = s.ticket_no WHERE s.ok"
        )
        assignments = ", ".join(f"{col} = {expr}" for col, expr in compared)
        self.update_sql = (
            f"UPDATE intake_ticket AS t SET {assignments}, updated_at = %s "
            f"FROM {rows} WHERE s.ok AND t.ticket_no = s.ticket_no AND ({differs})"
        )
        insert_cols = ["ticket_no"] + [col for _code, col in TICKET_DATA] + ["import_batch_id"]
        default_cols, self.defaults = model_defaults(Ticket, set(insert_cols), self.now)
        self.insert_sql = (
            f"INSERT INTO intake_ticket ({', '.join(insert_cols + default_cols)}) "
            f"SELECT s.ticket_no, {', '.join(sources[code] for code, _col in TICKET_DATA)}, "
            f"%s{', %s' * len(default_cols)} FROM {rows} "
            "WHERE s.ok AND NOT EXISTS (SELECT 1 FROM intake_ticket t WHERE t.ticket_no = s.ticket_no) "
            "ORDER BY s.row_no"
        )

    def _merge(self) -> None:
        cursor = self.cursor
        if "category" in self.present:
            cursor.execute(self.categories_sql)
        if self.postgres:
            # A chunk is 5,000 rows: 5,000 probes of the ticket_no index take ~15 ms whatever the size
            # of intake_ticket, but without statistics on the TEMP chunk the planner hashes the whole
            # ticket table for every chunk (70 ms at 100,000 tickets, ten times that at a million).
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(self.count_sql)
        created, updated = (int(n or 0) for n in cursor.fetchone())
        if updated:  # before the INSERT, so that only tickets that existed are compared
            cursor.execute(self.update_sql, [self.now])
        if created:
            cursor.execute(self.insert_sql, [self.batch_id, *self.defaults])
        if self.postgres:
            cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
            cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")
        self.created += created
        self.updated += updated

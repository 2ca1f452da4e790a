"""Merging a ticket export into ``intake_ticket`` chunk by chunk, while the next chunk is being read.

Reading and validating rows is Python work; inserting into ``intake_ticket`` (19 indexes) is
PostgreSQL work, on the other core. So each chunk of validated rows is copied into a TEMP chunk table
and merged at once -- on PostgreSQL by a worker thread, so that the server inserts chunk n while
Python validates chunk n+1 (psycopg2 releases the GIL while it waits for the server).

The rule stays all or nothing: the import is one transaction, and a bad row anywhere (found by
Python, or by the duplicate check over the whole file at the end) raises and rolls every merged
chunk back. From the first bad row on, chunks are only staged for the duplicate check.

A known ticket number follows ``intake.upstream_changes``: a ``received`` ticket is updated and its
changes (old -> new) are collected in ``changes`` for the caller to record; a ticket past receipt
whose upstream fields differ is collected in ``refusals`` and the file will be refused.
"""

from __future__ import annotations

import queue
import threading

from intake.models import Ticket
from intake.search_columns import SOURCE_FIELDS
from intake.staging import StagingTable, distinct_op, is_postgresql, model_defaults
from intake.upstream_changes import CLASSIFICATION_FIELDS, OPEN_TO_UPDATES, TicketChange

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
    # derived in Python while the rows are read, so that a ticket is written once, not inserted and
    # then updated twice (intake.search_columns; intake.places.Placer): docs/performance.md, "Import"
    ("search_words", "text"),
    ("caller_key", "text"),
    ("phone_tail", "text"),
    ("place_origin", "text"),
    ("place_community_id", "bigint"),
    ("grid_cell_id", "bigint"),
    ("place_lon", "float"),
    ("place_lat", "float"),
]
# the derived columns: the search columns follow the texts an update writes; the place is set on
# insert only (an update that moves the address resets the place, which is looked up after the import)
SEARCH_COLUMNS = ["search_words", "caller_key", "phone_tail"]
PLACE_COLUMNS = ["place_origin", "place_community_id", "grid_cell_id", "place_lon", "place_lat"]
SEEN_STAGE = [("row_no", "int"), ("ticket_no", "ntext")]
_DONE = object()


class TicketChunkMerger:
    """``submit(rows, merge=...)`` each chunk (tuples in CHUNK_STAGE order), then ``finish()``.

    ``seen_table`` holds every row's ticket number for the final duplicate check; ``created`` and
    ``updated`` count what the merges did; ``changes`` lists what each update changed, ``refusals``
    the rows (row, ticket number, status, fields) that would change a ticket past receipt.
    """

    def __init__(self, cursor, *, present: set[str], batch_id: int, now, street_id: int):
        self.cursor = cursor
        self.chunk = StagingTable(cursor, "intake_stage_ticket_chunk", CHUNK_STAGE)
        self.seen = StagingTable(cursor, "intake_stage_ticket_nos", SEEN_STAGE)
        self.seen_table = self.seen.name
        self.present = present
        self.batch_id = batch_id
        self.now = now
        self.created = self.updated = 0
        self.changes: list[TicketChange] = []
        self.refusals: list[tuple[int, str, str, list[str]]] = []
        # rows whose number another street holds (row, ticket number, that street): refuse the file
        self.street_id = street_id
        self.foreign: list[tuple[int, str, str]] = []
        self.merging = True
        self.aborted = False
        self.error: BaseException | None = None
        self.postgres = is_postgresql()
        self._sql()
        self.queue: queue.Queue | None = None
        self.thread: threading.Thread | None = None
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
        if self.postgres:
            # statistics on the chunk (a few ms): without them the planner guesses its size and may
            # scan the whole ticket table once per chunk row (seconds a chunk in a re-sent file)
            cursor.execute(f"ANALYZE {chunk}")
        if merge and self.merging:
            cursor.execute(
                f"SELECT 1 FROM {chunk} WHERE ticket_no IS NOT NULL GROUP BY ticket_no HAVING COUNT(*) > 1 LIMIT 1"
            )
            # a ticket number twice in one chunk: the file will be refused, and inserting both would
            # only trade the clear duplicate report for a unique-index error
            self.merging = cursor.fetchone() is None
        # a number another street holds is refused (the city numbers tickets once for every street);
        # past this check every number merged is new or this street's (docs/district.md)
        cursor.execute(self.foreign_sql, [self.street_id])
        foreign = cursor.fetchall()
        if foreign:
            self.foreign.extend(foreign)
            self.merging = False
        if merge and self.merging:
            self._merge()
        else:
            self._collect_refusals()
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
        compared = [(code, col) for code, col in TICKET_DATA if code in self.present]
        differs_in = {code: f"t.{col} {distinct_op()} {sources[code]}" for code, col in compared}
        self.compared = [code for code, _col in compared]
        self.upstream_only = [code for code in self.compared if code not in CLASSIFICATION_FIELDS]
        differs = " OR ".join(differs_in.values())
        # Each chunk row probes the ticket_no index for its ticket. On PostgreSQL the probe is a LATERAL
        # subquery that the planner cannot flatten (OFFSET 0): as a plain join it trusted its estimate of
        # the tickets still received (a fixed guess for the IS TRUE filter below, ~0.7% of the table)
        # and compared every chunk row with every received ticket (4.6 s a chunk of 5,000 rows against
        # 10,000 received tickets; minutes against a large re-sent file).
        if self.postgres:
            probe = "{join} LATERAL (SELECT * FROM intake_ticket t WHERE t.ticket_no = s.ticket_no OFFSET 0) t ON true"
        else:
            probe = "{join} intake_ticket t ON t.ticket_no = s.ticket_no"
        # Never an index condition: after a bulk load the statistics may say few tickets are received,
        # and the planner would then scan every received ticket for each row of the chunk (minutes per
        # chunk) instead of probing the ticket_no index; ``IS TRUE`` keeps it a filter on the probe.
        still_received = "(t.status = %s) IS TRUE"
        # past receipt the classification is the center's: only the upstream's own fields count
        differs_upstream = " OR ".join(differs_in[code] for code in self.upstream_only)
        # an upstream name the center mapped before is filed under the category it was mapped to
        self.aliases_sql = (
            f"UPDATE {chunk} SET category = (SELECT c.name FROM intake_categoryalias a "
            "JOIN intake_category c ON c.id = a.category_id WHERE a.name = category) "
            "WHERE ok AND category IN (SELECT name FROM intake_categoryalias)"
        )
        self.categories_sql = (
            f"INSERT INTO intake_category (name) SELECT DISTINCT category FROM {chunk} "
            "WHERE ok AND category IS NOT NULL ON CONFLICT (name) DO NOTHING"
        )
        self.count_sql = (
            "SELECT SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN t.id IS NOT NULL AND t.status = %s AND ({differs}) THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN t.id IS NOT NULL AND t.status <> %s AND ({differs_upstream}) THEN 1 ELSE 0 END) "
            f"FROM {rows} {probe.format(join='LEFT JOIN')} WHERE s.ok"
        )
        # what each update changes, old and new, by name for the category and the community
        shown = {
            "category": ("oc.name", "s.category"),
            "community": ("ou.name", "nu.name"),
        }
        flags = ", ".join(f"CASE WHEN {differs_in[code]} THEN 1 ELSE 0 END" for code in self.compared)
        values = ", ".join("{}, {}".format(*shown.get(code, (f"t.{col}", f"s.{col}"))) for code, col in compared)
        self.changes_sql = (
            f"SELECT s.row_no, t.id, t.ticket_no, {flags}, {values} FROM {rows} "
            f"{probe.format(join='JOIN')} "
            "LEFT JOIN intake_category oc ON oc.id = t.category_id "
            "LEFT JOIN org_unit ou ON ou.id = t.community_id LEFT JOIN org_unit nu ON nu.id = s.community_id "
            f"WHERE s.ok AND {still_received} AND ({differs}) ORDER BY s.row_no"
        )
        upstream_flags = ", ".join(f"CASE WHEN {differs_in[code]} THEN 1 ELSE 0 END" for code in self.upstream_only)
        self.refusals_sql = (
            f"SELECT s.row_no, t.ticket_no, t.status, {upstream_flags} FROM {rows} "
            f"{probe.format(join='JOIN')} "
            f"WHERE s.ok AND t.status <> %s AND ({differs_upstream}) ORDER BY s.row_no"
        )
        assignments = ", ".join(f"{col} = {sources[code]}" for code, col in compared)
        # the search columns derive from the content, the address and the phone: written with them
        # when the file has all three (else the importer recomputes them for the updated tickets)
        self.updates_search = all(code in self.present for code in SOURCE_FIELDS)
        if self.updates_search:
            assignments += "".join(f", {col} = s.{col}" for col in SEARCH_COLUMNS)
        if self.postgres:  # the tickets to update found by the probe, then updated by primary key
            self.update_sql = (
                f"UPDATE intake_ticket AS t SET {assignments}, updated_at = %s FROM {rows} "
                "JOIN LATERAL (SELECT t.id FROM intake_ticket t WHERE t.ticket_no = s.ticket_no "
                f"AND {still_received} AND ({differs}) OFFSET 0) m ON true WHERE s.ok AND t.id = m.id"
            )
        else:
            self.update_sql = (
                f"UPDATE intake_ticket AS t SET {assignments}, updated_at = %s "
                f"FROM {rows} WHERE s.ok AND t.ticket_no = s.ticket_no AND {still_received} AND ({differs})"
            )
        self.foreign_sql = (
            f"SELECT s.row_no, s.ticket_no, st.name FROM {chunk} s {probe.format(join='JOIN')} "
            "JOIN org_street st ON st.id = t.street_id WHERE s.ok AND t.street_id <> %s ORDER BY s.row_no"
        )
        derived = SEARCH_COLUMNS + PLACE_COLUMNS
        insert_cols = ["ticket_no"] + [col for _code, col in TICKET_DATA] + derived + ["import_batch_id", "street_id"]
        default_cols, self.defaults = model_defaults(Ticket, set(insert_cols), self.now)
        self.insert_sql = (
            f"INSERT INTO intake_ticket ({', '.join(insert_cols + default_cols)}) "
            f"SELECT s.ticket_no, {', '.join(sources[code] for code, _col in TICKET_DATA)}, "
            f"{', '.join(f's.{col}' for col in derived)}, "
            f"%s, %s{', %s' * len(default_cols)} FROM {rows} "
            "WHERE s.ok AND NOT EXISTS (SELECT 1 FROM intake_ticket t WHERE t.ticket_no = s.ticket_no) "
            "ORDER BY s.row_no"
        )

    def _merge(self) -> None:
        cursor = self.cursor
        if "category" in self.present:
            cursor.execute(self.aliases_sql)
            cursor.execute(self.categories_sql)
        if self.postgres:
            # A chunk is 5,000 rows: 5,000 probes of the ticket_no index take ~15 ms whatever the size
            # of intake_ticket, but without statistics on the TEMP chunk the planner hashes the whole
            # ticket table for every chunk (70 ms at 100,000 tickets, ten times that at a million).
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(self.count_sql, [OPEN_TO_UPDATES, OPEN_TO_UPDATES])
        created, updated, refused = (int(n or 0) for n in cursor.fetchone())
        if refused:
            # the file will be refused: say which rows, and merge nothing more
            self._collect_refusals()
            self.merging = False
        else:
            if updated:  # before the UPDATE (old values) and the INSERT (only tickets that existed)
                self._collect_changes()
                cursor.execute(self.update_sql, [self.now, OPEN_TO_UPDATES])
            if created:
                cursor.execute(self.insert_sql, [self.batch_id, self.street_id, *self.defaults])
            self.created += created
            self.updated += updated
        if self.postgres:
            cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
            cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")

    def _collect_changes(self) -> None:
        self.cursor.execute(self.changes_sql, [OPEN_TO_UPDATES])
        n = len(self.compared)
        while found := self.cursor.fetchmany(1000):
            for row_no, ticket_id, ticket_no, *rest in found:
                change = TicketChange(ticket_id, ticket_no, row_no)
                flags, values = rest[:n], rest[n:]
                for i, code in enumerate(self.compared):
                    if flags[i]:
                        change.add(code, values[2 * i], values[2 * i + 1])
                self.changes.append(change)

    def _collect_refusals(self) -> None:
        self.cursor.execute(self.refusals_sql, [OPEN_TO_UPDATES])
        while found := self.cursor.fetchmany(1000):
            for row_no, ticket_no, status, *flags in found:
                fields = [code for code, flag in zip(self.upstream_only, flags, strict=True) if flag]
                self.refusals.append((row_no, ticket_no, status, fields))

"""Demo data: realistic tickets with a consistent history, written fast (COPY on PostgreSQL).

``generate_demo_tickets(count, days, *, seed, end_at=None) -> DemoResult`` is the stable entry point
(the ``seed_demo`` command and the reporting benchmark call it). It writes ``count`` tickets received
over the ``days`` days before ``end_at`` (default: now), and their return visits, into the database:

- Chinese content over the 9 communities and ~20 categories, both sources (~60% city), every kind,
  ~10% urgent, addresses, names and phones; recurring hot spots (the same noisy morning market, the
  same blocked fire lane...) reported in varied wording by different callers over a few weeks;
- each ticket walks the eight steps on a plausible timeline (deadlines by the default rules: urgent
  contact 2 h / handle 24 h, normal 24 h / 7 days, consultations 24 h) and its status is where the
  timeline stands at ``end_at``: old tickets are mostly closed with a return visit, recent ones are
  in every earlier state, a few are late, some are sent back, merged, key, difficult or supervised;
- return visits: ~90% of the city's direct dispatches counted (district tickets never), ~97%
  responded, ~90% resolved, ~93% satisfied, a few double-no; a not-double-yes ticket is sometimes
  handled a second time and visited again (history kept).

Deterministic for a given (count, days, seed, end_at). Ticket numbers are ``S``/``Q`` + the local
receive date (yymmdd) + a 5-digit sequence of that day; they must not exist yet.
``write_demo_exports`` writes the same kind of tickets (and visits) as upstream CSV exports.
"""

from __future__ import annotations

import csv
import io
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from intake.demo_tickets import (
    DAY,
    HOUR,
    LOCAL_OFFSET,
    DemoContext,
    TicketNumbers,
    receive_times,
    upstream_fields,
    visit_outcome,
    walk_workflow,
)
from intake.models import ReturnVisit, Ticket
from intake.staging import model_defaults

CHUNK = 5000
BULK_THRESHOLD = 50_000  # from this many tickets on, foreign keys are checked once after the load


@dataclass
class DemoResult:
    tickets: int
    visits: int
    first_id: int
    last_id: int


TICKET_COLUMNS = [
    "id", "ticket_no", "source", "received_at", "kind", "category_id", "content", "complainant_name",
    "complainant_phone", "address", "community_id", "urgency",
    "status", "is_key", "is_difficult", "supervision", "lead_unit_id", "merged_into_id",
    "triaged_at", "dispatched_at", "acknowledged_at", "first_contact_at", "reviewed_at", "replied_at", "closed_at",
    "acknowledge_due_at", "contact_due_at", "handle_due_at", "rehandling_count", "handle_started_at",
    "next_due_kind", "next_due_at", "next_warn_at",
    "visited_at", "visit_counted", "visit_contacted", "visit_resolved", "visit_satisfied", "is_excluded",
]  # fmt: skip
TICKET_TIMES = {i for i, c in enumerate(TICKET_COLUMNS) if c.endswith("_at")}
VISIT_COLUMNS = ["ticket_id", "visited_at", "counted", "contacted", "resolved", "satisfied"]


def _tickets(ctx: DemoContext, count: int, days: int, end: int, first_id: int):
    """Yield (ticket row in TICKET_COLUMNS order, visit rows, co-handling unit ids), oldest first."""
    rng = ctx.rng
    numbers = TicketNumbers()
    cluster_first: dict[int, int] = {}
    for offset, (received, spot) in enumerate(receive_times(ctx, count, days, end)):
        core = upstream_fields(ctx, received, spot)
        number = numbers(received, core["source"])
        ticket_id = first_id + offset
        first = cluster_first.setdefault(spot, ticket_id) if spot >= 0 else None
        f, visits = walk_workflow(ctx, core, received, end, first if first != ticket_id else None)
        latest = visits[-1] if visits else (None, None, None, None, None)
        community = core["community"]
        row = (
            ticket_id, number, core["source"], received, core["kind"], ctx.categories[core["category"]],
            core["content"], core["name"], core["phone"], core["address"], community[1] if community else None,
            core["urgency"], f["status"], f["is_key"], f["is_difficult"], f["supervision"], f.get("lead_unit_id"),
            f.get("merged_into_id"), f.get("triaged_at"), f.get("dispatched_at"), f.get("acknowledged_at"),
            f.get("first_contact_at"), f.get("reviewed_at"), f.get("replied_at"), f.get("closed_at"),
            f.get("acknowledge_due_at"), f.get("contact_due_at"), f.get("handle_due_at"), f["rehandling_count"],
            f.get("handle_started_at"), f["next_due_kind"], f.get("next_due_at"), f.get("next_warn_at"),
            *latest, f["is_excluded"],
        )  # fmt: skip
        co_units = []
        if f.get("lead_unit_id") and rng.random() < 0.05:
            co_units = [rng.choice([d for d in ctx.departments if d != f["lead_unit_id"]])]
        yield row, [(ticket_id, *v) for v in visits], co_units


class _Times:
    """Epoch seconds -> database text, fast: "YYYY-MM-DD HH:" is formatted once per hour and
    "MM:SS<suffix>" comes from a table of the 3,600 seconds of an hour (a million tickets carry
    over ten million times)."""

    def __init__(self, suffix: str):
        self.hours: dict[int, str] = {}
        self.seconds = [f"{m:02d}:{s:02d}{suffix}" for m in range(60) for s in range(60)]

    def __call__(self, seconds: int) -> str:
        hour, rest = divmod(seconds, HOUR)
        base = self.hours.get(hour)
        if base is None:
            base = self.hours[hour] = datetime.fromtimestamp(hour * HOUR, UTC).strftime("%Y-%m-%d %H:")
        return base + self.seconds[rest]


class _Chunks(io.TextIOBase):
    """A file psycopg2's copy_expert reads from while the rows are generated: PostgreSQL ingests one
    chunk while Python makes the next (the server runs on the other core)."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.pending = ""

    def read(self, size: int = -1) -> str:
        if not self.pending:
            self.pending = next(self.chunks, "")
        out, self.pending = self.pending, ""
        return out

    def readline(self, size: int = -1) -> str:  # copy_expert only reads; kept for the file protocol
        return self.read(size)


def _text_not_null(model, columns: list[str]) -> str:
    """COPY's FORCE_NOT_NULL list: in CSV an unquoted empty field is NULL, but these columns mean ""."""
    texts = {
        f.column
        for f in model._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField") and not f.null
    }
    names = [c for c in columns if c in texts]
    return f", FORCE_NOT_NULL ({', '.join(names)})" if names else ""


def _write_postgresql(cursor, rows, now: datetime) -> int:
    ts = _Times("+00")
    default_cols, defaults = model_defaults(Ticket, set(TICKET_COLUMNS), now)
    visit_default_cols, visit_defaults = model_defaults(ReturnVisit, set(VISIT_COLUMNS), now)
    ticket_cols, visit_cols = TICKET_COLUMNS + default_cols, VISIT_COLUMNS + visit_default_cols
    defaults, visit_defaults = tuple(defaults), tuple(visit_defaults)
    times = sorted(TICKET_TIMES)
    visit_count = 0
    raw = cursor.cursor
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as visit_file,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as co_file,
    ):
        visit_writer = csv.writer(visit_file, lineterminator="\n")
        co_writer = csv.writer(co_file, lineterminator="\n")

        def chunks():
            # the C csv writer quotes what needs quoting; only the epoch times need Python's help
            nonlocal visit_count
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            pending = 0
            for row, visits, co_units in rows:
                row = list(row)
                for i in times:
                    value = row[i]
                    if value is not None:
                        row[i] = ts(value)
                writer.writerow(row + list(defaults))
                for ticket_id, visited, *flags in visits:
                    visit_writer.writerow((ticket_id, ts(visited), *flags, *visit_defaults))
                    visit_count += 1
                for unit_id in co_units:
                    co_writer.writerow((row[0], unit_id))
                pending += 1
                if pending == CHUNK:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
                    pending = 0
            yield buffer.getvalue()

        csv_format = "FORMAT csv"
        # the raw cursor's errors are turned into Django's (IntegrityError for a taken ticket number)
        with connection.wrap_database_errors:
            raw.copy_expert(
                f"COPY intake_ticket ({', '.join(ticket_cols)}) FROM STDIN "
                f"WITH ({csv_format}{_text_not_null(Ticket, ticket_cols)})",
                _Chunks(chunks()),
            )
            visit_file.seek(0)
            raw.copy_expert(
                f"COPY intake_returnvisit ({', '.join(visit_cols)}) FROM STDIN "
                f"WITH ({csv_format}{_text_not_null(ReturnVisit, visit_cols)})",
                visit_file,
            )
            co_file.seek(0)
            raw.copy_expert(
                f"COPY {Ticket.co_units.through._meta.db_table} (ticket_id, unit_id) FROM STDIN WITH ({csv_format})",
                co_file,
            )
    cursor.execute("SELECT setval(pg_get_serial_sequence('intake_ticket', 'id'), (SELECT MAX(id) FROM intake_ticket))")
    return visit_count


@contextmanager
def _foreign_keys_checked_once(cursor, count: int):
    """For a large load, check each foreign key once for all rows instead of once per row.

    Django's foreign keys are DEFERRABLE, so PostgreSQL queues one check per row and column until
    commit (~45 s for a million tickets). Dropping them inside this transaction and adding them back
    after the load validates each one with a single join; other sessions wait on the table lock, and
    a failure rolls the drop back with everything else.
    """
    if count < BULK_THRESHOLD:
        yield
        return
    tables = [Ticket._meta.db_table, ReturnVisit._meta.db_table, Ticket.co_units.through._meta.db_table]
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
        [tables],
    )
    foreign_keys = cursor.fetchall()
    # checks already queued in this transaction (e.g. for the categories just created) must run
    # first: PostgreSQL refuses to alter a table with pending trigger events
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for table, name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _write_other(cursor, rows, now: datetime) -> int:
    """Other databases (the SQLite default): executemany in chunks."""
    ts = _Times("")
    default_cols, defaults = model_defaults(Ticket, set(TICKET_COLUMNS), now)
    visit_default_cols, visit_defaults = model_defaults(ReturnVisit, set(VISIT_COLUMNS), now)
    ticket_sql = _insert_sql("intake_ticket", TICKET_COLUMNS + default_cols)
    visit_sql = _insert_sql("intake_returnvisit", VISIT_COLUMNS + visit_default_cols)
    co_sql = _insert_sql(Ticket.co_units.through._meta.db_table, ["ticket_id", "unit_id"])
    tickets, visits, co = [], [], []
    visit_count = 0

    def flush():
        for sql, batch in ((ticket_sql, tickets), (visit_sql, visits), (co_sql, co)):
            if batch:
                cursor.executemany(sql, batch)
                batch.clear()

    for row, row_visits, co_units in rows:
        tickets.append(
            tuple(ts(v) if i in TICKET_TIMES and v is not None else v for i, v in enumerate(row)) + tuple(defaults)
        )
        for ticket_id, visited, *flags in row_visits:
            visits.append((ticket_id, ts(visited), *flags, *visit_defaults))
            visit_count += 1
        co.extend((row[0], unit_id) for unit_id in co_units)
        if len(tickets) >= CHUNK:
            flush()
    flush()
    return visit_count


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"


def generate_demo_tickets(count: int, days: int, *, seed: int = 2023, end_at: datetime | None = None) -> DemoResult:
    """Write ``count`` demo tickets received over the ``days`` days before ``end_at``, with their visits."""
    from django.db import IntegrityError

    from jxq_cases.lib.errors import DomainError, ErrorCode

    if count < 1 or days < 1:
        raise DomainError(ErrorCode.INVALID, "count and days must be at least 1")
    now = timezone.now()
    end = int((end_at or now).timestamp())
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            ctx = DemoContext(seed)
            if connection.vendor == "postgresql":
                # ids are assigned here, so no other insert may take them meanwhile
                cursor.execute("LOCK TABLE intake_ticket IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM intake_ticket")
            first_id = cursor.fetchone()[0] + 1
            rows = _tickets(ctx, count, days, end, first_id)
            if connection.vendor == "postgresql":
                with _foreign_keys_checked_once(cursor, count):
                    visits = _write_postgresql(cursor, rows, now)
            else:
                visits = _write_other(cursor, rows, now)
    except IntegrityError as exc:
        raise DomainError(
            ErrorCode.CONFLICT, f"demo ticket numbers for this period already exist; nothing was written ({exc})"
        ) from exc
    return DemoResult(tickets=count, visits=visits, first_id=first_id, last_id=first_id + count - 1)


_ZH_LABELS = {
    "city": "市级直派", "district": "区级转派", "consult": "咨询", "help": "求助", "complaint": "投诉",
    "report": "举报", "suggestion": "建议", "normal": "一般", "urgent": "紧急",
}  # fmt: skip


def write_demo_exports(
    tickets_path,
    count: int,
    *,
    seed: int = 2023,
    days: int = 365,
    end_at: datetime | None = None,
    encoding: str = "gb18030",
    visits_path=None,
) -> int:
    """Write ``count`` tickets as an upstream ticket export (Chinese headers and labels, docs/domain.md §8) and,
    if ``visits_path`` is given, a return-visit export for ~90% of them. Returns the visit rows written.
    Reads the organisation but writes nothing to the database."""
    ctx = DemoContext(seed, create_categories=False)
    rng = ctx.rng
    end = int((end_at or timezone.now()).timestamp())
    times = receive_times(ctx, count, days, end)
    local = _Times("")
    visit_rows = 0
    with open(tickets_path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["工单编号", "来源", "受理时间", "诉求类型", "问题分类", "诉求内容", "诉求人", "联系电话",
                         "诉求地址", "所属社区", "紧急程度"])  # fmt: skip
        visits = open(visits_path, "w", encoding=encoding, newline="") if visits_path else None  # noqa: SIM115
        try:
            visit_writer = csv.writer(visits) if visits else None
            if visit_writer:
                visit_writer.writerow(["工单编号", "回访时间", "纳入考评", "响应", "解决", "满意"])
            numbers = TicketNumbers()
            for received, spot in times:
                core = upstream_fields(ctx, received, spot)
                number = numbers(received, core["source"])
                community = core["community"]
                writer.writerow([
                    number, _ZH_LABELS[core["source"]], local(received + LOCAL_OFFSET)[:16], _ZH_LABELS[core["kind"]],
                    core["category"], core["content"], core["name"], core["phone"], core["address"],
                    community[0] if community else "", _ZH_LABELS[core["urgency"]],
                ])  # fmt: skip
                if visit_writer and rng.random() < 0.9:
                    visited = min(received + rng.randint(2 * DAY, 9 * DAY), end - 60)
                    flags = ["是" if flag else "否" for flag in visit_outcome(rng, core["source"])]
                    visit_writer.writerow([number, local(visited + LOCAL_OFFSET), *flags])
                    visit_rows += 1
        finally:
            if visits:
                visits.close()
    return visit_rows

"""Benchmark sizes: exact copies of played stories, written set-based (PostgreSQL).

Playing a story through the workflow costs ~8 ms per step, so a million tickets cannot all be played.
``copy_stories`` takes the stories ``demo.play`` played (the templates) and fills every other
arrival of the plan with a copy of one of them moved by whole days: the ticket and everything the
workflow wrote about it -- events, return visits, co-handling units, notes, reply drafts, extension,
send-back and exclusion requests -- with new ids and a new ticket number, every time moved by the
same number of days. A copy is therefore a state the workflow produced, at another date; nothing
about states, transitions, deadlines or events is decided here.

Which template fits which arrival: the copy's whole history must lie before the end. An arrival of
the last days copies a story that arrived the same day (moved by no day: a ticket of that age in the
state such tickets are in). An older arrival copies a story that had finished, moved earlier or
later, or one still open at the end moved later only, so that a copy is never further behind its
next step than its template. An arrival of a hot spot copies a template of the same hot spot when
one fits.

What is not copied: notifications (the copies' past is read), attachments (the demo attaches none),
merged tickets (their target is another ticket). Deadlines move with the days; they stay exact
under the default rules (hours, calendar days) and drift under a working-days rule.
"""

from __future__ import annotations

import bisect
import io
import json
import random
import re
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from demo.arrivals import DAY, LOCAL_OFFSET, TicketNumbers
from demo.play import PlayResult, moment
from dispatch.models import (
    ExclusionRequest,
    ExtensionRequest,
    Note,
    ReplyDraft,
    SendBackRequest,
    TicketEvent,
)
from intake.models import ImportBatch, ReturnVisit, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode

CHUNK = 200_000  # copies per round of INSERT ... SELECT statements
BULK_THRESHOLD = 50_000  # from this many copies on, foreign keys are checked once after the load
# Rows other rows point at (by id, in event data): copied with ids computed from the plan.
NUMBERED = {"note": Note, "ext": ExtensionRequest, "sb": SendBackRequest}
# Event data naming those rows. Other ids in event data (units, users) are not copied rows and stay.
DATA_REFERENCES = {"note_id": ("note",), "request_id": ("ext", "sb")}
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
# The JSON column of each copied model whose moments and references are rewritten.
JSON_COLUMNS = {
    "event": (TicketEvent, "data"),
    "replydraft": (ReplyDraft, "signatures"),
    "exclusion": (ExclusionRequest, "signatures"),
}
TIME_SLOTS = 3  # moments per JSON value that can be moved (a signature chain of up to three)
RECENT_DAYS = 21  # arrivals of these last days copy a story of their own day ...
SAME_DAY_MIN = 3  # ... when the day has this many


def check_copies_possible(stories: int) -> None:
    if connection.vendor != "postgresql":
        raise DomainError(ErrorCode.INVALID, _("copying demo stories (--stories) needs PostgreSQL"))
    if stories < 1:
        raise DomainError(ErrorCode.INVALID, "stories must be at least 1")


@dataclass
class Template:
    ticket_id: int
    received: int
    last: int  # the last moment anything happened to it (its latest event)
    finished: bool
    spot: int
    source: str
    numbered: dict[str, int] = field(default_factory=dict)  # rows of NUMBERED tables

    @property
    def day(self) -> int:
        return (self.received + LOCAL_OFFSET) // DAY


@dataclass
class CopyResult:
    copies: int
    sample: list[tuple[int, int, int]]  # (copy id, template id, days moved) of up to 1,000 copies spread over all


def _templates(played: PlayResult) -> list[Template]:
    ids = [p.ticket.pk for p in played.played]
    rows = dict(
        Ticket.objects.filter(pk__in=ids, merged_into__isnull=True)
        .annotate(last=models.Max("events__at"))
        .values_list("pk", "last")
    )
    counts: dict[int, dict[str, int]] = {}
    for key, model in NUMBERED.items():
        for ticket_id, n in (
            model.objects.filter(ticket_id__in=ids).values_list("ticket").annotate(n=models.Count("id"))
        ):
            counts.setdefault(ticket_id, {})[key] = n
    templates = []
    for p in played.played:
        pk = p.ticket.pk
        if pk not in rows:
            continue  # merged: it points at another ticket
        last = rows[pk]
        templates.append(
            Template(
                ticket_id=pk,
                received=p.plot.received,
                last=int(last.timestamp()) if last else p.plot.received,
                finished=p.finished,
                spot=p.plot.spot,
                source=p.plot.fields["source"],
                numbered=counts.get(pk, {}),
            )
        )
    return templates


class _Chooser:
    """For a day, the templates a copy received that day may come from (see the module docstring)."""

    def __init__(self, templates: list[Template], end: int, rng: random.Random):
        self.end, self.rng = end, rng
        self.same_day: dict[int, list[Template]] = {}
        for t in templates:
            self.same_day.setdefault(t.day, []).append(t)
        self.finished = sorted((t for t in templates if t.finished), key=lambda t: t.last - t.day * DAY)
        self.finished_keys = [t.last - t.day * DAY for t in self.finished]
        self.open = [t for t in templates if not t.finished]
        self.spots: dict[int, list[Template]] = {}
        for t in templates:
            if t.spot >= 0:
                self.spots.setdefault(t.spot, []).append(t)
        self.cache: dict[int, list[Template]] = {}

    def fits(self, t: Template, day: int) -> bool:
        shift = day - t.day
        return t.last + shift * DAY <= self.end and (t.finished or shift >= 0)

    def candidates(self, day: int) -> list[Template]:
        found = self.cache.get(day)
        if found is None and day > (self.end + LOCAL_OFFSET) // DAY - RECENT_DAYS:
            same = self.same_day.get(day, [])
            found = self.cache[day] = same if len(same) >= SAME_DAY_MIN else None
        if found is None:
            # finished ones: last - day(t)*DAY + day*DAY <= end, a prefix of the sorted keys
            cut = bisect.bisect_right(self.finished_keys, self.end - day * DAY)
            found = self.finished[:cut] + [t for t in self.open if self.fits(t, day)]
            self.cache[day] = found
        return found

    def choose(self, day: int, spot: int) -> tuple[Template, int] | None:
        if spot >= 0:
            fitting = [t for t in self.spots.get(spot, []) if self.fits(t, day)]
            if fitting:
                return self.rng.choice(fitting), day
        for earlier in range(day, day - 60, -1):  # the last hours of the plan may have no fitting template
            candidates = self.candidates(earlier)
            if candidates:
                return self.rng.choice(candidates), earlier
        return None


def _plan(templates, arrivals, played_indexes, numbers: TicketNumbers, *, end: int, seed: int, first_ids: dict):
    """Yield (copy id, template id, ticket number, days moved, start id per NUMBERED table), in arrival order."""
    chooser = _Chooser(templates, end, random.Random(f"{seed}:copies"))
    next_id = dict(first_ids)
    for index, (received, spot) in enumerate(arrivals):
        if index in played_indexes:
            continue
        chosen = chooser.choose((received + LOCAL_OFFSET) // DAY, spot)
        if chosen is None:
            continue
        template, day = chosen
        shift = day - template.day
        starts = {}
        for key in NUMBERED:
            starts[key] = next_id[key]
            next_id[key] += template.numbered.get(key, 0)
        number = numbers(template.received + shift * DAY, template.source)
        copy_id = next_id["ticket"]
        next_id["ticket"] += 1
        yield copy_id, template.ticket_id, number, shift, starts


def _json_recipe(value, references: dict[str, tuple[str, int]]):
    """The JSON text with its moments and references replaced by placeholders, and what they stand for.
    ``references``: data key -> (NUMBERED table, the row's ordinal within its template)."""
    moments: list = []
    reference = None

    def walk(node, key=None):
        nonlocal reference
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str) and ISO_MOMENT.match(node):
            moments.append(node)
            return f"@T{len(moments) - 1}"
        if key in references and isinstance(node, int):
            reference = references[key]
            return "@R"
        return node

    text = json.dumps(walk(value), ensure_ascii=False)
    if len(moments) > TIME_SLOTS:
        raise DomainError(ErrorCode.INVALID, f"demo copies: a JSON value holds more than {TIME_SLOTS} moments")
    return text, moments, reference


def _recipes(cursor, template_ids: list[int]) -> None:
    """Fill the staging tables: the numbered rows' ordinals and the JSON values to rewrite."""
    ordinals: dict[tuple[str, int], tuple[int, int]] = {}  # (table, id) -> (ticket, ordinal)
    moments: dict[tuple[str, int], set] = {}  # (table, id) -> the request's times, to tell ext from sb
    rows = []
    for key, model in NUMBERED.items():
        times = ["created_at"] if model is Note else ["requested_at", "decided_at"]
        per_ticket: dict[int, int] = {}
        for pk, ticket_id, *at in (
            model.objects.filter(ticket_id__in=template_ids)
            .order_by("ticket_id", "pk")
            .values_list("pk", "ticket", *times)
        ):
            ordinal = per_ticket.get(ticket_id, 0)
            per_ticket[ticket_id] = ordinal + 1
            ordinals[(key, pk)] = (ticket_id, ordinal)
            moments[(key, pk)] = {a for a in at if a}
            rows.append((key, pk, ticket_id, ordinal))
    if rows:
        cursor.executemany("INSERT INTO demo_rows VALUES (%s, %s, %s, %s)", rows)
    recipes = []
    for table, (model, column) in JSON_COLUMNS.items():
        values = model.objects.filter(ticket_id__in=template_ids).values_list("pk", "ticket", column)
        at_of = (
            dict(model.objects.filter(ticket_id__in=template_ids).values_list("pk", "at"))
            if model is TicketEvent
            else {}
        )
        for pk, ticket_id, value in values:
            references = {}
            for data_key, keys in DATA_REFERENCES.items():
                named = value.get(data_key) if isinstance(value, dict) else None
                if not isinstance(named, int):
                    continue
                # the row of this ticket with that id; an extension and a send-back request may share an
                # id, then the one decided or requested at the event's moment
                found = [k for k in keys if ordinals.get((k, named), (None,))[0] == ticket_id]
                if len(found) > 1:
                    found = [k for k in found if at_of.get(pk) in moments[(k, named)]]
                if len(found) != 1:
                    raise DomainError(
                        ErrorCode.INVALID, f"demo copies: {data_key} {named} of {table} {pk} names no row"
                    )
                references[data_key] = (found[0], ordinals[(found[0], named)][1])
            text, found_moments, reference = _json_recipe(value, references)
            if found_moments or reference:
                padded = found_moments + [None] * (TIME_SLOTS - len(found_moments))
                recipes.append((table, pk, text, *padded, *(reference or (None, None))))
    if recipes:
        cursor.executemany("INSERT INTO demo_json VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", recipes)


def _json_expr(alias: str, column: str) -> str:
    """The rewritten JSON of a copied row (``j``: its recipe; ``c``: the copy), else the template's."""
    text = "j.tpl"
    for slot in range(TIME_SLOTS):
        text = f"replace({text}, '\"@T{slot}\"', COALESCE(to_json(j.t{slot} + c.shift)::text, 'null'))"
    start = " ".join(f"WHEN '{key}' THEN c.{key}_start" for key in NUMBERED)
    text = f"replace({text}, '\"@R\"', COALESCE((CASE j.ref {start} END + j.ref_ord)::text, 'null'))"
    return f"CASE WHEN j.old_id IS NULL THEN {alias}.{column} ELSE ({text})::jsonb END"


def _insert(
    cursor,
    model,
    alias: str,
    source: str,
    *,
    numbered: str | None = None,
    json_column: str | None = None,
    batch: int | None = None,
    ticket_no: bool = False,
) -> None:
    """INSERT ... SELECT one copied table: every column of the model from the template row, times moved,
    the ticket and the numbered ids from the plan (``c``)."""
    columns, exprs, params = [], [], []
    for f in model._meta.concrete_fields:
        column = f.column
        if f.primary_key:
            if model is Ticket:
                expr = "c.new_id"
            elif numbered:
                expr = f"c.{numbered}_start + r.ord"
            else:
                continue  # from the table's sequence
        elif isinstance(f, models.ForeignKey) and f.related_model is Ticket and f.name != "merged_into":
            expr = "c.new_id"
        elif ticket_no and column == "ticket_no":
            expr = "c.ticket_no"
        elif batch is not None and column == "import_batch_id":
            expr, params = "%s", [*params, batch]
        elif isinstance(f, models.DateTimeField):
            expr = f"{alias}.{column} + c.shift"
        elif column == json_column:
            expr = _json_expr(alias, column)
        else:
            expr = f"{alias}.{column}"
        columns.append(column)
        exprs.append(expr)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} {source}", params
    )


def _foreign_keys(cursor, tables: list[str]) -> list[tuple[str, str, str]]:
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
        [tables],
    )
    return cursor.fetchall()


def _secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the tables' plain indexes: not unique, not a constraint's."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    )
    return cursor.fetchall()


@dataclass(frozen=True)
class Dropped:
    """What ``drop_for_bulk_load`` took off the tables, for ``restore_after_bulk_load``."""

    indexes: list[tuple[str, str]]  # (name, definition)
    keys: list[tuple[str, str, str]]  # (table, name, definition)


def drop_for_bulk_load(cursor, tables: list[str], *, indexes: bool = True) -> Dropped:
    """Drop the tables' foreign keys and (with ``indexes``) their plain indexes inside the current
    transaction, before a load that at least doubles them: building them once afterwards is faster than
    keeping them up to date row by row. Unique indexes stay: they guard the load."""
    plain = _secondary_indexes(cursor, tables) if indexes else []
    for name, _definition in plain:
        cursor.execute(f"DROP INDEX {name}")
    keys = _foreign_keys(cursor, tables)
    # checks already queued in this transaction must run first: PostgreSQL refuses to alter a table with
    # pending trigger events
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, _definition in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return Dropped(plain, keys)


def restore_after_bulk_load(cursor, dropped: Dropped) -> None:
    """Build the indexes again and add the foreign keys back (each checked once over the whole table)."""
    for _name, definition in dropped.indexes:
        cursor.execute(definition)
    for table, name, definition in dropped.keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _snapshot(cursor, tables: list[str], template_ids: list[int]) -> None:
    """The templates' rows in TEMP tables (demo_t_<table>): the copies read them there, whatever
    indexes the real tables have while they grow."""
    for table in tables:
        key = "id" if table == Ticket._meta.db_table else "ticket_id"
        cursor.execute(f"DROP TABLE IF EXISTS demo_t_{table}")
        cursor.execute(
            f"CREATE TEMP TABLE demo_t_{table} ON COMMIT DROP AS SELECT * FROM {table} WHERE {key} = ANY(%s)",
            [template_ids],
        )
        cursor.execute(f"CREATE INDEX ON demo_t_{table} ({key})")
        cursor.execute(f"ANALYZE demo_t_{table}")


def copy_stories(played: PlayResult, arrivals, numbers: TicketNumbers, *, end: int, seed: int) -> CopyResult:
    """Fill every arrival ``played`` did not play with a copy of a fitting played story; all or nothing."""
    templates = _templates(played)
    if not templates:
        return CopyResult(0, [])
    played_indexes = {p.plot.index for p in played.played}
    ticket_table = Ticket._meta.db_table
    co_table = Ticket.co_units.through._meta.db_table
    tables = [ticket_table, co_table] + [
        m._meta.db_table
        for m in (ReturnVisit, TicketEvent, Note, ReplyDraft, ExclusionRequest, ExtensionRequest, SendBackRequest)
    ]
    copies = 0
    sample: list[tuple[int, int, int]] = []
    stride = -(-(len(arrivals) - len(played_indexes)) // 1000) or 1  # at most 1,000 samples
    with transaction.atomic(), connection.cursor() as cursor:
        numbered_tables = [ticket_table] + [m._meta.db_table for m in NUMBERED.values()]
        # ids are assigned here, so no other insert may take them meanwhile
        cursor.execute(f"LOCK TABLE {', '.join(numbered_tables)} IN SHARE ROW EXCLUSIVE MODE")
        first_ids = {}
        for key, table in zip(["ticket", *NUMBERED], numbered_tables, strict=True):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            first_ids[key] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS demo_copy, demo_rows, demo_json")
        cursor.execute(
            "CREATE TEMP TABLE demo_copy (new_id bigint PRIMARY KEY, template_id bigint, ticket_no text,"
            " shift interval, note_start bigint, ext_start bigint, sb_start bigint) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE demo_rows (tbl text, old_id bigint, template_id bigint, ord int) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE demo_json (tbl text, old_id bigint, tpl text, t0 timestamptz, t1 timestamptz,"
            " t2 timestamptz, ref text, ref_ord int) ON COMMIT DROP"
        )
        _recipes(cursor, [t.ticket_id for t in templates])
        _snapshot(cursor, tables, [t.ticket_id for t in templates])
        cursor.execute("CREATE INDEX ON demo_rows (template_id, tbl)")
        cursor.execute("CREATE INDEX ON demo_json (old_id, tbl)")
        ticket_batch = ImportBatch.objects.create(kind=ImportBatch.Kind.TICKETS, file_name="demo copies")
        visit_batch = ImportBatch.objects.create(kind=ImportBatch.Kind.VISITS, file_name="demo copies")
        plan = _plan(templates, arrivals, played_indexes, numbers, end=end, seed=seed, first_ids=first_ids)
        dropped = Dropped([], [])
        planned = len(arrivals) - len(played_indexes)
        if planned >= BULK_THRESHOLD:
            cursor.execute(f"SELECT COUNT(*) FROM {ticket_table}")
            # the plain indexes only when the load at least doubles the tables; the keys always
            dropped = drop_for_bulk_load(cursor, tables, indexes=planned >= cursor.fetchone()[0])
        while True:
            chunk = []
            for row in plan:
                chunk.append(row)
                if len(chunk) == CHUNK:
                    break
            if not chunk:
                break
            copies += len(chunk)
            sample += [(c, t, s) for i, (c, t, _n, s, _st) in enumerate(chunk, copies - len(chunk)) if i % stride == 0]
            _copy_chunk(cursor, chunk, ticket_batch=ticket_batch.pk, visit_batch=visit_batch.pk)
        restore_after_bulk_load(cursor, dropped)
        for table in numbered_tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        visits = ReturnVisit.objects.filter(import_batch=visit_batch).count()
        ImportBatch.objects.filter(pk=ticket_batch.pk).update(rows=copies, created=copies, imported_at=moment(end))
        ImportBatch.objects.filter(pk=visit_batch.pk).update(rows=visits, created=visits, imported_at=moment(end))
    return CopyResult(copies, sample)


def _copy_chunk(cursor, chunk, *, ticket_batch: int, visit_batch: int) -> None:
    cursor.execute("TRUNCATE demo_copy")
    buffer = io.StringIO()
    for copy_id, template_id, number, shift, starts in chunk:
        buffer.write(
            f"{copy_id}\t{template_id}\t{number}\t{shift} days\t{starts['note']}\t{starts['ext']}\t{starts['sb']}\n"
        )
    buffer.seek(0)
    cursor.cursor.copy_expert("COPY demo_copy FROM STDIN", buffer)
    cursor.execute("ANALYZE demo_copy")
    plan = "FROM demo_copy c JOIN demo_t_{table} {alias} ON {alias}.{key} = c.template_id"
    _insert(
        cursor,
        Ticket,
        "t",
        plan.format(table=Ticket._meta.db_table, alias="t", key="id"),
        batch=ticket_batch,
        ticket_no=True,
    )
    co_table = Ticket.co_units.through._meta.db_table
    cursor.execute(
        f"INSERT INTO {co_table} (ticket_id, unit_id) SELECT c.new_id, m.unit_id FROM demo_copy c "
        f"JOIN demo_t_{co_table} m ON m.ticket_id = c.template_id"
    )
    _insert(
        cursor,
        ReturnVisit,
        "v",
        plan.format(table=ReturnVisit._meta.db_table, alias="v", key="ticket_id"),
        batch=visit_batch,
    )
    for table, (model, column) in JSON_COLUMNS.items():
        source = plan.format(table=model._meta.db_table, alias="e", key="ticket_id")
        source += f" LEFT JOIN demo_json j ON j.old_id = e.id AND j.tbl = '{table}'"
        _insert(cursor, model, "e", source, json_column=column)
    for key, model in NUMBERED.items():
        source = (
            f"FROM demo_copy c JOIN demo_rows r ON r.template_id = c.template_id AND r.tbl = '{key}' "
            f"JOIN demo_t_{model._meta.db_table} n ON n.id = r.old_id"
        )
        _insert(cursor, model, "n", source, numbered=key)

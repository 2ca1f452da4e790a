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
- return visits: ~90% counted, ~97% responded, ~90% resolved, ~93% satisfied, a few double-no; a
  not-double-yes ticket is sometimes handled a second time and visited again (history kept).

Deterministic for a given (count, days, seed, end_at). Ticket numbers are ``S``/``Q`` + the local
receive date (yymmdd) + a 5-digit sequence of that day; they must not exist yet.
``write_demo_exports`` writes the same kind of tickets (and visits) as upstream CSV exports.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from intake.demo_content import CALLER_OPENINGS, CATEGORIES, HOT_SPOTS, PHONE_PREFIXES, SURNAMES
from intake.models import Category, ReturnVisit, Ticket
from intake.staging import model_defaults

HOUR, DAY = 3600, 86400
LOCAL_OFFSET = 8 * HOUR  # Asia/Shanghai has no daylight saving time
# acknowledge hours, contact hours, handle seconds (mirrors dispatch's default deadline rules)
RULES = {"urgent": (1, 2, 24 * HOUR), "normal": (4, 24, 7 * DAY), "consult": (4, 24, 24 * HOUR)}
DUE_SOON_FRACTION = 0.25
KINDS = [("complaint", 35), ("help", 25), ("consult", 20), ("report", 12), ("suggestion", 8)]
# calls per hour of the local day: quiet at night, peaks in the morning and afternoon
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 10, 8, 6, 7, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]
HOT_SPOT_SHARE = 0.004  # of all tickets, per hot spot
CHUNK = 5000
BULK_THRESHOLD = 50_000  # from this many tickets on, foreign keys are checked once after the load


@dataclass
class DemoResult:
    tickets: int
    visits: int
    first_id: int
    last_id: int


class _Dice(random.Random):
    """random.Random with the integer draws done in one step from random(): the stdlib's exact
    integer sampling costs four Python calls per draw, which dominates at a million tickets."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, n: int) -> int:  # type: ignore[override]
        return int(self.random() * n)

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class _Context:
    """Names -> ids and the random source; built once per run."""

    def __init__(self, seed: int, *, create_categories: bool = True):
        from org.models import Unit, UnitKind

        self.rng = _Dice(seed)
        units = dict(Unit.objects.values_list("name", "id"))
        self.communities = [
            (name, units[name]) for name in Unit.objects.filter(kind=UnitKind.COMMUNITY).values_list("name", flat=True)
        ]
        self.departments = [
            units[name]
            for name in Unit.objects.filter(kind="department", is_center=False).values_list("name", flat=True)
        ]
        if create_categories:
            for name in CATEGORIES:
                Category.objects.get_or_create(name=name)
        self.categories = dict(Category.objects.filter(name__in=list(CATEGORIES)).values_list("name", "id"))
        self.lead_department = {name: units[dept] for name, (dept, _p) in CATEGORIES.items()}
        self.category_names = list(CATEGORIES)
        self.kinds = [k for k, w in KINDS for _ in range(w)]


def _receive_times(ctx: _Context, count: int, days: int, end: int) -> list[tuple[int, int]]:
    """(received_at epoch, hot spot index or -1), sorted by time."""
    rng = ctx.rng
    start = end - days * DAY
    hours = [h for h, w in enumerate(HOUR_WEIGHTS) for _ in range(w)]
    out = []
    spot_count = max(3, int(count * HOT_SPOT_SHARE)) if count >= 200 else 0
    remaining = count
    for spot in range(len(HOT_SPOTS)):
        if remaining <= spot_count:
            break
        window = min(days, rng.randint(14, 28)) * DAY
        window_start = rng.randint(start, max(start, end - window))
        for _ in range(spot_count):
            out.append((window_start + rng.randrange(window), spot))
        remaining -= spot_count
    first_day = (start + LOCAL_OFFSET) // DAY
    for _ in range(remaining):
        day = first_day + rng.randrange(days)
        moment = day * DAY - LOCAL_OFFSET + rng.choice(hours) * HOUR + rng.randrange(HOUR)
        out.append((min(moment, end - 60), -1))
    out.sort()
    return out


def _core(ctx: _Context, received: int, spot: int) -> dict:
    """The fields the upstream sends (DOMAIN §8)."""
    rng = ctx.rng
    if spot >= 0:
        hot = HOT_SPOTS[spot]
        community = next(c for c in ctx.communities if c[0] == hot["community"])
        category = hot["category"]
        text = rng.choice(hot["phrasings"])
        address = hot["address"]
    else:
        community = rng.choice(ctx.communities) if rng.random() > 0.03 else None
        category = rng.choice(ctx.category_names)
        text = rng.choice(CATEGORIES[category][1])
        place = community[0] if community else "酒仙桥路"
        address = f"朝阳区酒仙桥{place}{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元"
    opening = rng.choice(CALLER_OPENINGS).format(c=community[0] if community else "")
    return {
        "source": "city" if rng.random() < 0.6 else "district",
        "kind": rng.choice(ctx.kinds),
        "category": category,
        "content": opening + text,
        "name": rng.choice(SURNAMES) + ("先生" if rng.random() < 0.5 else "女士"),
        "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        "address": address,
        "community": community,
        "urgency": "urgent" if rng.random() < 0.1 else "normal",
    }


def _ticket_numbers(times: list[tuple[int, int]], sources: list[str]) -> list[str]:
    per_day: dict[int, int] = {}
    stamps: dict[int, str] = {}
    numbers = []
    for (received, _spot), source in zip(times, sources, strict=True):
        local_day = (received + LOCAL_OFFSET) // DAY
        seq = per_day.get(local_day, 0)
        per_day[local_day] = seq + 1
        stamp = stamps.get(local_day)
        if stamp is None:
            stamp = stamps[local_day] = datetime.fromtimestamp(local_day * DAY, UTC).strftime("%y%m%d")
        numbers.append(f"{'S' if source == 'city' else 'Q'}{stamp}{seq:05d}")
    return numbers


def _visit_outcome(rng: random.Random) -> tuple[bool, bool, bool, bool]:
    """(counted, responded, resolved, satisfied): ~90/97/90/93%, satisfaction follows resolution."""
    resolved = rng.random() < 0.90
    satisfied = rng.random() < (0.985 if resolved else 0.55)
    return rng.random() < 0.90, rng.random() < 0.97, resolved, satisfied


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


def _walk(ctx: _Context, core: dict, received: int, end: int, cluster_first: int | None) -> tuple[dict, list]:
    """The workflow fields of a ticket at ``end`` (epoch seconds) and its return visits."""
    rng = ctx.rng
    f: dict = {"status": "received", "is_key": False, "is_difficult": False, "supervision": "",
               "rehandling_count": 0, "next_due_kind": "", "is_excluded": False}  # fmt: skip
    visits: list = []
    local_hour = (received + LOCAL_OFFSET) % DAY // HOUR
    if core["urgency"] == "urgent" or 8 <= local_hour < 18:
        triaged = received + rng.randint(300, 2 * HOUR)
    else:  # a night call waits for the center's morning shift
        morning = (received + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET + (DAY if local_hour >= 18 else 0)
        triaged = morning + 8 * HOUR + rng.randint(0, 2 * HOUR)
    if end < triaged:
        return f, visits
    f.update(status="triaged", triaged_at=triaged)
    f["is_key"] = rng.random() < 0.05
    f["is_difficult"] = rng.random() < 0.02
    if rng.random() < 0.03:
        f["supervision"] = rng.choice(["street", "street", "street", "district", "district", "city"])
    roll = rng.random()
    if roll < 0.015:
        f["status"] = "sent_back"
        return f, visits
    if cluster_first is not None and roll < 0.08:
        f.update(status="merged", merged_into_id=cluster_first)
        return f, visits
    dispatched = triaged + rng.randint(300, HOUR)
    if end < dispatched:
        return f, visits
    community = core["community"]
    lead = community[1] if community and rng.random() < 0.5 else ctx.lead_department[core["category"]]
    rule = "urgent" if core["urgency"] == "urgent" else ("consult" if core["kind"] == "consult" else "normal")
    ack_h, contact_h, handle_s = RULES[rule]
    late = rng.random() < 0.06  # a unit that acknowledges, contacts and replies late
    ack = dispatched + rng.randint(300, int(ack_h * HOUR * (1.6 if late else 0.8)))
    f.update(
        status="dispatched", dispatched_at=dispatched, lead_unit_id=lead, acknowledge_due_at=dispatched + ack_h * HOUR
    )
    clock = ack if ack <= end else dispatched
    f.update(contact_due_at=clock + contact_h * HOUR, handle_due_at=clock + handle_s)
    if ack > end:
        return _running(f, "acknowledge", dispatched, f["acknowledge_due_at"]), visits
    f.update(acknowledged_at=ack, handle_started_at=ack)
    contact = ack + rng.randint(600, int(contact_h * HOUR * (1.5 if late else 0.7)))
    if end < contact:
        return _running(f, "contact", ack, f["contact_due_at"]), visits
    f.update(status="contacted", first_contact_at=contact)
    handling = contact + rng.randint(HOUR // 2, max(HOUR, min(DAY, handle_s // 4)))
    if end < handling:
        return _running(f, "handle", ack, f["handle_due_at"]), visits
    f["status"] = "handling"
    factor = rng.uniform(1.05, 1.8) if late else rng.uniform(0.3, 0.95)
    replied = max(ack + int(handle_s * factor), handling + 3 * HOUR)
    reviewed = replied - rng.randint(HOUR, 2 * HOUR)
    if end < reviewed:
        return _running(f, "handle", ack, f["handle_due_at"]), visits
    f.update(status="reviewed", reviewed_at=reviewed)
    if end < replied:
        return f, visits
    f.update(status="replied", replied_at=replied)
    visit = replied + rng.randint(DAY, 4 * DAY)
    if end < visit:
        return f, visits
    outcome = _visit_outcome(rng)
    visits.append((visit, *outcome))
    f["status"] = "visited"
    decided = visit + rng.randint(HOUR, DAY)
    if end < decided:
        return f, visits
    double_yes = outcome[2] and outcome[3]
    if double_yes or rng.random() < 0.5:
        f.update(status="closed", closed_at=decided)
        f["is_excluded"] = not double_yes and rng.random() < 0.15
        return f, visits
    # second handling (二次办理): the clock restarts at the reopening
    f.update(status="rehandling", rehandling_count=1, handle_started_at=decided, handle_due_at=decided + handle_s)
    replied = decided + int(handle_s * rng.uniform(0.3, 0.9)) + HOUR
    if end < replied:
        return _running(f, "handle", decided, f["handle_due_at"]), visits
    f.update(status="replied", reviewed_at=replied - HOUR, replied_at=replied)
    visit = replied + rng.randint(DAY, 3 * DAY)
    if end < visit:
        return f, visits
    visits.append((visit, *_visit_outcome(rng)))
    f["status"] = "visited"
    closed = visit + rng.randint(HOUR, DAY)
    if end >= closed:
        f.update(status="closed", closed_at=closed)
    return f, visits


def _running(f: dict, kind: str, start: int, due: int) -> dict:
    """The deadline running now and when it becomes "due soon" (the last quarter of its time)."""
    f.update(next_due_kind=kind, next_due_at=due, next_warn_at=due - int((due - start) * DUE_SOON_FRACTION))
    return f


def _tickets(ctx: _Context, count: int, days: int, end: int, first_id: int):
    """Yield (ticket row in TICKET_COLUMNS order, visit rows, co-handling unit ids), oldest first."""
    rng = ctx.rng
    times = _receive_times(ctx, count, days, end)
    cores = [_core(ctx, received, spot) for received, spot in times]
    numbers = _ticket_numbers(times, [c["source"] for c in cores])
    cluster_first: dict[int, int] = {}
    for offset, ((received, spot), core, number) in enumerate(zip(times, cores, numbers, strict=True)):
        ticket_id = first_id + offset
        first = cluster_first.setdefault(spot, ticket_id) if spot >= 0 else None
        f, visits = _walk(ctx, core, received, end, first if first != ticket_id else None)
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
    """Epoch seconds -> database text, fast: the date and hour part is formatted once per hour."""

    def __init__(self, suffix: str):
        self.suffix = suffix
        self.hours: dict[int, str] = {}

    def __call__(self, seconds: int) -> str:
        hour, rest = divmod(seconds, HOUR)
        base = self.hours.get(hour)
        if base is None:
            base = self.hours[hour] = datetime.fromtimestamp(hour * HOUR, UTC).strftime("%Y-%m-%d %H:")
        minute, second = divmod(rest, 60)
        return f"{base}{minute:02d}:{second:02d}{self.suffix}"


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class _Lines(io.TextIOBase):
    """A file psycopg2's copy_expert reads from while the rows are generated: PostgreSQL ingests one
    chunk while Python makes the next (the server runs on the other core)."""

    def __init__(self, lines):
        self.lines = iter(lines)

    def read(self, size: int = -1) -> str:
        parts, length = [], 0
        for line in self.lines:
            parts.append(line)
            length += len(line)
            if 0 < size <= length:
                break
        return "".join(parts)

    def readline(self, size: int = -1) -> str:
        return next(self.lines, "")


def _write_postgresql(cursor, rows, now: datetime) -> int:
    ts = _Times("+00")
    default_cols, defaults = model_defaults(Ticket, set(TICKET_COLUMNS), now)
    tail = "\t" + "\t".join(_copy_value(v) for v in defaults) if defaults else ""
    visit_default_cols, visit_defaults = model_defaults(ReturnVisit, set(VISIT_COLUMNS), now)
    visit_tail = "\t" + "\t".join(_copy_value(v) for v in visit_defaults) if visit_defaults else ""
    times = TICKET_TIMES
    visit_count = 0
    raw = cursor.cursor
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as visit_file,
        tempfile.TemporaryFile("w+", encoding="utf-8") as co_file,
    ):

        def lines():
            nonlocal visit_count
            for row, visits, co_units in rows:
                fields = []
                for i, value in enumerate(row):
                    if value is None:
                        fields.append("\\N")
                    elif value is True:
                        fields.append("t")
                    elif value is False:
                        fields.append("f")
                    elif i in times:
                        fields.append(ts(value))
                    else:
                        fields.append(str(value))  # generated text holds no tab, newline or backslash
                for ticket_id, visited, counted, contacted, resolved, satisfied in visits:
                    flags = "\t".join("t" if flag else "f" for flag in (counted, contacted, resolved, satisfied))
                    visit_file.write(f"{ticket_id}\t{ts(visited)}\t{flags}{visit_tail}\n")
                    visit_count += 1
                for unit_id in co_units:
                    co_file.write(f"{row[0]}\t{unit_id}\n")
                yield "\t".join(fields) + tail + "\n"

        # the raw cursor's errors are turned into Django's (IntegrityError for a taken ticket number)
        with connection.wrap_database_errors:
            raw.copy_expert(
                f"COPY intake_ticket ({', '.join(TICKET_COLUMNS + default_cols)}) FROM STDIN", _Lines(lines())
            )
            visit_file.seek(0)
            raw.copy_expert(
                f"COPY intake_returnvisit ({', '.join(VISIT_COLUMNS + visit_default_cols)}) FROM STDIN", visit_file
            )
            co_file.seek(0)
            raw.copy_expert(f"COPY {Ticket.co_units.through._meta.db_table} (ticket_id, unit_id) FROM STDIN", co_file)
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
            ctx = _Context(seed)
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
    """Write ``count`` tickets as an upstream ticket export (Chinese headers and labels, DOMAIN §8) and,
    if ``visits_path`` is given, a return-visit export for ~90% of them. Returns the visit rows written.
    Reads the organisation but writes nothing to the database."""
    ctx = _Context(seed, create_categories=False)
    rng = ctx.rng
    end = int((end_at or timezone.now()).timestamp())
    times = _receive_times(ctx, count, days, end)
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
            cores = [_core(ctx, received, spot) for received, spot in times]
            numbers = _ticket_numbers(times, [c["source"] for c in cores])
            for (received, _spot), core, number in zip(times, cores, numbers, strict=True):
                community = core["community"]
                writer.writerow([
                    number, _ZH_LABELS[core["source"]], local(received + LOCAL_OFFSET)[:16], _ZH_LABELS[core["kind"]],
                    core["category"], core["content"], core["name"], core["phone"], core["address"],
                    community[0] if community else "", _ZH_LABELS[core["urgency"]],
                ])  # fmt: skip
                if visit_writer and rng.random() < 0.9:
                    visited = min(received + rng.randint(2 * DAY, 9 * DAY), end - 60)
                    flags = ["是" if flag else "否" for flag in _visit_outcome(rng)]
                    visit_writer.writerow([number, local(visited + LOCAL_OFFSET), *flags])
                    visit_rows += 1
        finally:
            if visits:
                visits.close()
    return visit_rows

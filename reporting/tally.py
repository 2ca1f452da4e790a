"""The tallies behind the reports: per street × month × lead unit × source, the counts each rate is
made of (``reporting.rates.MEASURES``), the same per day, and per street × month (× day) the tickets
by category and by community (the public report's lists). Any range of whole months is a SUM over the
monthly rows; the days of a partial month are a SUM over the daily rows.

How they stay exact (docs/performance.md, "The tallies behind the reports"):

- **Every change is counted in its own transaction.** A statement-level trigger on ``intake_ticket``
  (installed by migration ``0005``; PostgreSQL only) reads the statement's old and new rows
  (transition tables) and appends what the statement changed — ``-1`` for a row's old contribution,
  ``+1`` for its new one, summed per key, nothing when they cancel — to the change tables of both
  grains. Whatever writes tickets (the imports' SQL, the workflow, the admin, a back-dated
  correction, a delete) is counted, and committed or rolled back with it. The change tables have no
  unique key: writers append and never wait on each other.
- **Folding** (:func:`fold`) moves the change rows into the tallies in one transaction
  (``DELETE … RETURNING`` into an ``ON CONFLICT`` upsert): the nightly job, each import and the beat
  (every ten minutes) fold, so the change tables stay a day's handful of rows.
- **Reading** (:func:`month_counts`, :func:`breakdown`) is ONE statement over the tallies and their
  pending changes. One statement reads one snapshot, so the answer is the count of the tickets at that
  moment, exactly; no ticket row is read.
- **A range that does not align with months** (:class:`Plan`): a partial month is read as its days in
  the range from the daily tallies, or — when the days *outside* the range are fewer, counting the
  days after today as none (nothing is received in the future; if something is, it is subtracted) —
  as the whole month minus the days outside. Year to date ending today is whole months only.

On another database (SQLite under ``make run``) there is no trigger: the reports count the raw tickets,
as :func:`in_use` says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from intake.models import GONE, Source
from jxq_cases.lib import clock

TALLY = "reporting_monthlytally"
TALLY_CHANGE = "reporting_monthlytallychange"
BREAKDOWN = "reporting_monthlybreakdown"
BREAKDOWN_CHANGE = "reporting_monthlybreakdownchange"
DAILY_TALLY = "reporting_dailytally"
DAILY_TALLY_CHANGE = "reporting_dailytallychange"
DAILY_BREAKDOWN = "reporting_dailybreakdown"
DAILY_BREAKDOWN_CHANGE = "reporting_dailybreakdownchange"

COUNTERS = ("total", "counted", "responded", "resolved", "satisfied", "double_no")


@dataclass(frozen=True)
class Grain:
    """Months or days: the period column and the four tables of that grain."""

    period: str  # the period column: "month" or "day"
    tally: str
    tally_change: str
    breakdown: str
    breakdown_change: str

    def key(self) -> tuple[str, ...]:
        return ("street_id", self.period, "lead_unit_id", "source")

    def breakdown_key(self) -> tuple[str, ...]:
        return ("street_id", self.period, "dimension", "item_id")


MONTH = Grain("month", TALLY, TALLY_CHANGE, BREAKDOWN, BREAKDOWN_CHANGE)
DAY = Grain("day", DAILY_TALLY, DAILY_TALLY_CHANGE, DAILY_BREAKDOWN, DAILY_BREAKDOWN_CHANGE)
GRAINS = (MONTH, DAY)

# the advisory lock folds and rebuilds take (one at a time; readers and writers never take it)
FOLD_LOCK = 0x7A11


def in_use(using: BaseDatabaseWrapper | None = None) -> bool:
    """Whether the reports read the tallies (PostgreSQL) or count the raw tickets (elsewhere)."""
    return (using or connection).vendor == "postgresql"


# --- the SQL of one ticket row's contribution ------------------------------------------------------


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def month_sql(alias: str) -> str:
    """The 1st of the month ``alias.received_at`` falls in, on the street's clock (as clock.trunc_month)."""
    return f"(date_trunc('month', {alias}.received_at AT TIME ZONE {_literal(clock.STREET_TZ.key)}))::date"


def day_sql(alias: str) -> str:
    """The street's date of ``alias.received_at`` (as clock.trunc_day)."""
    return f"({alias}.received_at AT TIME ZONE {_literal(clock.STREET_TZ.key)})::date"


def period_sql(grain: Grain, alias: str) -> str:
    return month_sql(alias) if grain is MONTH else day_sql(alias)


def not_gone_sql(alias: str) -> str:
    return f"{alias}.status NOT IN ({', '.join(_literal(s) for s in GONE)})"


def counter_sql(alias: str) -> dict[str, str]:
    """Each counter of one ticket row as 0/1 (reporting.rates.COUNTED and DOUBLE_NO, NULL being no)."""
    counted = f"{alias}.visit_counted IS TRUE AND {alias}.is_excluded IS FALSE"
    return {
        "total": "1",
        "counted": f"({counted})::int",
        "responded": f"({counted} AND {alias}.visit_contacted IS TRUE)::int",
        "resolved": f"({counted} AND {alias}.visit_resolved IS TRUE)::int",
        "satisfied": f"({counted} AND {alias}.visit_satisfied IS TRUE)::int",
        "double_no": f"({counted} AND {alias}.visit_resolved IS FALSE AND {alias}.visit_satisfied IS FALSE)::int",
    }


def contributions_sql(grain: Grain, table: str, sign: int, alias: str = "t") -> str:
    """One row per counted ticket of ``table``: its key and counters times ``sign``."""
    counters = ", ".join(f"{sign} * {expr} AS {name}" for name, expr in counter_sql(alias).items())
    return (
        f"SELECT {alias}.street_id, {period_sql(grain, alias)} AS {grain.period}, {alias}.lead_unit_id, "
        f"{alias}.source, {counters} FROM {table} {alias} WHERE {not_gone_sql(alias)}"
    )


# what a ticket is counted under in the breakdowns
ITEM_SQL = {"category": "{t}.category_id", "community": "COALESCE({t}.place_community_id, {t}.community_id)"}


def breakdown_contributions_sql(grain: Grain, table: str, sign: int, alias: str = "t") -> str:
    period = period_sql(grain, alias)
    return " UNION ALL ".join(
        f"SELECT {alias}.street_id, {period} AS {grain.period}, '{dimension}' AS dimension, "
        f"{item.format(t=alias)} AS item_id, {sign} AS total FROM {table} {alias} WHERE {not_gone_sql(alias)}"
        for dimension, item in ITEM_SQL.items()
    )


def _sums(names: Iterable[str]) -> str:
    return ", ".join(f"SUM({n})" for n in names)


def _insert_grouped(target: str, key: Sequence[str], counters: Sequence[str], parts: Sequence[str]) -> str:
    """``INSERT INTO target`` the parts' rows summed per key, leaving out the keys that sum to nothing."""
    nonzero = " OR ".join(f"SUM({c}) <> 0" for c in counters)
    return (
        f"INSERT INTO {target} ({', '.join((*key, *counters))}) "
        f"SELECT {', '.join(key)}, {_sums(counters)} FROM ({' UNION ALL '.join(parts)}) AS parts "
        f"GROUP BY {', '.join(key)} HAVING {nonzero}"
    )


def _count_into(grain: Grain, tables: Sequence[tuple[str, int]], *, changes: bool) -> list[str]:
    """The INSERTs counting the ``(table, sign)`` rows into the grain's tallies (or their change tables)."""
    tally_table = grain.tally_change if changes else grain.tally
    breakdown_table = grain.breakdown_change if changes else grain.breakdown
    return [
        _insert_grouped(
            tally_table,
            grain.key(),
            COUNTERS,
            [contributions_sql(grain, table, sign, f"r{i}") for i, (table, sign) in enumerate(tables)],
        ),
        _insert_grouped(
            breakdown_table,
            grain.breakdown_key(),
            ("total",),
            [breakdown_contributions_sql(grain, table, sign, f"r{i}") for i, (table, sign) in enumerate(tables)],
        ),
    ]


# --- the trigger ----------------------------------------------------------------------------------


def trigger_function_sql() -> str:
    """The trigger function: what one statement on the ticket table changed, appended to the change
    tables of both grains (statement level, transition tables ``old_rows`` / ``new_rows``)."""

    def count(tables: list[tuple[str, int]]) -> str:
        return ";\n    ".join(sql for grain in GRAINS for sql in _count_into(grain, tables, changes=True)) + ";"

    truncate = " ".join(
        f"DELETE FROM {table};"
        for grain in GRAINS
        for table in (grain.tally, grain.tally_change, grain.breakdown, grain.breakdown_change)
    )
    return f"""
CREATE OR REPLACE FUNCTION reporting_tally_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {count([("new_rows", 1)])}
  ELSIF TG_OP = 'UPDATE' THEN
    {count([("old_rows", -1), ("new_rows", 1)])}
  ELSIF TG_OP = 'DELETE' THEN
    {count([("old_rows", -1)])}
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reporting_tally_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE of several tables (a test database's flush) names these too
  {truncate}
  RETURN NULL;
END $$;
"""


TRIGGERS_SQL = """
DROP TRIGGER IF EXISTS reporting_tally_insert ON intake_ticket;
DROP TRIGGER IF EXISTS reporting_tally_update ON intake_ticket;
DROP TRIGGER IF EXISTS reporting_tally_delete ON intake_ticket;
DROP TRIGGER IF EXISTS reporting_tally_truncate ON intake_ticket;
CREATE TRIGGER reporting_tally_insert AFTER INSERT ON intake_ticket
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_tally_changed();
CREATE TRIGGER reporting_tally_update AFTER UPDATE ON intake_ticket
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_tally_changed();
CREATE TRIGGER reporting_tally_delete AFTER DELETE ON intake_ticket
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_tally_changed();
CREATE TRIGGER reporting_tally_truncate AFTER TRUNCATE ON intake_ticket
  FOR EACH STATEMENT EXECUTE FUNCTION reporting_tally_truncated();
"""

UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reporting_tally_insert ON intake_ticket;
DROP TRIGGER IF EXISTS reporting_tally_update ON intake_ticket;
DROP TRIGGER IF EXISTS reporting_tally_delete ON intake_ticket;
DROP TRIGGER IF EXISTS reporting_tally_truncate ON intake_ticket;
DROP FUNCTION IF EXISTS reporting_tally_changed();
DROP FUNCTION IF EXISTS reporting_tally_truncated();
"""


def install(using: BaseDatabaseWrapper | None = None) -> None:
    """Create (or replace) the trigger on the ticket table; PostgreSQL only."""
    using = using or connection
    if not in_use(using):
        return
    with using.cursor() as cursor:
        cursor.execute(trigger_function_sql())
        cursor.execute(TRIGGERS_SQL)


def uninstall(using: BaseDatabaseWrapper | None = None) -> None:
    using = using or connection
    if not in_use(using):
        return
    with using.cursor() as cursor:
        cursor.execute(UNINSTALL_SQL)


# --- rebuilding and folding -----------------------------------------------------------------------


def rebuild(using: BaseDatabaseWrapper | None = None) -> None:
    """Count every ticket afresh into the tallies (the migration's fill, and a repair): one grouped
    INSERT … SELECT per table, under the fold lock, with the ticket table locked against writes."""
    using = using or connection
    if not in_use(using):
        return
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
        # writers wait for the rebuild (a change made meanwhile would be counted twice or not at all)
        cursor.execute("LOCK TABLE intake_ticket IN SHARE MODE")
        for grain in GRAINS:
            for table in (grain.tally, grain.tally_change, grain.breakdown, grain.breakdown_change):
                cursor.execute(f"DELETE FROM {table}")
            for sql in _count_into(grain, [("intake_ticket", 1)], changes=False):
                cursor.execute(sql)


def _fold_sql(target: str, source: str, key: Sequence[str], counters: Sequence[str], street_id: int | None) -> str:
    where = f"WHERE street_id = {int(street_id)}" if street_id is not None else ""
    columns = ", ".join((*key, *counters))
    added = ", ".join(f"{c} = {target}.{c} + EXCLUDED.{c}" for c in counters)
    return (
        f"WITH moved AS (DELETE FROM {source} {where} RETURNING {columns}) "
        f"INSERT INTO {target} ({columns}) SELECT {', '.join(key)}, {_sums(counters)} FROM moved "
        f"GROUP BY {', '.join(key)} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}"
    )


def fold(street_id: int | None = None, using: BaseDatabaseWrapper | None = None) -> None:
    """Move the pending changes (one street's, or all) into the tallies, in one transaction; rows
    that come to nothing go. Readers see the tallies before or after, never half of it."""
    using = using or connection
    if not in_use(using):
        return
    only = f" AND street_id = {int(street_id)}" if street_id is not None else ""
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
        for grain in GRAINS:
            cursor.execute(_fold_sql(grain.tally, grain.tally_change, grain.key(), COUNTERS, street_id))
            cursor.execute(f"DELETE FROM {grain.tally} WHERE total = 0 AND counted = 0{only}")
            cursor.execute(
                _fold_sql(grain.breakdown, grain.breakdown_change, grain.breakdown_key(), ("total",), street_id)
            )
            cursor.execute(f"DELETE FROM {grain.breakdown} WHERE total = 0{only}")


def differences(using: BaseDatabaseWrapper | None = None) -> list[tuple[str, tuple]]:
    """Where the tallies (with their pending changes) differ from a count of the tickets: ``(table,
    row)`` for every key of every grain whose counts differ (the row as the tickets count it, or as
    the tally has it when the tickets have no such key). Empty when they are exact."""
    using = using or connection
    found: list[tuple[str, tuple]] = []
    with using.cursor() as cursor:
        for grain in GRAINS:
            for table, change, key, counters, counted in (
                (grain.tally, grain.tally_change, grain.key(), COUNTERS, contributions_sql(grain, "intake_ticket", 1)),
                (
                    grain.breakdown,
                    grain.breakdown_change,
                    grain.breakdown_key(),
                    ("total",),
                    breakdown_contributions_sql(grain, "intake_ticket", 1),
                ),
            ):
                columns = ", ".join(key)
                nonzero = " OR ".join(f"SUM({c}) <> 0" for c in counters)
                tallied = (
                    f"SELECT {columns}, {_sums(counters)} FROM (SELECT {columns}, {', '.join(counters)} FROM {table} "
                    f"UNION ALL SELECT {columns}, {', '.join(counters)} FROM {change}) AS t "
                    f"GROUP BY {columns} HAVING {nonzero}"
                )
                recounted = f"SELECT {columns}, {_sums(counters)} FROM ({counted}) AS c GROUP BY {columns}"
                cursor.execute(
                    f"(({recounted}) EXCEPT ({tallied})) UNION ALL (({tallied}) EXCEPT ({recounted})) LIMIT 1000"
                )
                found.extend((table, row) for row in cursor.fetchall())
    return found


# --- reading a range ------------------------------------------------------------------------------


class Plan:
    """How a range is read: the months taken whole from the monthly tallies, and the days added or
    subtracted from the daily tallies (inclusive pairs of local dates)."""

    def __init__(self, start_on: dt.date, end_on: dt.date, today: dt.date | None = None):
        today = today or clock.today()
        self.whole: list[dt.date] = []
        self.added: list[tuple[dt.date, dt.date]] = []
        self.subtracted: list[tuple[dt.date, dt.date]] = []
        for month in clock.months_between(start_on, end_on):
            last = clock.month_end(month)
            first_in, last_in = max(start_on, month), min(end_on, last)
            if first_in == month and last_in == last:
                self.whole.append(month)
                continue
            outside = [(month, first_in - dt.timedelta(days=1)), (last_in + dt.timedelta(days=1), last)]
            outside = [(a, b) for a, b in outside if a <= b]
            if _past_days(outside, today) < _past_days([(first_in, last_in)], today):
                self.whole.append(month)
                self.subtracted.extend(outside)
            else:
                self.added.append((first_in, last_in))


def _past_days(ranges: list[tuple[dt.date, dt.date]], today: dt.date) -> int:
    """Days of the ranges up to today: what reading them costs (nothing is received later)."""
    return sum(max(0, (min(b, today) - a).days + 1) for a, b in ranges)


def _scope(alias: str, street_ids: Sequence[int] | None, unit_id: int | None, params: list) -> str:
    clauses = []
    if street_ids is not None:
        clauses.append(f"{alias}.street_id = ANY(%s)")
        params.append(list(street_ids))
    if unit_id is not None:
        clauses.append(f"{alias}.lead_unit_id = %s")
        params.append(unit_id)
    return " AND ".join(clauses) or "TRUE"


def _days(ranges: list[tuple[dt.date, dt.date]], params: list) -> str:
    clauses = []
    for first, last in ranges:
        clauses.append("s.day BETWEEN %s AND %s")
        params.extend([first, last])
    return " OR ".join(clauses)


def _parts(
    plan: Plan,
    columns: Sequence[str],
    street_ids: Sequence[int] | None,
    unit_id: int | None = None,
    dimension: str | None = None,
) -> tuple[list[str], list]:
    """The SELECTs of a plan: the whole months' rows of the monthly tallies and their changes, the
    days' rows of the daily ones, each row with its month and its sign (+1, or -1 for the days
    subtracted); the breakdowns' of ``dimension`` when it is given."""
    params: list = []
    parts = []
    listed = ", ".join(f"s.{c}" for c in columns)
    only = " AND s.dimension = %s" if dimension is not None else ""

    def tables(grain: Grain) -> tuple[str, str]:
        if dimension is not None:
            return grain.breakdown, grain.breakdown_change
        return grain.tally, grain.tally_change

    if plan.whole:
        for table in tables(MONTH):
            scope = _scope("s", street_ids, unit_id, params)
            parts.append(
                f"SELECT s.month, 1 AS sign, {listed} FROM {table} s WHERE {scope} AND s.month = ANY(%s){only}"
            )
            params.append(plan.whole)
            if dimension is not None:
                params.append(dimension)
    for ranges, sign in ((plan.added, 1), (plan.subtracted, -1)):
        if not ranges:
            continue
        for table in tables(DAY):
            scope = _scope("s", street_ids, unit_id, params)
            days = _days(ranges, params)
            parts.append(
                f"SELECT (date_trunc('month', s.day))::date AS month, {sign} AS sign, {listed} FROM {table} s "
                f"WHERE {scope} AND ({days}){only}"
            )
            if dimension is not None:
                params.append(dimension)
    return parts, params


# the MEASURES of reporting.rates from the tally's per-source counters (each row times its sign)
MEASURE_SQL = {
    "total": "SUM(sign * total)",
    "city": f"SUM(sign * total) FILTER (WHERE source = '{Source.CITY}')",
    "district": f"SUM(sign * total) FILTER (WHERE source = '{Source.DISTRICT}')",
    "counted": "SUM(sign * counted)",
    "counted_city": f"SUM(sign * counted) FILTER (WHERE source = '{Source.CITY}')",
    "responded": "SUM(sign * responded)",
    "resolved": "SUM(sign * resolved)",
    "satisfied": "SUM(sign * satisfied)",
    "double_no": "SUM(sign * double_no)",
}


def month_counts_sql(
    start_on: dt.date,
    end_on: dt.date,
    *,
    street_ids: Sequence[int] | None,
    unit_id: int | None = None,
    keys: Sequence[str] = (),
    today: dt.date | None = None,
) -> tuple[str, list]:
    plan = Plan(start_on, end_on, today)
    parts, params = _parts(plan, ("lead_unit_id", "street_id", "source", *COUNTERS), street_ids, unit_id)
    group = ", ".join((*keys, "month"))
    measures = ", ".join(f"COALESCE({sql}, 0) AS {name}" for name, sql in MEASURE_SQL.items())
    sql = (
        f"SELECT {group}, {measures} FROM ({' UNION ALL '.join(parts)}) AS parts "
        f"GROUP BY {group} HAVING SUM(sign * total) <> 0"
    )
    return sql, params


def month_counts(
    start_on: dt.date,
    end_on: dt.date,
    *,
    street_ids: Sequence[int] | None,
    unit_id: int | None = None,
    keys: Sequence[str] = (),
) -> list[dict]:
    """The counts of ``reporting.rates.MEASURES`` per month (and per ``keys``: ``lead_unit_id``,
    ``street_id``) of the streets' tickets received in the range, one statement over the tallies; the
    rows ``rates.monthly_measures`` gives for the same tickets (no row for a month without tickets)."""
    if start_on > end_on:
        return []
    sql, params = month_counts_sql(start_on, end_on, street_ids=street_ids, unit_id=unit_id, keys=keys)
    names, rows = _serial(sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


PARALLEL = "max_parallel_workers_per_gather"


def _serial(sql: str, params: list) -> tuple[list[str], list[tuple]]:
    """Run one statement over the tallies without parallel workers, and return its column names and rows.

    The statements read a few thousand tally rows at most; when the planner's estimate is over its
    parallel threshold it starts two workers, which costs ~10 ms on a busy machine for ~2 ms of work
    (docs/performance.md). The setting is the transaction's (``set_config(…, true)``) and is put back
    right after, so nothing else of a caller's transaction runs without workers."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [PARALLEL])
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config(%s, '0', true)", [PARALLEL])
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
        cursor.execute("SELECT set_config(%s, %s, true)", [PARALLEL, previous])
    return names, rows


def breakdown(start_on: dt.date, end_on: dt.date, *, street_ids: Sequence[int] | None, dimension: str) -> dict:
    """The tickets of the range by category or community: ``{item id or None: count}``, one statement."""
    if dimension not in ITEM_SQL:
        raise ValueError(f"no breakdown by {dimension!r}")
    if start_on > end_on:
        return {}
    parts, params = _parts(Plan(start_on, end_on), ("item_id", "total"), street_ids, dimension=dimension)
    sql = (
        f"SELECT item_id, SUM(sign * total) FROM ({' UNION ALL '.join(parts)}) AS parts "
        "GROUP BY item_id HAVING SUM(sign * total) <> 0"
    )
    _names, rows = _serial(sql, params)
    return {item: int(count) for item, count in rows}

"""The monthly tallies behind the reports: per street × month × lead unit × source, the counts each
rate is made of (``reporting.rates.MEASURES``), and per street × month the tickets by category and by
community (the public report's lists). Any range of whole months is a SUM over their rows.

How they stay exact (docs/performance.md, "The monthly tallies"):

- **Every change is counted in its own transaction.** A statement-level trigger on ``intake_ticket``
  (installed by migration ``0005``; PostgreSQL only) reads the statement's old and new rows
  (transition tables) and appends what the statement changed to the counts — ``-1`` for a row's old
  contribution, ``+1`` for its new one, summed per key, nothing when they cancel — to
  ``MonthlyTallyChange`` / ``MonthlyBreakdownChange``. Whatever writes tickets (the imports' SQL,
  the workflow, the admin, a back-dated correction, a delete) is counted, and committed or rolled
  back with it. The change tables have no unique key: writers append and never wait on each other.
- **Folding** (:func:`fold`) moves the change rows into ``MonthlyTally`` / ``MonthlyBreakdown`` in one
  transaction (``DELETE … RETURNING`` into an ``ON CONFLICT`` upsert): the nightly job, each import and
  the beat (every ten minutes) fold, so the change tables stay a day's handful of rows.
- **Reading** (:func:`month_counts`, :func:`breakdown`) is ONE statement: the tally rows of the range's
  whole months, plus their pending changes, plus the raw tickets of the partial months' days. One
  statement reads one snapshot, so the answer is the raw computation's at that moment, exactly.
- **A range that does not align with months**: a partial month is answered from the raw tickets of
  its days in the range, or — when the days *outside* the range are fewer (counting days after today
  as none: nothing is received in the future, and if something is, it is subtracted) — as the whole
  month's tally minus the raw tickets outside the range. Year to date ending today therefore reads no
  ticket row; a range of a few days reads those days' tickets only.

On another database (SQLite under ``make run``) there is no trigger: the reports count the raw tickets,
as :func:`in_use` says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from intake.models import GONE, Source
from jxq_cases.lib import clock

TALLY = "reporting_monthlytally"
TALLY_CHANGE = "reporting_monthlytallychange"
BREAKDOWN = "reporting_monthlybreakdown"
BREAKDOWN_CHANGE = "reporting_monthlybreakdownchange"

COUNTERS = ("total", "counted", "responded", "resolved", "satisfied", "double_no")
KEY = ("street_id", "month", "lead_unit_id", "source")
BREAKDOWN_KEY = ("street_id", "month", "dimension", "item_id")

# the advisory lock folds take (one fold at a time; readers and writers never take it)
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


def contributions_sql(table: str, sign: int, alias: str = "t", where: str = "") -> str:
    """One row per counted ticket of ``table``: its key and counters times ``sign``."""
    counters = ", ".join(f"{sign} * {expr} AS {name}" for name, expr in counter_sql(alias).items())
    condition = not_gone_sql(alias) + (f" AND ({where})" if where else "")
    return (
        f"SELECT {alias}.street_id, {month_sql(alias)} AS month, {alias}.lead_unit_id, {alias}.source, {counters} "
        f"FROM {table} {alias} WHERE {condition}"
    )


def breakdown_contributions_sql(table: str, sign: int, alias: str = "t", where: str = "") -> str:
    condition = not_gone_sql(alias) + (f" AND ({where})" if where else "")
    month = month_sql(alias)
    return (
        f"SELECT {alias}.street_id, {month} AS month, 'category' AS dimension, {alias}.category_id AS item_id, "
        f"{sign} AS total FROM {table} {alias} WHERE {condition} "
        f"UNION ALL SELECT {alias}.street_id, {month}, 'community', "
        f"COALESCE({alias}.place_community_id, {alias}.community_id), {sign} FROM {table} {alias} WHERE {condition}"
    )


def _sums(names: Iterable[str]) -> str:
    return ", ".join(f"SUM({n})" for n in names)


def _insert_grouped(target: str, parts: Sequence[str], *, breakdown: bool = False) -> str:
    """``INSERT INTO target`` the parts' rows summed per key, leaving out the keys that sum to nothing."""
    key, counters = (BREAKDOWN_KEY, ("total",)) if breakdown else (KEY, COUNTERS)
    nonzero = " OR ".join(f"SUM({c}) <> 0" for c in counters)
    return (
        f"INSERT INTO {target} ({', '.join((*key, *counters))}) "
        f"SELECT {', '.join(key)}, {_sums(counters)} FROM ({' UNION ALL '.join(parts)}) AS parts "
        f"GROUP BY {', '.join(key)} HAVING {nonzero}"
    )


# --- the trigger ----------------------------------------------------------------------------------


def trigger_function_sql() -> str:
    """The trigger function: what one statement on the ticket table changed, appended to the change
    tables (statement level, transition tables ``old_rows`` / ``new_rows``)."""

    def both(tables: list[tuple[str, int]]) -> str:
        tally = _insert_grouped(
            TALLY_CHANGE, [contributions_sql(t, sign, f"r{i}") for i, (t, sign) in enumerate(tables)]
        )
        counts = _insert_grouped(
            BREAKDOWN_CHANGE,
            [breakdown_contributions_sql(t, sign, f"r{i}") for i, (t, sign) in enumerate(tables)],
            breakdown=True,
        )
        return f"{tally};\n    {counts};"

    return f"""
CREATE OR REPLACE FUNCTION reporting_tally_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {both([("new_rows", 1)])}
  ELSIF TG_OP = 'UPDATE' THEN
    {both([("old_rows", -1), ("new_rows", 1)])}
  ELSIF TG_OP = 'DELETE' THEN
    {both([("old_rows", -1)])}
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reporting_tally_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE of several tables (a test database's flush) names these too
  DELETE FROM {TALLY}; DELETE FROM {TALLY_CHANGE}; DELETE FROM {BREAKDOWN}; DELETE FROM {BREAKDOWN_CHANGE};
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
        cursor.execute(f"DELETE FROM {TALLY}; DELETE FROM {TALLY_CHANGE}")
        cursor.execute(f"DELETE FROM {BREAKDOWN}; DELETE FROM {BREAKDOWN_CHANGE}")
        cursor.execute(_insert_grouped(TALLY, [contributions_sql("intake_ticket", 1)]))
        cursor.execute(_insert_grouped(BREAKDOWN, [breakdown_contributions_sql("intake_ticket", 1)], breakdown=True))


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
        cursor.execute(_fold_sql(TALLY, TALLY_CHANGE, KEY, COUNTERS, street_id))
        cursor.execute(f"DELETE FROM {TALLY} WHERE total = 0 AND counted = 0{only}")
        cursor.execute(_fold_sql(BREAKDOWN, BREAKDOWN_CHANGE, BREAKDOWN_KEY, ("total",), street_id))
        cursor.execute(f"DELETE FROM {BREAKDOWN} WHERE total = 0{only}")


# --- reading a range ------------------------------------------------------------------------------


class Plan:
    """How a range is read: the months taken whole from the tallies, the raw days added, the raw
    days subtracted (each a half-open pair of aware datetimes)."""

    def __init__(self, start_on: dt.date, end_on: dt.date, today: dt.date | None = None):
        today = today or clock.today()
        self.whole: list[dt.date] = []
        self.added: list[clock.Bounds] = []
        self.subtracted: list[clock.Bounds] = []
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
                self.subtracted.extend(clock.range_bounds(a, b) for a, b in outside)
            else:
                self.added.append(clock.range_bounds(first_in, last_in))


def _past_days(ranges: list[tuple[dt.date, dt.date]], today: dt.date) -> int:
    """Days of the ranges up to today: what reading their tickets costs (nothing is received later)."""
    return sum(max(0, (min(b, today) - a).days + 1) for a, b in ranges)


def _raw_where(ranges: list[clock.Bounds], params: list) -> str:
    clauses = []
    for start_at, end_at in ranges:
        clauses.append("(t.received_at >= %s AND t.received_at < %s)")
        params.extend([start_at, end_at])
    return " OR ".join(clauses)


def _scope(alias: str, street_ids: Sequence[int] | None, unit_id: int | None, params: list) -> str:
    clauses = []
    if street_ids is not None:
        clauses.append(f"{alias}.street_id = ANY(%s)")
        params.append(list(street_ids))
    if unit_id is not None:
        clauses.append(f"{alias}.lead_unit_id = %s")
        params.append(unit_id)
    return " AND ".join(clauses) or "TRUE"


# the MEASURES of reporting.rates from the tally's per-source counters
MEASURE_SQL = {
    "total": "SUM(total)",
    "city": f"SUM(total) FILTER (WHERE source = '{Source.CITY}')",
    "district": f"SUM(total) FILTER (WHERE source = '{Source.DISTRICT}')",
    "counted": "SUM(counted)",
    "counted_city": f"SUM(counted) FILTER (WHERE source = '{Source.CITY}')",
    "responded": "SUM(responded)",
    "resolved": "SUM(resolved)",
    "satisfied": "SUM(satisfied)",
    "double_no": "SUM(double_no)",
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
    params: list = []
    columns = ", ".join((*KEY, *COUNTERS))
    parts = []
    if plan.whole:
        for table in (TALLY, TALLY_CHANGE):
            parts.append(
                f"SELECT {columns} FROM {table} s WHERE {_scope('s', street_ids, unit_id, params)} "
                "AND s.month = ANY(%s)"
            )
            params.append(plan.whole)
    for ranges, sign in ((plan.added, 1), (plan.subtracted, -1)):
        if ranges:
            scope = _scope("t", street_ids, unit_id, params)
            parts.append(contributions_sql("intake_ticket", sign, where=f"{scope} AND ({_raw_where(ranges, params)})"))
    group = ", ".join((*keys, "month"))
    measures = ", ".join(f"COALESCE({sql}, 0) AS {name}" for name, sql in MEASURE_SQL.items())
    sql = (
        f"SELECT {group}, {measures} FROM ({' UNION ALL '.join(parts)}) AS parts "
        f"GROUP BY {group} HAVING SUM(total) <> 0"
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
    ``street_id``) of the streets' tickets received in the range, one statement; the rows
    ``rates.monthly_measures`` gives for the same tickets (no row for a month without tickets)."""
    sql, params = month_counts_sql(start_on, end_on, street_ids=street_ids, unit_id=unit_id, keys=keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


ITEM_SQL = {"category": "t.category_id", "community": "COALESCE(t.place_community_id, t.community_id)"}


def breakdown(start_on: dt.date, end_on: dt.date, *, street_ids: Sequence[int] | None, dimension: str) -> dict:
    """The tickets of the range by category or community: ``{item id or None: count}``, one statement."""
    plan = Plan(start_on, end_on)
    params: list = []
    parts = []
    columns = ", ".join((*BREAKDOWN_KEY, "total"))
    if plan.whole:
        for table in (BREAKDOWN, BREAKDOWN_CHANGE):
            parts.append(
                f"SELECT {columns} FROM {table} s WHERE {_scope('s', street_ids, None, params)} "
                "AND s.month = ANY(%s) AND s.dimension = %s"
            )
            params.extend([plan.whole, dimension])
    item = ITEM_SQL[dimension]
    for ranges, sign in ((plan.added, 1), (plan.subtracted, -1)):
        if ranges:
            params.append(dimension)
            scope = _scope("t", street_ids, None, params)
            parts.append(
                f"SELECT t.street_id, {month_sql('t')} AS month, %s AS dimension, {item} AS item_id, {sign} AS total "
                f"FROM intake_ticket t WHERE {not_gone_sql('t')} AND {scope} AND ({_raw_where(ranges, params)})"
            )
    sql = (
        f"SELECT item_id, SUM(total) FROM ({' UNION ALL '.join(parts)}) AS parts "
        "GROUP BY item_id HAVING SUM(total) <> 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {item: int(count) for item, count in cursor.fetchall()}

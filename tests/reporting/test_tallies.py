"""The monthly tallies (reporting.tally) against a recomputation from the raw tickets: after ticket and
visit imports, workflow actions (dispatch, visits, exclusions, second handling, send-back), a
back-dated correction, a delete and a rolled-back change, for several ranges, units, sources and two
streets; before and after folding, and against a rebuild."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dispatch.upstream import import_tickets_and_record
from intake.importers import import_visits
from intake.models import Source, Status, Ticket
from jxq_cases.lib import clock
from org.models import Street, Unit
from org.streets import add_street
from reporting import rates, tally
from reporting.district import district_league
from reporting.models import (
    DailyBreakdown,
    DailyBreakdownChange,
    DailyTally,
    DailyTallyChange,
    MonthlyBreakdown,
    MonthlyBreakdownChange,
    MonthlyTally,
    MonthlyTallyChange,
)
from reporting.report import build_report, by_community, top_categories
from tests.dispatch.helpers import prepare
from tests.factories import counted_ticket, local_time
from tests.intake.helpers import ZH_TICKET_HEADER, ZH_VISIT_HEADER, write_csv, zh_ticket

pytestmark = pytest.mark.django_db

RANGES = [
    (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),  # whole months
    (dt.date(2025, 1, 15), dt.date(2025, 3, 2)),  # partial at both ends
    (dt.date(2025, 1, 31), dt.date(2025, 2, 1)),  # two days across a month's end
    (dt.date(2025, 3, 3), dt.date(2025, 3, 3)),  # one day
    (dt.date(2024, 12, 20), dt.date(2025, 2, 10)),  # across a year
    (dt.date(2024, 1, 1), clock.today()),  # to date
]


@pytest.fixture
def jiangtai(street_units) -> Street:
    return add_street("将台街道", "朝阳区")


def _norm(rows: list[dict], keys: tuple[str, ...] = ()) -> list:
    return sorted(
        (tuple(row[k] or 0 for k in keys), row["month"], tuple(int(row[c]) for c in rates.COUNT_KEYS)) for row in rows
    )


def assert_exact(streets: list[Street], units: list[Unit], monkeypatch) -> None:
    """Every figure the reports read from the tallies equals the same figure counted from the tickets."""
    assert tally.in_use()
    for start_on, end_on in RANGES:
        case = f"{start_on}..{end_on}"
        for street in [*streets, None]:
            for by_unit in (False, True):
                keys = ("lead_unit_id",) if by_unit else ()
                got = rates.month_counts(start_on, end_on, by_unit=by_unit, street=street)
                want = rates.raw_month_counts(start_on, end_on, by_unit=by_unit, street=street)
                assert _norm(got, keys) == _norm(want, keys), (case, street, by_unit)
        for unit in units:
            got = rates.month_counts(start_on, end_on, unit=unit, street=unit.street)
            want = rates.raw_month_counts(start_on, end_on, unit=unit, street=unit.street)
            assert _norm(got) == _norm(want), (case, unit)
        # the district league's grouping: streets, then their lead units
        ids = [s.pk for s in streets]
        for key in ("street_id", "lead_unit_id"):
            got = tally.month_counts(start_on, end_on, street_ids=ids, keys=[key])
            want = rates.monthly_measures(rates.period_tickets(start_on, end_on).filter(street__in=ids), key)
            assert _norm(got, (key,)) == _norm(want, (key,)), (case, key)
        # the report and the public page's lists, with the tallies and without
        for street in streets:
            with_tally = (
                build_report(start_on, end_on, street=street),
                top_categories(start_on, end_on, street=street, limit=50),
                by_community(start_on, end_on, street),
            )
            with monkeypatch.context() as patched:
                patched.setattr(tally, "in_use", lambda using=None: False)
                raw = (
                    build_report(start_on, end_on, street=street),
                    top_categories(start_on, end_on, street=street, limit=50),
                    by_community(start_on, end_on, street),
                )
            assert with_tally == raw, (case, street)


def _folded_rows() -> tuple[list, ...]:
    fields = ("street_id", "lead_unit_id", "source", *tally.COUNTERS)

    def key(row: tuple) -> tuple:
        return tuple(-1 if value is None else value for value in row)

    breakdown = ("street_id", "dimension", "item_id", "total")
    return (
        sorted(MonthlyTally.objects.values_list("month", *fields), key=key),
        sorted(DailyTally.objects.values_list("day", *fields), key=key),
        sorted(MonthlyBreakdown.objects.values_list("month", *breakdown), key=key),
        sorted(DailyBreakdown.objects.values_list("day", *breakdown), key=key),
    )


def test_the_tallies_equal_the_tickets_through_imports_actions_and_corrections(
    tmp_path, monkeypatch, api_client_for, center_staff, unit_handler, handler_unit, other_unit, jiangtai
):
    b_unit = Unit.objects.get(street=jiangtai, name="南路社区")
    # ticket imports into both streets, on both sides of month ends (Beijing midnight)
    lines_a = [ZH_TICKET_HEADER] + [
        zh_ticket(f"A{i}", when=when, source=source, category=category)
        for i, (when, source, category) in enumerate(
            [
                ("2025-01-31 23:59", "市级直派", "物业管理"),
                ("2025-02-01 00:00", "区级转派", "物业管理"),
                ("2025-01-14 10:00", "市级直派", "噪音扰民"),
                ("2025-03-02 12:00", "市级直派", "噪音扰民"),
                ("2025-03-03 08:00", "区级转派", "环境卫生"),
                ("2024-12-31 16:30", "市级直派", "环境卫生"),
            ]
        )
    ]
    import_tickets_and_record(write_csv(tmp_path / "a.csv", lines_a), street="酒仙桥街道")
    lines_b = [ZH_TICKET_HEADER] + [
        zh_ticket(f"B{i}", when=when, category="物业管理")
        for i, when in enumerate(["2025-01-31 23:59", "2025-02-15 09:00", "2025-03-03 09:00"])
    ]
    import_tickets_and_record(write_csv(tmp_path / "b.csv", lines_b), street=jiangtai)
    # hand-built tickets with visits, led by units of both streets
    counted_ticket("2025-01-20 09:00", unit=handler_unit, visit="yyy", category="物业管理", community=handler_unit)
    counted_ticket("2025-02-20 09:00", unit=other_unit, visit="ynn", source=Source.DISTRICT)
    counted_ticket("2025-02-21 09:00", unit=b_unit, visit="yny", status=Status.VISITED)
    # dispatched: the imported tickets get their lead units
    Ticket.objects.filter(ticket_no__in=["A0", "A1", "A2"]).update(lead_unit=handler_unit, status=Status.REPLIED)
    Ticket.objects.filter(ticket_no__in=["A3", "A4"]).update(lead_unit=other_unit, status=Status.REPLIED)
    Ticket.objects.filter(street=jiangtai, ticket_no__startswith="B").update(lead_unit=b_unit, status=Status.REPLIED)
    # a visit import: A0 double-yes, A1 a double-no, A3 not counted, B1 satisfied only
    visits = [
        ZH_VISIT_HEADER,
        "A0,2025-02-03 10:00,是,是,是,是",
        "A1,2025-02-03 10:00,是,是,否,否",
        "A3,2025-03-05 10:00,否,是,是,是",
    ]
    import_visits(io.BytesIO("\r\n".join(visits).encode()), street="酒仙桥街道")
    import_visits(io.BytesIO(f"{ZH_VISIT_HEADER}\r\nB1,2025-02-17 10:00,是,是,否,是".encode()), street=jiangtai)
    assert_exact([Street.objects.get(name="酒仙桥街道"), jiangtai], [handler_unit, other_unit, b_unit], monkeypatch)

    # workflow actions through the API: an approved exclusion on a counted ticket, second handling,
    # a return visit recorded, a send-back approved
    client = api_client_for(center_staff)

    def act(ticket, action, body):
        response = client.post(
            f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **body}, format="json"
        )
        assert response.status_code == 200, (action, response.json())

    excluded, body = prepare("record_exclusion_decision", handler_unit, unit_handler)
    Ticket.objects.filter(pk=excluded.pk).update(visit_counted=True, visit_contacted=True, visit_resolved=False)
    act(excluded, "record_exclusion_decision", body)
    second, body = prepare("reopen_for_second_handling", handler_unit, unit_handler)
    act(second, "reopen_for_second_handling", body)
    import_visits(
        io.BytesIO(f"{ZH_VISIT_HEADER}\r\n{second.ticket_no},2025-03-20 10:00,是,是,是,是".encode()),
        street="酒仙桥街道",
    )
    visited, body = prepare("record_return_visit", other_unit, unit_handler)
    act(visited, "record_return_visit", body)
    sent_back, body = prepare("decide_send_back", handler_unit, unit_handler)
    act(sent_back, "decide_send_back", body)
    assert Ticket.objects.get(pk=excluded.pk).is_excluded
    assert Ticket.objects.get(pk=sent_back.pk).status == Status.SENT_BACK
    # a back-dated correction (received a month earlier), a move to the other street's unit, a
    # ticket re-led, a delete
    Ticket.objects.filter(ticket_no="A0").update(received_at=local_time("2024-12-31 23:00"))
    Ticket.objects.filter(ticket_no="A4").update(lead_unit=handler_unit, source=Source.CITY)
    Ticket.objects.filter(ticket_no="A5").delete()
    streets = [Street.objects.get(name="酒仙桥街道"), jiangtai]
    assert MonthlyTallyChange.objects.exists()  # changes pending: the reports add them
    assert_exact(streets, [handler_unit, other_unit, b_unit], monkeypatch)

    # folded, the pending changes are gone and the figures the same; a rebuild gives the same rows
    tally.fold()
    for change in (MonthlyTallyChange, MonthlyBreakdownChange, DailyTallyChange, DailyBreakdownChange):
        assert not change.objects.exists(), change
    assert_exact(streets, [handler_unit, other_unit, b_unit], monkeypatch)
    folded = _folded_rows()
    assert tally.differences() == []
    tally.rebuild()
    assert _folded_rows() == folded
    assert not MonthlyTally.objects.filter(total=0).exists() and not DailyTally.objects.filter(total=0).exists()


def test_a_rolled_back_change_leaves_no_count(handler_unit, monkeypatch):
    ticket = counted_ticket("2025-02-10 09:00", unit=handler_unit, visit="yyy")
    tally.fold()
    before = _folded_rows()
    with pytest.raises(RuntimeError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(is_excluded=True, received_at=local_time("2025-01-10 09:00"))
        counted_ticket("2025-02-11 09:00", unit=handler_unit, visit="nnn")
        raise RuntimeError("refused")
    assert not MonthlyTallyChange.objects.exists()
    tally.fold()
    assert _folded_rows() == before


def test_a_change_outside_the_counted_columns_writes_no_change_row(handler_unit):
    ticket = counted_ticket("2025-02-10 09:00", unit=handler_unit, visit="yyy", status=Status.VISITED)
    tally.fold()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED, content="改过", is_key=True)
    for change in (MonthlyTallyChange, MonthlyBreakdownChange, DailyTallyChange, DailyBreakdownChange):
        assert not change.objects.exists(), change
    Ticket.objects.filter(pk=ticket.pk).update(visit_satisfied=False)
    [month] = MonthlyTallyChange.objects.all()
    [day] = DailyTallyChange.objects.all()
    assert (month.month, month.total, month.counted, month.satisfied) == (dt.date(2025, 2, 1), 0, 0, -1)
    assert (day.day, day.total, day.counted, day.satisfied) == (dt.date(2025, 2, 10), 0, 0, -1)
    assert not MonthlyBreakdownChange.objects.exists()  # the same category and community


def _tally_reads(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "tally" in q["sql"]]


def _ticket_reads(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "intake_ticket" in q["sql"]]


def test_a_range_is_one_statement_over_the_tallies_whole_months_and_days(handler_unit):
    counted_ticket("2025-02-10 09:00", unit=handler_unit, visit="yyy")
    with CaptureQueriesContext(connection) as whole:
        rows = rates.month_counts(dt.date(2025, 1, 1), dt.date(2025, 3, 31), by_unit=True, street=handler_unit.street)
    assert [r["total"] for r in rows] == [1]
    assert len(_tally_reads(whole)) == 1 and not _ticket_reads(whole)

    # 15 Jan – 2 Mar: January is its whole month minus the 1st–14th (fewer days), March its 1st and 2nd
    plan = tally.Plan(dt.date(2025, 1, 15), dt.date(2025, 3, 2), today=dt.date(2026, 1, 1))
    assert plan.whole == [dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
    assert plan.subtracted == [(dt.date(2025, 1, 1), dt.date(2025, 1, 14))]
    assert plan.added == [(dt.date(2025, 3, 1), dt.date(2025, 3, 2))]
    # to date: this month whole, minus the days after today (nothing is received then: no row)
    today = dt.date(2025, 3, 10)
    plan = tally.Plan(dt.date(2025, 1, 1), today, today=today)
    assert plan.whole == [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)] and not plan.added
    assert plan.subtracted == [(dt.date(2025, 3, 11), dt.date(2025, 3, 31))]
    with CaptureQueriesContext(connection) as partial:
        rows = rates.month_counts(dt.date(2025, 2, 10), dt.date(2025, 3, 2), street=handler_unit.street)
    assert [r["total"] for r in rows] == [1]
    assert len(_tally_reads(partial)) == 1 and not _ticket_reads(partial)


def test_a_ticket_received_after_the_range_in_its_month_is_subtracted(handler_unit, monkeypatch):
    today = clock.today()
    counted_ticket(f"{today:%Y-%m-%d} 08:00", unit=handler_unit, visit="yyy")
    # received "tomorrow" (an upstream's clock ahead): outside a range ending today, in the same month
    # unless today is the month's last day
    counted_ticket(f"{today + dt.timedelta(days=1):%Y-%m-%d} 08:00", unit=handler_unit, visit="nnn")
    start_on = clock.month_start(today)
    got = rates.month_counts(start_on, today, street=handler_unit.street)
    want = rates.raw_month_counts(start_on, today, street=handler_unit.street)
    assert _norm(got) == _norm(want) and sum(r["total"] for r in got) == 1


def test_the_district_league_reads_the_tallies(handler_unit, jiangtai, monkeypatch):
    counted_ticket("2025-02-10 09:00", unit=handler_unit, visit="yyy")
    counted_ticket("2025-02-11 09:00", unit=Unit.objects.get(street=jiangtai, name="南路社区"), visit="ynn")
    start_on, end_on = dt.date(2025, 2, 1), dt.date(2025, 2, 28)
    with CaptureQueriesContext(connection) as captured:
        league = district_league(jiangtai.district, start_on, end_on)
    assert not _ticket_reads(captured)
    with monkeypatch.context() as patched:
        patched.setattr(tally, "in_use", lambda using=None: False)
        raw = district_league(jiangtai.district, start_on, end_on)
    assert [(s.street_name, s.rank, s.score) for s in league.ranked + league.apart] == [
        (s.street_name, s.rank, s.score) for s in raw.ranked + raw.apart
    ]


def test_the_command_checks_folds_and_rebuilds(handler_unit):
    ticket = counted_ticket("2025-02-10 09:00", unit=handler_unit, visit="yyy")
    out = io.StringIO()
    call_command("tallies", "--check", stdout=out)
    assert "统计汇总表与工单一致" in out.getvalue()
    # a tally made wrong by hand (as a bug would): the check names the month and fails, a rebuild repairs it
    tally.fold()
    MonthlyTally.objects.filter(month=dt.date(2025, 2, 1)).update(satisfied=0)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2处不一致"):  # the tickets' row and the tally's
        call_command("tallies", "--check", stdout=out)
    assert "reporting_monthlytally: " in out.getvalue() and "reporting_dailytally" not in out.getvalue()
    call_command("tallies", "--rebuild", stdout=io.StringIO())
    call_command("tallies", "--check", stdout=io.StringIO())
    Ticket.objects.filter(pk=ticket.pk).update(is_excluded=True)
    call_command("tallies", stdout=io.StringIO())
    assert not MonthlyTallyChange.objects.exists()
    assert MonthlyTally.objects.get(month=dt.date(2025, 2, 1)).counted == 0


def test_the_installed_trigger_counts_by_the_rules_of_the_code():
    """The trigger is installed by a migration: a change to what is counted (GONE, the counters, the
    time zone) in reporting.tally needs a migration calling tally.install again, or this fails."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'reporting_tally_changed'")
        [(installed,)] = cursor.fetchall()
    expected = tally.trigger_function_sql().split("$$")[1]
    assert installed == expected


def test_an_empty_range_counts_nothing_and_an_unknown_breakdown_is_refused(handler_unit):
    counted_ticket("2025-02-10 09:00", unit=handler_unit, visit="yyy")
    assert tally.month_counts(dt.date(2025, 3, 1), dt.date(2025, 2, 1), street_ids=None) == []
    assert rates.raw_month_counts(dt.date(2025, 3, 1), dt.date(2025, 2, 1)) == []
    assert tally.breakdown(dt.date(2025, 3, 1), dt.date(2025, 2, 1), street_ids=None, dimension="category") == {}
    with pytest.raises(ValueError, match="no breakdown by 'unit'"):
        tally.breakdown(dt.date(2025, 2, 1), dt.date(2025, 2, 28), street_ids=None, dimension="unit")


def test_the_statement_runs_without_parallel_workers_and_leaves_the_setting_as_it_was(handler_unit):
    counted_ticket("2025-02-10 09:00", unit=handler_unit, visit="yyy")
    seen = []

    def spy(execute, sql, params, many, context):
        if "reporting_monthlytally" in sql:
            seen.append(_setting())  # just before the statement, in its transaction
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 3")
        with connection.execute_wrapper(spy):
            rates.month_counts(dt.date(2025, 2, 1), dt.date(2025, 2, 28), street=handler_unit.street)
        assert _setting() == "3"  # the caller's transaction keeps its own setting
    assert seen == ["0"]


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        return cursor.fetchone()[0]

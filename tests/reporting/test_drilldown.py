"""The filter stored with a figure lists exactly the figure's tickets, within what the user may see."""

import datetime as dt

import pytest

from dispatch.access import visible_tickets
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError
from reporting import tasks
from reporting.drilldown import tickets_matching
from reporting.models import Job, Snapshot
from tests.factories import counted_ticket


def test_a_units_figure_lists_its_tickets_for_the_people_who_may_see_them(
    community_a, department_b, center_staff, unit_handler, other_unit_handler
):
    mine = counted_ticket("2023-01-31 23:59", unit=community_a, visit="ynn")
    counted_ticket("2023-02-01 00:00", unit=community_a, visit="ynn")  # February: outside the figure
    theirs = counted_ticket("2023-01-10 10:00", unit=department_b, visit="ynn")
    spec = {"received_from": "2023-01-01", "received_to": "2023-01-31", "double_no": True}

    assert set(tickets_matching(spec, visible_tickets(center_staff))) == {mine, theirs}
    assert set(tickets_matching(spec, visible_tickets(unit_handler))) == {mine}
    assert set(tickets_matching(spec, visible_tickets(other_unit_handler))) == {theirs}


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"colour": "red"}, "unknown ticket filter 'colour'"),
        ({"lead_unit": "abc"}, "bad value"),
        ({"handle_overdue_at": "2023-01-01T00:00"}, "bad value"),
    ],
)
def test_a_bad_filter_is_refused_with_its_reason(db, spec, message):
    with pytest.raises(DomainError, match=message):
        list(tickets_matching(spec))


def test_tasks_without_a_date_take_the_period_their_schedule_means(db, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2023, 3, 6))  # a Monday, 1 week into March

    tasks.nightly_snapshot.run()
    tasks.daily_ranking.run()
    tasks.weekly_analysis.run()
    tasks.monthly_bulletin.run()

    periods = {
        job: (start, end) for job, start, end in Snapshot.objects.values_list("job", "period_start", "period_end")
    }
    assert periods == {
        Job.NIGHTLY: (dt.date(2023, 3, 6), dt.date(2023, 3, 6)),
        Job.DAILY_RANKING: (dt.date(2023, 3, 6), dt.date(2023, 3, 6)),
        Job.WEEKLY: (dt.date(2023, 2, 27), dt.date(2023, 3, 5)),  # last week
        Job.MONTHLY: (dt.date(2023, 2, 1), dt.date(2023, 2, 28)),  # last month
    }


def test_snapshots_of_past_periods_can_be_taken_by_hand(community_a):
    from io import StringIO

    from django.core.management import call_command

    counted_ticket("2023-02-10 10:00", unit=community_a, visit="yyy")
    out = StringIO()

    call_command(
        "take_snapshots", "--job", "monthly", "--from", "2023-01-15", "--to", "2023-03-02", stdout=out, stderr=out
    )
    call_command("take_snapshots", "--job", "monthly", "--from", "2023-02-01", stdout=out, stderr=out)

    months = Snapshot.objects.filter(job=Job.MONTHLY).order_by("period_start")
    assert [s.period_start for s in months] == [dt.date(2023, 1, 1), dt.date(2023, 2, 1), dt.date(2023, 3, 1)]
    assert months[1].data["street"]["total"] == 1

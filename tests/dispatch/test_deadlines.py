"""Deadlines (docs/domain.md §3): computed from the editable policy, working days from the official calendar
(Spring Festival 2025: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked) plus overrides,
stored on the ticket, recomputed on policy and calendar changes; extensions stop the clock."""

from datetime import date, datetime, timedelta

import pytest

from dispatch import deadlines
from dispatch.models import CalendarOverride
from dispatch.workflow import (
    acknowledge_ticket,
    decide_extension,
    dispatch_ticket,
    record_first_contact,
    request_extension,
)
from intake.models import Kind, Status, Ticket, Urgency
from jxq_cases.lib import clock
from tests.factories import ticket_in


def at(text: str) -> datetime:
    return clock.assume_local(datetime.fromisoformat(text))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Friday before the holiday: Sun 01-26 (worked) is day 1, Mon 01-27 day 2, then 02-05.. and Sat 02-08
        ("2025-01-24 10:00", 7, "2025-02-10 10:00"),
        ("2025-01-24 10:00", 1, "2025-01-26 10:00"),  # the swapped working Sunday counts
        ("2025-01-27 09:30", 1, "2025-02-05 09:30"),  # the whole holiday is skipped
        ("2025-02-07 16:00", 1, "2025-02-08 16:00"),  # the swapped working Saturday counts
        ("2025-02-01 12:00", 2, "2025-02-06 12:00"),  # received during the holiday
    ],
)
def test_working_days_follow_the_official_calendar(start, days, due):
    assert deadlines.add_working_days(at(start), days, {}) == at(due)


def test_an_override_table_corrects_the_calendar():
    overrides = {date(2025, 2, 10): False, date(2025, 2, 9): True}  # announced late
    assert deadlines.add_working_days(at("2025-02-07 10:00"), 2, overrides) == at("2025-02-09 10:00")
    assert deadlines.add_working_days(at("2025-02-07 10:00"), 3, overrides) == at("2025-02-11 10:00")


def test_years_outside_the_package_fall_back_to_weekdays():
    assert deadlines.is_working_day(date(2031, 1, 6), {})  # a Monday
    assert not deadlines.is_working_day(date(2031, 1, 5), {})  # a Sunday


def _rules(**normal):
    rules = dict(deadlines.DEFAULT_RULES)
    rules["normal"] = deadlines.Rule(**{**deadlines.DEFAULT_RULES["normal"].__dict__, **normal})
    return rules


@pytest.mark.parametrize(
    ("urgency", "kind", "contact_h", "handle"),
    [
        (Urgency.URGENT, Kind.COMPLAINT, 2, timedelta(hours=24)),
        (Urgency.NORMAL, Kind.COMPLAINT, 24, timedelta(days=7)),
        (Urgency.NORMAL, Kind.CONSULT, 24, timedelta(hours=24)),
        (Urgency.URGENT, Kind.CONSULT, 2, timedelta(hours=24)),  # urgent wins
    ],
)
def test_default_policy(urgency, kind, contact_h, handle):
    start = at("2025-03-03 09:00")
    out = deadlines.compute_deadlines(
        status=Status.DISPATCHED,
        urgency=urgency,
        kind=kind,
        dispatched_at=start,
        acknowledged_at=start,
        handle_started_at=start,
        handle_paused_for=timedelta(0),
        extended_handle_due_at=None,
        extension_pending=False,
        rules=deadlines.DEFAULT_RULES,
        overrides={},
    )
    assert out["contact_due_at"] == start + timedelta(hours=contact_h)
    assert out["handle_due_at"] == start + handle
    assert out["next_due_kind"] == "contact"
    # due soon when 25% of the time is left
    assert out["next_warn_at"] == start + timedelta(hours=contact_h) * 0.75


@pytest.mark.django_db
def test_working_days_policy_across_spring_festival_through_the_workflow(center_staff, unit_handler, handler_unit):
    # given a working-days policy of 7 days for normal tickets
    deadlines.save_policy("normal", by=center_staff, handle_amount=7, handle_unit="working_days")
    ticket = ticket_in(Status.TRIAGED, received_at=at("2025-01-24 08:00"))
    # when it is dispatched and acknowledged on the Friday before the holiday
    dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit, now=at("2025-01-24 09:00"))
    acknowledge_ticket(ticket, actor=unit_handler, now=at("2025-01-24 10:00"))
    ticket.refresh_from_db()
    # then the handling deadline skips the holiday and counts both swapped working weekend days
    assert ticket.acknowledge_due_at == at("2025-01-24 13:00")
    assert ticket.contact_due_at == at("2025-01-25 10:00")
    assert ticket.handle_due_at == at("2025-02-10 10:00")
    # and when the street announces 2025-02-10 as a day off, open tickets are recomputed
    assert deadlines.set_calendar_override(date(2025, 2, 10), is_working_day=False, note="补休", by=center_staff) == 1
    ticket.refresh_from_db()
    assert ticket.handle_due_at == at("2025-02-11 10:00")
    assert CalendarOverride.objects.count() == 1


@pytest.mark.django_db
def test_policy_change_recomputes_open_tickets_only(center_staff, unit_handler, handler_unit):
    open_ticket = ticket_in(Status.TRIAGED)
    dispatch_ticket(open_ticket, actor=center_staff, lead_unit=handler_unit, now=at("2025-03-03 09:00"))
    acknowledge_ticket(open_ticket, actor=unit_handler, now=at("2025-03-03 10:00"))
    record_first_contact(
        open_ticket,
        actor=unit_handler,
        method="phone",
        outcome="ok",
        contacted_at=at("2025-03-03 11:00"),
        now=at("2025-03-03 11:00"),
    )
    closed = ticket_in(Status.CLOSED, lead_unit=handler_unit, handle_due_at=at("2025-01-01 00:00"))
    open_ticket.refresh_from_db()
    assert open_ticket.handle_due_at == at("2025-03-10 10:00")
    assert open_ticket.next_due_at == at("2025-03-10 10:00")
    # when the policy moves to 5 calendar days
    assert deadlines.save_policy("normal", by=center_staff, handle_amount=5) == 1
    open_ticket.refresh_from_db()
    closed.refresh_from_db()
    assert open_ticket.handle_due_at == at("2025-03-08 10:00") and open_ticket.next_due_at == at("2025-03-08 10:00")
    assert closed.handle_due_at == at("2025-01-01 00:00")


@pytest.mark.django_db
def test_extension_stops_the_clock_and_moves_the_deadline(center_staff, unit_handler, section_leader, handler_unit):
    ticket = ticket_in(Status.TRIAGED)
    dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit, now=at("2025-03-03 09:00"))
    acknowledge_ticket(ticket, actor=unit_handler, now=at("2025-03-03 10:00"))
    record_first_contact(
        ticket,
        actor=unit_handler,
        method="phone",
        outcome="ok",
        contacted_at=at("2025-03-03 11:00"),
        now=at("2025-03-03 11:00"),
    )
    # when an extension is requested: no deadline runs while it waits
    request_extension(ticket, actor=unit_handler, days=3, reason="需协调", now=at("2025-03-05 10:00"))
    ticket.refresh_from_db()
    assert ticket.next_due_at is None and ticket.next_warn_at is None
    # decided two days later: the two waiting days are added, then the three granted days
    decide_extension(ticket, actor=section_leader, approved=True, now=at("2025-03-07 10:00"))
    ticket.refresh_from_db()
    assert ticket.handle_paused_for == timedelta(days=2)
    assert ticket.handle_due_at == at("2025-03-15 10:00")  # 03-10 + 2 days waited + 3 days granted
    assert ticket.next_due_at == at("2025-03-15 10:00") and ticket.next_due_kind == "handle"


@pytest.mark.django_db
def test_refused_extension_still_gives_back_the_waiting_time(center_staff, unit_handler, section_leader, handler_unit):
    ticket = ticket_in(Status.TRIAGED)
    dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit, now=at("2025-03-03 09:00"))
    acknowledge_ticket(ticket, actor=unit_handler, now=at("2025-03-03 10:00"))
    request_extension(ticket, actor=unit_handler, days=3, reason="需协调", now=at("2025-03-03 12:00"))
    decide_extension(ticket, actor=section_leader, approved=False, reason="时限内可办结", now=at("2025-03-03 18:00"))
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.handle_due_at == at("2025-03-10 16:00")
    assert ticket.extended_handle_due_at is None
    assert ticket.next_due_kind == "contact" and ticket.next_due_at == at("2025-03-04 10:00")


@pytest.mark.django_db
def test_the_recompute_command_applies_a_changed_calendar(center_staff, unit_handler, handler_unit):
    from io import StringIO

    from django.core.management import call_command

    deadlines.save_policy("normal", by=center_staff, handle_amount=2, handle_unit="working_days")
    ticket = ticket_in(Status.TRIAGED)
    dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit, now=at("2025-02-06 09:00"))
    acknowledge_ticket(ticket, actor=unit_handler, now=at("2025-02-06 10:00"))
    ticket.refresh_from_db()
    assert ticket.handle_due_at == at("2025-02-08 10:00")  # Friday, then the swapped working Saturday
    # a late announcement written straight into the table (e.g. a fixture), then the command
    CalendarOverride.objects.create(on=date(2025, 2, 8), is_working_day=False, note="调休取消")
    out = StringIO()
    call_command("recompute_deadlines", stdout=out)
    ticket.refresh_from_db()
    assert ticket.handle_due_at == at("2025-02-10 10:00")
    assert out.getvalue().startswith("1 open ticket")

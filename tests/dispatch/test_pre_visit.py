"""Our own pre-visit (回访前自查): after the reply and before the city's visit the center or the lead
unit calls the complainant. Double-yes: the ticket waits for the city. Anything else: straight to
second handling, before the city counts it. The monthly bulletin compares our pre-visits with the
city's later visits."""

import datetime as dt
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.models import Notification, PreVisit, TicketEvent
from dispatch.workflow import import_visits_and_advance, record_pre_visit
from intake.models import ReturnVisit, Status, Ticket
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode
from reporting.bulletins import build_monthly
from reporting.pre_visits import pre_visit_agreement
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


def test_a_double_yes_pre_visit_leaves_the_ticket_waiting_for_the_city(center_staff, handler_unit):
    ticket = ticket_in(Status.REPLIED, lead_unit=handler_unit)

    record_pre_visit(ticket, actor=center_staff, responded=True, resolved=True, satisfied=True)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.rehandling_count) == (Status.REPLIED, 0)
    visit = PreVisit.objects.get(ticket=ticket)
    assert (visit.round, visit.is_double_yes, visit.caller_id) == (0, True, center_staff.pk)
    event = TicketEvent.objects.get(ticket=ticket, kind="record_pre_visit")
    assert (event.from_status, event.to_status, event.data["resolved"]) == ("replied", "replied", True)
    # one pre-visit a reply: a second call of the same round is refused (409) and writes nothing
    with pytest.raises(DomainError) as refused:
        record_pre_visit(ticket, actor=center_staff, responded=True, resolved=False, satisfied=False, note="又不满意")
    assert refused.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert PreVisit.objects.count() == 1


def test_a_pre_visit_that_is_not_double_yes_goes_straight_to_second_handling(
    api_client_for, unit_handler, handler_unit
):
    ticket = ticket_in(Status.REPLIED, lead_unit=handler_unit)
    client = api_client_for(unit_handler)
    url = f"/api/v1/tickets/{ticket.ticket_no}/actions/"

    # a not-double-yes answer needs a note of what the complainant said: 400, nothing written
    bare = {"action": "record_pre_visit", "responded": True, "resolved": False, "satisfied": False}
    assert client.post(url, bare, format="json").status_code == 400
    assert not PreVisit.objects.exists() and not TicketEvent.objects.exists()

    answer = client.post(url, {**bare, "note": "灯仍不亮，不满意"}, format="json")

    assert answer.status_code == 200, answer.json()
    ticket.refresh_from_db()
    assert ticket.status == Status.REHANDLING and ticket.rehandling_count == 1
    assert ticket.replied_at is None and ticket.handle_due_at is not None and ticket.next_due_kind == "handle"
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.from_status, event.to_status, event.data["round"]) == (
        "record_pre_visit",
        "replied",
        "rehandling",
        1,
    )
    assert "灯仍不亮" in event.data["reason"]
    assert not Notification.objects.filter(user=unit_handler, kind="reopened").exists()  # not to the actor
    # the city's visit that comes afterwards is kept, but no longer moves the ticket
    now = clock.local(timezone.now())
    csv = f"工单编号,回访时间,纳入考评,响应,解决,满意\n{ticket.ticket_no},{now:%Y-%m-%d %H:%M},是,是,否,否\n"
    import_visits_and_advance(io.BytesIO(csv.encode("utf-8-sig")), file_name="visits.csv")
    ticket.refresh_from_db()
    assert ticket.status == Status.REHANDLING and ReturnVisit.objects.filter(ticket=ticket).count() == 1


def test_the_call_cannot_be_before_the_reply_or_in_the_future(center_staff, handler_unit):
    ticket = ticket_in(Status.REPLIED, lead_unit=handler_unit)
    for called_at in (ticket.replied_at - timedelta(hours=1), timezone.now() + timedelta(hours=1)):
        with pytest.raises(DomainError) as refused:
            record_pre_visit(
                ticket, actor=center_staff, responded=True, resolved=True, satisfied=True, called_at=called_at
            )
        assert refused.value.code == ErrorCode.INVALID and "called_at" in refused.value.errors
    assert not PreVisit.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REPLIED


def _pre_visited(center_staff, handler_unit, ours: str, city: str | None, called_at):
    """A replied ticket with our pre-visit ('yy' resolved+satisfied) and the city's later visit."""
    ticket = ticket_in(Status.REPLIED, lead_unit=handler_unit, replied_at=called_at - timedelta(hours=1))
    PreVisit.objects.create(
        ticket=ticket,
        called_at=called_at,
        responded=True,
        resolved=ours[0] == "y",
        satisfied=ours[1] == "y",
        caller=center_staff,
    )
    if city is not None:
        # an earlier visit (of a former round) must not be compared
        ReturnVisit.objects.create(
            ticket=ticket,
            visited_at=called_at - timedelta(days=3),
            counted=True,
            contacted=True,
            resolved=False,
            satisfied=False,
        )
        ReturnVisit.objects.create(
            ticket=ticket,
            visited_at=called_at + timedelta(days=1),
            counted=True,
            contacted=True,
            resolved=city[0] == "y",
            satisfied=city[1] == "y",
        )
    return ticket


def test_the_monthly_bulletin_shows_how_often_our_pre_visit_agreed_with_the_city(center_staff, handler_unit):
    june = clock.at_local(dt.date(2025, 6, 10), dt.time(10))
    for ours, city in (("yy", "yy"), ("yy", "yy"), ("yy", "yn"), ("nn", "nn"), ("yn", "yy"), ("yy", None)):
        _pre_visited(center_staff, handler_unit, ours, city, june)
    _pre_visited(center_staff, handler_unit, "nn", "yy", june + timedelta(days=30))  # July: not this month

    figures = pre_visit_agreement(dt.date(2025, 6, 1), dt.date(2025, 6, 30))

    assert figures == {
        "pre_visits": 6,
        "not_double_yes": 2,
        "compared": 5,
        "both_double_yes": 2,
        "both_not": 1,
        "we_yes_city_not": 1,
        "we_not_city_yes": 1,
        "agreed": 3,
        "agreement": 60.0,
    }
    assert build_monthly(dt.date(2025, 6, 1))["pre_visits"] == figures
    assert pre_visit_agreement(dt.date(2025, 5, 1), dt.date(2025, 5, 31))["agreement"] is None

"""Two sign-offs of the same reply draft at the same moment, from two threads with their own
PostgreSQL connections: the row lock lets exactly one through; the other is refused with 409 and
exactly one event is recorded."""

import threading
import time

import pytest
from django.db import connection

from dispatch.models import ReplyDraft, SignOffStatus, TicketEvent
from dispatch.workflow import dispatch_ticket, signoff
from intake.models import Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from tests.dispatch.helpers import add_pending_draft
from tests.factories import ticket_in


def _race(fn, *argsets):
    barrier = threading.Barrier(len(argsets))
    outcomes = [None] * len(argsets)

    def run(i, kwargs):
        try:
            barrier.wait(timeout=10)
            fn(**kwargs)
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.code
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(i, kw)) for i, kw in enumerate(argsets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_offs_one_wins(unit_handler, section_leader, handler_unit, api_client_for, monkeypatch):
    # The first sign-off holds the ticket's row lock a little longer, so that the second one surely
    # arrives while the first is still in its transaction (both passed the API's state check).
    original = signoff.pending

    def slow_pending_draft(model, ticket):
        draft = original(model, ticket)
        time.sleep(0.5)
        return draft

    monkeypatch.setattr(signoff, "pending", slow_pending_draft)
    # given a reply draft waiting for the section leader (open in two browser tabs)
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    add_pending_draft(ticket, unit_handler)
    url = f"/api/v1/tickets/{ticket.ticket_no}/actions/"
    clients = [api_client_for(section_leader), api_client_for(section_leader)]
    barrier = threading.Barrier(2)
    answers = [None, None]

    def sign(i):
        try:
            barrier.wait(timeout=10)
            response = clients[i].post(url, {"action": "approve_reply"}, format="json")
            answers[i] = (response.status_code, response.json()["status" if response.status_code == 200 else "code"])
        finally:
            connection.close()

    # when both tabs sign off at the same moment, each request on its own PostgreSQL connection
    threads = [threading.Thread(target=sign, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then exactly one succeeds, the other is told 409, and one event is recorded
    assert sorted(answers) == [(200, "reviewed"), (409, "illegal_transition")]
    assert TicketEvent.objects.filter(ticket=ticket, kind="sign_off_reply").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REVIEWED
    draft = ReplyDraft.objects.get(ticket=ticket)
    assert draft.status == SignOffStatus.SIGNED_OFF and len(draft.signatures) == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_dispatches_one_wins(center_staff, handler_unit, other_unit):
    ticket = ticket_in(Status.TRIAGED)
    outcomes = _race(
        dispatch_ticket,
        {"ticket": Ticket.objects.get(pk=ticket.pk), "actor": center_staff, "lead_unit": handler_unit},
        {"ticket": Ticket.objects.get(pk=ticket.pk), "actor": center_staff, "lead_unit": other_unit},
    )
    assert sorted(map(str, outcomes)) == sorted(["ok", str(ErrorCode.ILLEGAL_TRANSITION)])
    assert TicketEvent.objects.filter(ticket=ticket, kind="dispatch_ticket").count() == 1

"""Demo tickets (intake/demo.py sets their states directly) get a plausible history, set-based."""

import pytest
from django.db.models import Count

from dispatch.demo import generate_demo_events
from dispatch.models import TicketEvent
from intake.demo import generate_demo_tickets
from intake.models import Status, Ticket
from org.demo import create_demo_accounts

pytestmark = pytest.mark.django_db


def test_every_demo_ticket_gets_a_timeline_that_ends_in_its_state():
    create_demo_accounts()
    made = generate_demo_tickets(400, 60, seed=7)
    written = generate_demo_events(first_id=made.first_id, last_id=made.last_id)
    assert written == TicketEvent.objects.count() > 400
    tickets = Ticket.objects.filter(rehandling_count=0).exclude(status=Status.RECEIVED)
    assert tickets.exists()
    for ticket in tickets:
        events = list(ticket.events.order_by("at", "id"))
        assert events, ticket.status
        assert events[-1].to_status == ticket.status, (ticket.ticket_no, [e.kind for e in events])
        assert all(e.at for e in events)
    # the unit's steps are done by a handler of the lead unit, sign-offs by its section leader
    acknowledged = TicketEvent.objects.filter(kind="acknowledge_ticket").select_related("ticket", "actor_unit")
    assert all(e.actor_unit_id == e.ticket.lead_unit_id for e in acknowledged)
    per_kind = dict(TicketEvent.objects.values_list("kind").annotate(n=Count("id")))
    assert per_kind["dispatch_ticket"] == Ticket.objects.exclude(dispatched_at=None).count()

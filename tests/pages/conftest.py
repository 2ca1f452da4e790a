"""Page tests with Django's test client: personas sign in through the session, as a browser would."""

import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from intake.models import Kind, Source, Status, Ticket
from org.models import Unit
from org.units import load_jiuxianqiao_units

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _street_units(db):
    """The units come from a data migration, which a transactional test's flush (the browser tests)
    removes from a reused test database: load them again when they are missing."""
    if not Unit.objects.exists():
        load_jiuxianqiao_units(Unit)


@pytest.fixture
def client_for():
    """``client_for(user)`` -> a test Client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def make_ticket(**fields) -> Ticket:
    """A ticket as intake stores it (fixture setup only: behaviour goes through the pages)."""
    defaults = {
        "ticket_no": f"P{next(_numbers):07d}",
        "source": Source.CITY,
        "received_at": timezone.now() - timedelta(hours=3),
        "kind": Kind.COMPLAINT,
        "content": "楼道灯坏了很久没人修",
        "complainant_name": "张三丰",
        "complainant_phone": "13812341234",
        "address": "酒仙桥南路社区11号楼",
    }
    defaults.update(fields)
    return Ticket.objects.create(**defaults)


def dispatched_ticket(unit, **fields) -> Ticket:
    """A ticket dispatched to ``unit`` an hour ago, not yet acknowledged (deadline columns set)."""
    now = timezone.now()
    values = {
        "status": Status.DISPATCHED,
        "triaged_at": now - timedelta(hours=2),
        "dispatched_at": now - timedelta(hours=1),
        "lead_unit": unit,
        "acknowledge_due_at": now + timedelta(hours=3),
        "next_due_kind": "acknowledge",
        "next_due_at": now + timedelta(hours=3),
        "next_warn_at": now + timedelta(hours=2),
    }
    values.update(fields)
    return make_ticket(**values)

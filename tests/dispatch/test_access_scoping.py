"""Who sees which ticket (visible_tickets), and masking of personal data per role (docs/domain.md §7)."""

import pytest

from dispatch.access import mask_name, mask_phone, personal_data, visible_tickets, visible_tickets_in_states
from dispatch.models import PersonalDataAccess
from intake.models import AWAITING_REPLY, Status
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(handler_unit, other_unit):
    mine = make_ticket(lead_unit=handler_unit)
    co_handled = make_ticket(lead_unit=other_unit)
    co_handled.co_units.add(handler_unit)
    others = make_ticket(lead_unit=other_unit)
    undispatched = make_ticket()
    return {"mine": mine, "co": co_handled, "others": others, "new": undispatched}


def _numbers(user):
    return set(visible_tickets(user).values_list("ticket_no", flat=True))


def test_center_principal_and_inspector_see_every_ticket(tickets, center_staff, principal_leader, inspector):
    everything = {t.ticket_no for t in tickets.values()}
    assert _numbers(center_staff) == everything
    assert _numbers(principal_leader) == everything
    assert _numbers(inspector) == everything


def test_handler_sees_tickets_their_unit_leads_or_co_handles(tickets, unit_handler, other_unit_handler):
    assert _numbers(unit_handler) == {tickets["mine"].ticket_no, tickets["co"].ticket_no}
    assert _numbers(other_unit_handler) == {tickets["co"].ticket_no, tickets["others"].ticket_no}


def test_section_leader_sees_the_units_they_oversee(tickets, section_leader):
    assert _numbers(section_leader) == {tickets["mine"].ticket_no, tickets["co"].ticket_no}


def test_platform_and_anonymous_see_nothing(tickets, platform_client):
    from django.contrib.auth.models import AnonymousUser

    assert _numbers(platform_client) == set()
    assert _numbers(AnonymousUser()) == set()


def test_visible_tickets_has_no_duplicates_when_a_unit_leads_and_co_handles(handler_unit, unit_handler):
    ticket = make_ticket(lead_unit=handler_unit)
    ticket.co_units.add(handler_unit)
    assert visible_tickets(unit_handler).count() == 1


def test_tickets_in_states_are_the_visible_tickets_in_those_states(
    handler_unit, other_unit, unit_handler, other_unit_handler, section_leader, center_staff, platform_client
):
    """The queue's union (led, co-handled, taken) is exactly the policy's tickets in the states: every
    role, tickets in and out of the states, led and co-handled by the same unit, taken by the leader."""
    from django.contrib.auth.models import AnonymousUser

    for status in (Status.DISPATCHED, Status.HANDLING, Status.CLOSED):
        make_ticket(lead_unit=handler_unit, status=status)
        co = make_ticket(lead_unit=other_unit, status=status)
        co.co_units.add(handler_unit)
        both = make_ticket(lead_unit=handler_unit, status=status)
        both.co_units.add(handler_unit, other_unit)
        make_ticket(lead_unit=other_unit, status=status, taken_by=section_leader)
        make_ticket(status=status)
    users = (unit_handler, other_unit_handler, section_leader, center_staff, platform_client, AnonymousUser())
    for user in users:
        for states in (AWAITING_REPLY, [Status.CLOSED], [Status.RECEIVED]):
            expected = visible_tickets(user).filter(status__in=states)
            found = visible_tickets_in_states(user, states)
            assert sorted(found.values_list("pk", flat=True)) == sorted(expected.values_list("pk", flat=True))
    assert visible_tickets_in_states(unit_handler, AWAITING_REPLY).count() == 6  # 2 states x (led, co, both)
    assert visible_tickets_in_states(section_leader, AWAITING_REPLY).count() == 8  # and the 2 taken


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("张三", "张*"), ("高女士", "高女士"), ("何先生", "何先生"), ("李", "李*"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812341234", "138****1234"), ("010-84561234", "010****1234"), ("12345", "***45"), ("", "")],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_personal_data_full_and_logged_for_the_handler(tickets, unit_handler):
    shown = personal_data(unit_handler, tickets["mine"], context="test")
    assert shown == {"name": "张三丰", "phone": "13812341234", "masked": False}
    assert PersonalDataAccess.objects.filter(user=unit_handler, ticket=tickets["mine"]).count() == 1


@pytest.mark.parametrize("persona", ["inspector", "other_unit_handler", "section_leader", "principal_leader"])
def test_personal_data_masked_and_not_logged_for_others(request, tickets, persona):
    user = request.getfixturevalue(persona)
    shown = personal_data(user, tickets["mine"], context="test")
    assert shown == {"name": "张**", "phone": "138****1234", "masked": True}
    assert not PersonalDataAccess.objects.exists()

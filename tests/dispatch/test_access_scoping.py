"""Who sees which ticket (visible_tickets), and masking of personal data per role (docs/domain.md §7)."""

import pytest

from dispatch.access import mask_name, mask_phone, personal_data, visible_tickets
from dispatch.models import PersonalDataAccess
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

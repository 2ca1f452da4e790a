"""The triage assistant with two streets of the same unit names (docs/district.md): a ticket's
suggestions name only its own street's units, whatever streets the model learned from, and the
acceptance figures are the user's street's."""

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from dispatch.workflow import triage_ticket
from intake.models import Category, Status
from org.models import Street, Unit
from proactive.models import TriageDecision
from proactive.triage_model import _loaded, train
from tests.dispatch.test_two_streets import b_people, jiangtai  # noqa: F401  (the two-street fixtures)
from tests.factories import make_ticket
from tests.proactive.test_triage_assistant import PLACES, ROUTINE

pytestmark = pytest.mark.django_db

A = "酒仙桥街道"
B = "将台街道"


@pytest.fixture(autouse=True)
def fresh_model_cache():
    _loaded.clear()
    yield
    _loaded.clear()


def _history(street: str, count: int = 120) -> None:
    """``count`` routed tickets of ``street``: the lead unit follows the matter, the community the place."""
    now = timezone.now()
    unit = lambda name: Unit.objects.get(street__name=street, name=name)  # noqa: E731
    combos = itertools.cycle(itertools.product(ROUTINE, PLACES, range(3)))
    for i in range(count):
        (category, lead, texts), (community, address), k = next(combos)
        make_ticket(
            content=texts[k],
            address=address.format(n=1 + i % 20),
            community=unit(community),
            category=Category.objects.get_or_create(name=category)[0],
            lead_unit=unit(lead),
            status=Status.CLOSED,
            received_at=now - dt.timedelta(days=3 + i),
        )


def _unit_ids_named(body: dict) -> set[int]:
    """Every unit id a suggestion names: the chosen community and lead unit, their alternatives and
    the co-handling units."""
    ids = set()
    for name in ("community", "lead_unit"):
        ids.add(body[name]["id"])
        ids.update(alt["id"] for alt in body[name]["alternatives"])
    ids.update(unit["id"] for unit in body["co_units"]["units"])
    ids.discard(None)
    return ids


def _asked(street: Street):
    return make_ticket(
        content="高家园小区8号楼暖气不热，屋里太冷了", address="高家园小区8号楼", community=None, street=street
    )


def test_a_tickets_suggestions_name_only_its_own_streets_units(center_staff, api_client_for, b_people):  # noqa: F811
    a_street, b_street = Street.objects.get(name=A), Street.objects.get(name=B)
    a_units = set(Unit.objects.filter(street=a_street).values_list("id", flat=True))
    b_units = set(Unit.objects.filter(street=b_street).values_list("id", flat=True))

    # a model that learned street B only: nothing of B is ever suggested for A's ticket
    _history(B)
    assert train() is not None
    ours = _asked(a_street)
    body = api_client_for(center_staff).get(f"/api/v1/tickets/{ours.ticket_no}/suggestions/").json()
    assert body["status"] == "ok", body
    assert not _unit_ids_named(body) & b_units
    assert body["community"]["id"] is None and body["lead_unit"]["id"] is None

    # a model fitted on both streets names each ticket's own street's namesakes
    _history(A)
    _loaded.clear()
    assert train().ticket_count == 240
    for street, person, units in ((a_street, center_staff, a_units), (b_street, b_people["center_staff"], b_units)):
        asked = _asked(street)
        body = api_client_for(person).get(f"/api/v1/tickets/{asked.ticket_no}/suggestions/").json()
        named = _unit_ids_named(body)
        assert named and named <= units, (street.name, body)
        assert body["lead_unit"]["name"] == "民生保障办公室"
        assert Unit.objects.get(pk=body["lead_unit"]["id"]).street == street
        assert Unit.objects.get(pk=body["community"]["id"]).street == street


def test_the_acceptance_figures_are_the_users_streets(center_staff, api_client_for, b_people):  # noqa: F811
    _history(A)
    _history(B)
    train()
    ours, theirs = _asked(Street.objects.get(name=A)), _asked(Street.objects.get(name=B))
    a_body = api_client_for(center_staff).get(f"/api/v1/tickets/{ours.ticket_no}/suggestions/").json()
    b_center = b_people["center_staff"]
    b_body = api_client_for(b_center).get(f"/api/v1/tickets/{theirs.ticket_no}/suggestions/").json()
    # A's center takes the suggested community; B's center files its ticket elsewhere
    heating = Category.objects.get(name="供暖供热")
    triage_ticket(ours, actor=center_staff, community=Unit.objects.get(pk=a_body["community"]["id"]), category=heating)
    elsewhere = Unit.objects.filter(street__name=B, kind="community").exclude(pk=b_body["community"]["id"]).first()
    triage_ticket(theirs, actor=b_center, community=elsewhere, category=heating)
    assert TriageDecision.objects.filter(field="community").count() == 2

    def community_row(user) -> dict:
        client = Client()
        client.force_login(user)
        page = client.get("/proactive/triage-assistant/")
        assert page.status_code == 200
        return next(row for row in page.context["periods"][0]["rows"] if row["field"] == "community")

    a_row, b_row = community_row(center_staff), community_row(b_center)
    assert (a_row["decided"], a_row["accepted"], a_row["rate"]) == (1, 1, 1.0)
    assert (b_row["decided"], b_row["accepted"], b_row["rate"]) == (1, 0, 0.0)

"""The triage assistant (智能派单): suggestions learned from the street's history, confirmed by a person."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from dispatch.models import TicketEvent
from dispatch.workflow import dispatch_ticket, triage_ticket
from intake.models import Category, Status, Ticket
from org.models import Unit
from proactive import tasks
from proactive.models import TriageDecision, TriageModel, TriageSuggestion
from proactive.triage_assistant import acceptance
from proactive.triage_model import UntrustedModel, _loaded, load, train
from tests.conftest import wait_for
from tests.factories import make_ticket

# (category, lead unit, what residents say): the street's routine, each matter in a few wordings
ROUTINE = [
    ("供暖供热", "民生保障办公室", ["家中暖气不热室温太低", "暖气片冰凉供热公司不来修", "暖气管道漏水没人修"]),
    ("无照经营", "综合行政执法队", ["门口无照游商占道经营", "流动摊贩夜间烧烤油烟大", "路边小摊占道经营很脏"]),
    ("物业管理", "南路社区", ["楼道灯坏了很久没人修", "物业不作为楼道堆物没人清理", "单元门门禁坏了外人随便进"]),
]
PLACES = [("南路社区", "酒仙桥南路{n}号楼"), ("高家园社区", "高家园小区{n}号楼"), ("红霞路社区", "红霞路{n}号院")]


def _url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.ticket_no}/suggestions/"


def _history(count: int = 120) -> None:
    """``count`` routed tickets of the last months: the lead unit follows the matter, the community the place."""
    now = timezone.now()
    combos = itertools.cycle(itertools.product(ROUTINE, PLACES, range(3)))
    for i in range(count):
        (category, lead, texts), (community, address), k = next(combos)
        make_ticket(
            content=texts[k],
            address=address.format(n=1 + i % 20),
            community=Unit.objects.get(name=community),
            category=Category.objects.get_or_create(name=category)[0],
            lead_unit=Unit.objects.get(name=lead),
            status=Status.CLOSED,
            received_at=now - dt.timedelta(days=3 + i),
        )


@pytest.fixture(autouse=True)
def fresh_model_cache():
    _loaded.clear()
    yield
    _loaded.clear()


def test_with_too_little_history_it_says_so_instead_of_guessing(db, center_staff, api_client_for, settings):
    _history(30)
    asked = make_ticket(content="家里暖气不热", address="高家园小区3号楼")

    assert train() is None  # the nightly job stores nothing
    response = api_client_for(center_staff).get(_url(asked))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "insufficient_history"
    assert "30" in body["detail"] and str(settings.PROACTIVE_TRIAGE_MIN_TICKETS) in body["detail"]
    assert "lead_unit" not in body
    assert not TriageModel.objects.exists() and not TriageSuggestion.objects.exists()


def test_it_suggests_community_category_and_lead_unit_with_confidence_and_reasons(db, center_staff, api_client_for):
    _history()
    model = train()
    assert model is not None and model.ticket_count == 120 and model.library.startswith("scikit-learn ")
    asked = make_ticket(content="高家园小区8号楼暖气不热，屋里太冷了", address="高家园小区8号楼", community=None)

    response = api_client_for(center_staff).get(_url(asked))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["model"]["id"] == model.pk
    assert body["community"]["name"] == "高家园社区"
    assert body["category"]["name"] == "供暖供热"
    assert body["lead_unit"]["name"] == "民生保障办公室"
    for field in ("community", "category", "lead_unit"):
        assert 0.3 <= body[field]["confidence"] <= 1
        assert body[field]["alternatives"][0]["id"] == body[field]["id"]
        assert body[field]["reasons"], field
    assert any("暖气" in reason for reason in body["lead_unit"]["reasons"])
    assert any("高家园" in reason for reason in body["community"]["reasons"])
    # shown once per ticket and model: asking again gives the stored suggestion
    again = api_client_for(center_staff).get(_url(asked)).json()
    assert again["lead_unit"] == body["lead_unit"]
    assert TriageSuggestion.objects.filter(ticket=asked).count() == 1


def test_only_those_who_may_triage_get_suggestions(db, center_staff, unit_handler, handler_unit, api_client_for):
    _history()
    train()
    theirs = make_ticket(content="暖气不热", lead_unit=handler_unit, status=Status.DISPATCHED)
    hidden = make_ticket(content="暖气不热")

    assert api_client_for(unit_handler).get(_url(theirs)).status_code == 403
    assert api_client_for(unit_handler).get(_url(hidden)).status_code == 404
    assert api_client_for(None).get(_url(theirs)).status_code in (401, 403)
    assert api_client_for(center_staff).get("/api/v1/tickets/NO-SUCH/suggestions/").status_code == 404
    assert not TriageSuggestion.objects.exists()


def test_a_stored_model_that_was_not_signed_here_is_never_unpickled(db):
    _history()
    model = train()
    TriageModel.objects.filter(pk=model.pk).update(blob=bytes(model.blob)[:-1] + b"x")

    with pytest.raises(UntrustedModel):
        load(TriageModel.objects.get(pk=model.pk))


def test_accepts_and_overrides_are_recorded_with_the_event_and_counted(db, center_staff, api_client_for):
    _history()
    train()
    asked = make_ticket(content="南路小区楼道灯坏了好几天没人修", address="酒仙桥南路5号楼", community=None)
    suggested = api_client_for(center_staff).get(_url(asked)).json()
    assert suggested["community"]["name"] == "南路社区" and suggested["lead_unit"]["name"] == "南路社区"

    # the clerk takes the community with one click and overrides the category
    other_category = Category.objects.get(name="无照经营")
    triage_ticket(
        asked,
        actor=center_staff,
        community=Unit.objects.get(pk=suggested["community"]["id"]),
        category=other_category,
    )
    # a correction of the triage (a second triage event) does not change the first answer
    triage_ticket(asked.pk, actor=center_staff, category=Category.objects.get(name="物业管理"))
    assert TriageDecision.objects.filter(suggestion__ticket=asked).count() == 2
    # and dispatches to the suggested lead unit
    dispatch_ticket(asked, actor=center_staff, lead_unit=Unit.objects.get(pk=suggested["lead_unit"]["id"]))

    decisions = {d.field: d for d in TriageDecision.objects.filter(suggestion__ticket=asked)}
    assert set(decisions) == {"community", "category", "lead_unit"}
    assert decisions["community"].accepted is True
    assert decisions["category"].accepted is False
    assert decisions["category"].chosen == other_category.pk
    assert decisions["lead_unit"].accepted is True
    assert decisions["community"].event.kind == "triage_ticket"
    assert decisions["lead_unit"].event == TicketEvent.objects.get(ticket=asked, kind="dispatch_ticket")

    now = timezone.now()
    rates = {row["field"]: row for row in acceptance(now - dt.timedelta(days=1), now + dt.timedelta(minutes=1))}
    assert (rates["community"]["decided"], rates["community"]["rate"]) == (1, 1.0)
    assert (rates["category"]["decided"], rates["category"]["rate"]) == (1, 0.0)
    assert rates["co_units"]["rate"] is None


def test_a_triage_that_leaves_a_suggested_field_empty_is_an_override(db, center_staff, api_client_for):
    _history()
    train()
    asked = make_ticket(
        content="南路小区楼道灯坏了好几天没人修", address="酒仙桥南路5号楼", community=None, category=None
    )
    suggested = api_client_for(center_staff).get(_url(asked)).json()
    assert suggested["category"] is not None  # a category was suggested ...
    community = Unit.objects.get(pk=suggested["community"]["id"])
    triage_ticket(asked, actor=center_staff, community=community)  # ... and the clerk chose none
    decision = TriageDecision.objects.get(suggestion__ticket=asked, field="category")
    assert (decision.chosen, decision.accepted) == (None, False)
    assert Ticket.objects.get(pk=asked.pk).community == community


def test_a_triage_without_a_suggestion_records_nothing(db, center_staff):
    ticket = make_ticket(content="暖气不热")
    triage_ticket(ticket, actor=center_staff, category=Category.objects.get_or_create(name="供暖供热")[0])
    assert not TriageDecision.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_trains_in_a_worker(celery_worker):
    _history()
    tasks.train_triage_model.delay()
    assert wait_for(lambda: TriageModel.objects.exists(), timeout=60)
    assert TriageModel.objects.get().ticket_count == 120


def test_the_panel_asks_the_assistant_only_for_those_who_triage(db, center_staff, section_leader, client):
    ticket = make_ticket(content="暖气不热")
    client.force_login(center_staff)
    page = client.get(f"/tickets/{ticket.ticket_no}/panel/").content.decode()
    assert f'data-suggestions-url="/api/v1/tickets/{ticket.ticket_no}/suggestions/"' in page
    assert "智能派单助手" in page

    client.force_login(section_leader)
    assert "data-suggestions-url" not in client.get(f"/tickets/{ticket.ticket_no}/panel/").content.decode()


def test_the_center_reads_the_acceptance_rate(db, center_staff, section_leader, client, api_client_for):
    _history()
    train()
    asked = make_ticket(content="高家园小区8号楼暖气不热", address="高家园小区8号楼", community=None)
    suggested = api_client_for(center_staff).get(_url(asked)).json()
    triage_ticket(
        asked,
        actor=center_staff,
        community=Unit.objects.get(name="南路社区"),  # overridden
        category=Category.objects.get(pk=suggested["category"]["id"]),  # accepted
    )

    client.force_login(center_staff)
    page = client.get("/proactive/triage-assistant/").content.decode()
    assert "120" in page and "scikit-learn" in page
    week = page.split('data-field="community"')[1].split("</tr>")[0]
    assert "<td>1</td><td>0</td>" in week and "0%" in week
    week = page.split('data-field="category"')[1].split("</tr>")[0]
    assert "<td>1</td><td>1</td>" in week and "100%" in week

    client.force_login(section_leader)
    assert client.get("/proactive/triage-assistant/").status_code == 404
    client.logout()  # like every page: sent to sign in, not told the page does not exist
    assert client.get("/proactive/triage-assistant/")["Location"].startswith("/login/?next=")

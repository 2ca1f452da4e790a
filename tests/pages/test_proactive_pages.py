"""The proactive handling pages (未诉先办): hot spots, opening a case on one, and working the case
through the browser with the rules of proactive.cases."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from proactive.hotspots import find_hotspots
from proactive.models import CaseStatus, ProactiveCase
from tests.factories import resident_ticket
from tests.proactive.conftest import MARKET, OTHER_MATTERS

NIGHT = dt.date(2026, 3, 20)  # the market calls come on 2026-03-02 .. 03-05 (the week of Monday 03-02)


@pytest.fixture
def market_hotspot(db):
    for day, text in enumerate(MARKET):
        resident_ticket(text, day=day)
    for day, text in enumerate(OTHER_MATTERS):
        resident_ticket(text, day=day, community="高家园社区")
    run = find_hotspots(NIGHT, days=30)
    hotspot = run.hotspots.order_by("-ticket_count").first()
    assert hotspot is not None and "早市" in hotspot.topic
    return hotspot


def _open_case(client, hotspot, title="南路早市噪音治理") -> ProactiveCase:
    response = client.post(f"/proactive/hotspots/{hotspot.id}/case/", {"title": title})
    assert response.status_code == 302
    case = ProactiveCase.objects.get(title=title)
    assert response["Location"] == f"/proactive/cases/{case.pk}/"
    return case


def test_the_list_shows_the_latest_hot_spots_with_an_open_form(market_hotspot, principal_leader, client_for):
    page = client_for(principal_leader).get("/proactive/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="hotspots"' in html
    assert market_hotspot.topic in html
    assert f'action="/proactive/hotspots/{market_hotspot.id}/case/"' in html
    # the nav leads here, in the default language (Simplified Chinese)
    assert '<a href="/proactive/" aria-current="page">主动治理</a>' in html


def test_a_principal_leader_works_a_case_from_hot_spot_to_closing(market_hotspot, principal_leader, client_for):
    client = client_for(principal_leader)
    later = resident_ticket("南门早市又在五点用喇叭叫卖", day=14)  # Monday 03-16, after the measure

    # open a case on the hot spot: a leader's case is open at once, with the hot spot's tickets
    case = _open_case(client, market_hotspot)
    assert case.status == CaseStatus.OPEN
    assert case.hotspot_id == market_hotspot.id
    assert case.tickets.count() == market_hotspot.tickets.count() == len(MARKET)
    assert "南路早市噪音治理" in client.get("/proactive/").content.decode()

    # add a measure
    response = client.post(
        f"/proactive/cases/{case.pk}/measures/",
        {"taken_on": "2026-03-09", "description": "城管约谈早市摊主，禁止使用喇叭"},
    )
    assert response.status_code == 302
    assert list(case.measures.values_list("taken_on", "description")) == [
        (dt.date(2026, 3, 9), "城管约谈早市摊主，禁止使用喇叭")
    ]

    # link a ticket by number (full-width comma and spaces are separators; a known one is not new)
    first = case.tickets.order_by("received_at").first()
    response = client.post(
        f"/proactive/cases/{case.pk}/tickets/", {"tickets": f"{later.ticket_no}， {first.ticket_no}"}
    )
    assert response.status_code == 302
    assert case.tickets.filter(pk=later.pk).exists()
    assert case.tickets.count() == len(MARKET) + 1

    page = client.get(f"/proactive/cases/{case.pk}/").content.decode()
    assert f'href="/tickets/{later.ticket_no}/"' in page
    assert "2026-03-09" in page
    # the four market calls in the week of 03-02 before the measure, the later one after it
    assert 'data-testid="before">4 /' in page
    assert 'data-testid="after">1 /' in page
    assert 'id="chart-volume"' in page
    for form in ("form-measure", "form-link", "form-close"):
        assert f'data-testid="{form}"' in page
    assert 'data-testid="form-open"' not in page

    # close it with a conclusion
    response = client.post(f"/proactive/cases/{case.pk}/close/", {"conclusion": "早市迁入室内，来电已停"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.conclusion == "早市迁入室内，来电已停"
    page = client.get(f"/proactive/cases/{case.pk}/").content.decode()
    assert 'data-testid="form-close"' not in page
    assert 'data-testid="form-measure"' not in page


def test_bad_input_is_refused_with_a_message_and_changes_nothing(market_hotspot, principal_leader, client_for):
    client = client_for(principal_leader)
    case = _open_case(client, market_hotspot)
    linked = case.tickets.count()

    # one unknown number: nothing is linked (all or none)
    known = resident_ticket("早市喇叭又响了", day=10)
    response = client.post(f"/proactive/cases/{case.pk}/tickets/", {"tickets": f"{known.ticket_no} NOPE123"})
    assert response.status_code == 400
    assert "NOPE123" in response.content.decode()
    assert case.tickets.count() == linked
    # what was typed is still in the form
    assert f'value="{known.ticket_no} NOPE123"' in response.content.decode()

    # a measure dated in the future
    response = client.post(
        f"/proactive/cases/{case.pk}/measures/", {"taken_on": "2999-01-01", "description": "未来的措施"}
    )
    assert response.status_code == 400
    assert not case.measures.exists()

    # closing without a conclusion
    response = client.post(f"/proactive/cases/{case.pk}/close/", {"conclusion": "  "})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

    # a case without a title
    response = client.post(f"/proactive/hotspots/{market_hotspot.id}/case/", {"title": ""})
    assert response.status_code == 302
    assert ProactiveCase.objects.count() == 1
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_the_center_drafts_and_a_leader_opens(market_hotspot, center_staff, principal_leader, client_for):
    case = _open_case(client_for(center_staff), market_hotspot, title="早市噪音（草稿）")
    assert case.status == CaseStatus.DRAFT
    center_page = client_for(center_staff).get(f"/proactive/cases/{case.pk}/").content.decode()
    assert 'data-testid="form-open"' not in center_page
    assert 'data-testid="form-close"' not in center_page

    leader = client_for(principal_leader)
    assert 'data-testid="form-open"' in leader.get(f"/proactive/cases/{case.pk}/").content.decode()
    assert leader.post(f"/proactive/cases/{case.pk}/open/").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.opened_by_id == principal_leader.id
    # opening twice is refused with the workflow's message
    again = leader.post(f"/proactive/cases/{case.pk}/open/")
    assert again.status_code == 409


def test_a_handler_of_another_unit_does_not_find_the_case(
    market_hotspot, principal_leader, other_unit_handler, unit_handler, client_for
):
    case = _open_case(client_for(principal_leader), market_hotspot)
    other = client_for(other_unit_handler)

    assert other.get(f"/proactive/cases/{case.pk}/").status_code == 404
    response = other.post(f"/proactive/cases/{case.pk}/measures/", {"taken_on": "2026-03-09", "description": "x"})
    assert response.status_code == 404
    assert not case.measures.exists()
    assert "南路早市噪音治理" not in other.get("/proactive/").content.decode()
    # hot spots are the street's aggregates: not a handler's
    assert other.post(f"/proactive/hotspots/{market_hotspot.id}/case/", {"title": "x"}).status_code == 404

    # the community's own handler sees it and may record a measure, but not link or close
    mine = client_for(unit_handler).get(f"/proactive/cases/{case.pk}/").content.decode()
    assert 'data-testid="form-measure"' in mine
    assert 'data-testid="form-link"' not in mine
    assert 'data-testid="form-close"' not in mine


def test_the_inspector_sees_everything_but_gets_no_forms(market_hotspot, principal_leader, inspector, client_for):
    case = _open_case(client_for(principal_leader), market_hotspot)
    client = client_for(inspector)

    home = client.get("/proactive/").content.decode()
    assert market_hotspot.topic in home
    assert "南路早市噪音治理" in home
    assert "/case/" not in home  # no form to open a case

    page = client.get(f"/proactive/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for form in ("form-open", "form-measure", "form-link", "form-close"):
        assert f'data-testid="{form}"' not in html

    # and posting by hand is refused by the domain
    response = client.post(f"/proactive/cases/{case.pk}/close/", {"conclusion": "看过了"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

"""Proactive cases (主动治理) end to end through the API: draft, open, measures, links, volumes."""

from datetime import date

import pytest

from org.models import Unit
from proactive.hotspots import find_hotspots
from proactive.models import CaseEvent, CaseMeasure, ProactiveCase
from tests.factories import resident_ticket
from tests.proactive.conftest import MARKET, OTHER_MATTERS

CASES = "/api/v1/proactive-cases/"


@pytest.fixture
def market_calls(db):
    """Morning-market calls in 南路社区: 3 in the week of 2 March, 2 in the week of 9 March, 1 in the
    week of 23 March (after the measures of 16 March), and one in another community."""
    days = [0, 2, 4, 7, 9, 22]
    texts = [MARKET[i % len(MARKET)] for i in range(len(days))]
    calls = [resident_ticket(text, day=day, category="噪音扰民") for day, text in zip(days, texts, strict=True)]
    elsewhere = resident_ticket(MARKET[0], day=8, community="大山子社区")
    unrelated = [resident_ticket(text, day=3) for text in OTHER_MATTERS]
    return {"calls": calls, "elsewhere": elsewhere, "unrelated": unrelated}


def test_a_case_from_draft_to_closed_shows_the_calls_stopping(
    market_calls, center_staff, section_leader, handler_unit, other_unit, unit_handler, api_client_for
):
    handler_unit.section_leader = section_leader
    handler_unit.save(update_fields=["section_leader"])
    run = find_hotspots(date(2026, 3, 12), days=14)  # the hot spot as it was seen on 12 March
    hotspot = run.hotspots.get()
    center, leader = api_client_for(center_staff), api_client_for(section_leader)

    # the center drafts a case on the hot spot: keywords, community and tickets come with it
    drafted = center.post(
        CASES, {"title": "南路12号院早市噪音", "hotspot": hotspot.id, "units": [other_unit.name]}, format="json"
    )
    assert drafted.status_code == 201, drafted.content
    case = drafted.json()
    assert case["status"] == "draft"
    assert case["community"] == "南路社区" and "早市" in case["keywords"]
    assert sorted(case["tickets"]) == sorted(t.ticket_no for t in market_calls["calls"][:5])
    assert case["units"] == [other_unit.name]

    # the section leader of 南路社区 opens it; opening twice is refused
    opened = leader.post(f"{CASES}{case['id']}/open/")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert leader.post(f"{CASES}{case['id']}/open/").status_code == 409

    # measures, dated
    first = leader.post(
        f"{CASES}{case['id']}/measures/",
        {
            "taken_on": "2026-03-16",
            "description": "城管约谈早市管理方，喇叭禁用，开市推迟到七点",
            "unit": other_unit.name,
        },
        format="json",
    )
    assert first.status_code == 201, first.content
    second = center.post(
        f"{CASES}{case['id']}/measures/", {"taken_on": "2026-03-20", "description": "社区每天早上巡查"}, format="json"
    )
    assert second.status_code == 201

    # the late call is linked by hand
    late = market_calls["calls"][5]
    linked = center.post(f"{CASES}{case['id']}/tickets/", {"tickets": [late.ticket_no]}, format="json")
    assert linked.status_code == 200 and linked.json()["added"] == 1

    # before/after, by week (Monday, Beijing time); the turning point is the first measure's week
    detail = leader.get(f"{CASES}{case['id']}/").json()
    volume = detail["volume"]
    assert volume["pivot_on"] == "2026-03-16"
    weeks = {w["week_on"]: (w["count"], w["phase"]) for w in volume["weeks"]}
    assert weeks["2026-03-02"] == (3, "before")
    assert weeks["2026-03-09"] == (2, "before")
    assert weeks["2026-03-16"] == (0, "after")
    assert weeks["2026-03-23"] == (1, "after")
    assert weeks["2026-03-30"] == (0, "after")
    # eight weeks each side: 19 January to 4 May
    assert [w["week_on"] for w in volume["weeks"]][::15] == ["2026-01-19", "2026-05-04"]
    assert len(volume["weeks"]) == 16
    assert (volume["before_total"], volume["after_total"]) == (5, 1)
    assert volume["before_weekly_mean"] == 0.63 and volume["after_weekly_mean"] == 0.13  # 5/8, 1/8 half up
    assert [m["description"][:2] for m in detail["measures"]] == ["城管", "社区"]

    # a handler of 南路社区 sees the case (its community); closing is the leader's
    assert api_client_for(unit_handler).get(f"{CASES}{case['id']}/").status_code == 200
    assert center.post(f"{CASES}{case['id']}/close/", {"conclusion": "x"}, format="json").status_code == 403
    closed = leader.post(f"{CASES}{case['id']}/close/", {"conclusion": "早市喇叭停用，来电停止"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = center.post(
        f"{CASES}{case['id']}/measures/", {"taken_on": "2026-03-30", "description": "再巡查"}, format="json"
    )
    assert refused.status_code == 409

    # every change is in the case's history, with who and the state it led to; refusals left none
    history = list(CaseEvent.objects.filter(case_id=case["id"]).values_list("kind", "actor__username", "to_status"))
    assert history == [
        ("create", "center", "draft"),
        ("open", "leader", "open"),
        ("add_measure", "leader", "open"),
        ("add_measure", "center", "open"),
        ("link_tickets", "center", "open"),
        ("close", "leader", "closed"),
    ]


def test_the_volume_counts_unlinked_calls_of_the_matter_and_nothing_else(
    market_calls, principal_leader, api_client_for
):
    # given a case opened by hand on the keywords, with no linked ticket
    client = api_client_for(principal_leader)
    created = client.post(CASES, {"title": "早市", "keywords": ["早市"], "community": "南路社区"}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "open"
    case_id = created.json()["id"]
    client.post(f"{CASES}{case_id}/measures/", {"taken_on": "2026-03-16", "description": "约谈"}, format="json")

    volume = client.get(f"{CASES}{case_id}/").json()["volume"]

    # every 南路社区 call naming 早市 counts (the one of 大山子社区 and the unrelated ones do not)
    assert (volume["before_total"], volume["after_total"]) == (5, 1)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"title": ""}, 400, "invalid"),
        ({"title": "x", "tickets": ["NOPE-1"]}, 400, "invalid"),
        ({"title": "x", "community": "城市管理办公室"}, 400, "invalid"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(db, principal_leader, api_client_for, body, status, code):
    response = api_client_for(principal_leader).post(CASES, body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not ProactiveCase.objects.exists()


def test_who_may_open_and_see_cases(
    market_calls, section_leader, other_unit_handler, inspector, unit_handler, api_client_for
):
    # a section leader who oversees nothing of the matter may not open it
    response = api_client_for(section_leader).post(CASES, {"title": "x", "community": "大山子社区"}, format="json")
    assert response.status_code == 403
    # handlers do not open cases
    assert api_client_for(unit_handler).post(CASES, {"title": "x"}, format="json").status_code == 403
    assert not ProactiveCase.objects.exists()


def test_a_case_is_hidden_from_units_not_involved(
    db, principal_leader, other_unit_handler, unit_handler, inspector, api_client_for
):
    created = api_client_for(principal_leader).post(
        CASES, {"title": "南路早市", "community": "南路社区"}, format="json"
    )
    case_id = created.json()["id"]
    assert api_client_for(other_unit_handler).get(f"{CASES}{case_id}/").status_code == 404
    assert api_client_for(other_unit_handler).get(CASES).json()["results"] == []
    assert api_client_for(inspector).get(f"{CASES}{case_id}/").status_code == 200
    measure = api_client_for(other_unit_handler).post(
        f"{CASES}{case_id}/measures/", {"taken_on": "2026-03-16", "description": "x"}, format="json"
    )
    assert measure.status_code == 404
    # a handler of the community records a measure; a future date is refused
    ok = api_client_for(unit_handler).post(
        f"{CASES}{case_id}/measures/", {"taken_on": "2026-03-16", "description": "巡查"}, format="json"
    )
    assert ok.status_code == 201
    future = api_client_for(unit_handler).post(
        f"{CASES}{case_id}/measures/", {"taken_on": "2999-01-01", "description": "巡查"}, format="json"
    )
    assert future.status_code == 400
    assert CaseMeasure.objects.count() == 1
    assert Unit.objects.filter(name="南路社区").exists()

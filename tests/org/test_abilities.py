"""The named abilities (org/abilities.py): every ability, with the persona who has it and the persona
who must be refused — by the table and by the surface that asks it (page 404, API 403) — and the
navigation and home pages derived from the table."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jxq_cases.lib import clock
from org.abilities import ABILITIES, PAGES, ROLE_ABILITIES, home_page, may, pages_for
from org.models import Role
from proactive import cases
from reporting.bulletins import take_monthly_bulletin
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _case(center_staff, other_unit):
    return cases.create_case(actor=center_staff, title="路灯不亮", units=[other_unit])


# ability -> (persona who has it, persona who must be refused, how the refused persona is answered)
MATRIX = {
    "tickets.list": ("unit_handler", "platform_client", ("page", "/tickets/", 404)),
    "tickets.receive": ("platform_client", "unit_handler", ("api_post", "/api/v1/tickets/", 403)),
    "tickets.search_personal": ("unit_handler", "principal_leader", ("search", "/api/v1/tickets/", 200)),
    "tickets.bulk_dispatch": ("center_staff", "section_leader", ("page_post", "/tickets/bulk-dispatch/", 404)),
    "inbox.read": ("unit_handler", "inspector", ("page", "/inbox/", 404)),
    "signoffs.read": ("section_leader", "unit_handler", ("page", "/signoff/", 404)),
    "visits.import": ("center_staff", "unit_handler", ("api_post", "/api/v1/imports/visits/", 403)),
    "dashboard.read": ("principal_leader", "unit_handler", ("page", "/dashboard/", 404)),
    "reports.read": ("inspector", "unit_handler", ("page", "/reports/", 404)),
    "reports.run": ("principal_leader", "inspector", ("page_post", "/reports/run/nightly/", 404)),
    "reports.ledger": ("inspector", "section_leader", ("ledger", "/reports/monthly/?format=xlsx&on={month}", None)),
    "hotspots.read": ("section_leader", "unit_handler", ("api_get", "/api/v1/hotspots/", 403)),
    "hotspots.run": ("center_staff", "section_leader", ("api_post", "/api/v1/hotspots/run/", 403)),
    "cases.read": ("unit_handler", "platform_client", ("page", "/proactive/", 404)),
    "cases.read_all": ("inspector", "unit_handler", ("case", "/api/v1/proactive-cases/{pk}/", 404)),
    "cases.create": ("section_leader", "inspector", ("api_post", "/api/v1/proactive-cases/", 403)),
    "deliveries.read": ("center_staff", "section_leader", ("page", "/deliveries/", 404)),
    "tonight.read": ("section_leader", "unit_handler", ("page", "/tonight/", 404)),
    "triage.assistant": ("center_staff", "section_leader", ("page", "/proactive/triage-assistant/", 404)),
    "api.docs": ("platform_client", "center_staff", ("home", "/api/schema/swagger-ui/", None)),
    "categories.review": ("center_staff", "principal_leader", ("page", "/categories/new/", 404)),
    "audit.read": ("inspector", "center_staff", ("page", "/audit/personal-data/", 404)),
    "settings.edit": ("center_admin", "principal_leader", ("page", "/settings/", 404)),
    "map.read": ("section_leader", "inspector", ("page", "/map/data/", 404)),
    "places.resolve": ("center_staff", "principal_leader", ("page", "/places/unresolved/", 404)),
    "geography.edit": ("center_staff", "section_leader", ("page", "/geography/", 404)),
}


def test_the_matrix_covers_every_ability():
    assert set(MATRIX) == set(ABILITIES)
    for role, granted in ROLE_ABILITIES.items():
        assert set(granted) <= set(ABILITIES), role
        assert len(granted) == len(set(granted)), role


@pytest.mark.parametrize("ability", sorted(MATRIX))
def test_each_ability_is_refused_to_the_persona_without_it(request, ability, api_client_for, center_staff, other_unit):
    granted, refused, (surface, url, status) = MATRIX[ability]
    has, lacks = request.getfixturevalue(granted), request.getfixturevalue(refused)
    # the table
    assert may(has, ability) and not may(lacks, ability)
    # the surface that asks it
    if surface == "case":
        url = url.format(pk=_case(center_staff, other_unit).pk)
        assert api_client_for(has).get(url).status_code == 200
        assert api_client_for(lacks).get(url).status_code == status
    elif surface == "ledger":
        # both download the workbook; only the one who sees every ticket gets the request text
        make_ticket(content="楼道灯坏了")
        snapshot = take_monthly_bulletin(clock.today())
        url = url.format(month=snapshot.period_start.isoformat())
        headers = {}
        for persona in (has, lacks):
            client = Client()
            client.force_login(persona)
            answer = client.get(url)
            assert answer.status_code == 200
            headers[persona] = next(load_workbook(io.BytesIO(answer.content)).worksheets[0].values)
        assert "诉求内容" in headers[has] and "诉求内容" not in headers[lacks]
    elif surface == "search":
        ticket = make_ticket(lead_unit=has.units.first(), complainant_phone="13812341234")
        found = api_client_for(has).get(url, {"q": "13812341234"}).json()
        assert [row["ticket_no"] for row in found["results"]] == [ticket.ticket_no]
        answer = api_client_for(lacks).get(url, {"q": "13812341234"})
        assert answer.status_code == status and answer.json()["results"] == [] and answer.json()["notices"]
    elif surface == "home":
        assert home_page(has) == "swagger-ui" and home_page(lacks) != "swagger-ui"
    elif surface.startswith("api"):
        # the persona with the ability is not refused there (so the refusal is not a wrong address)
        for persona, refused_here in ((has, False), (lacks, True)):
            client = api_client_for(persona)
            answer = client.get(url) if surface == "api_get" else client.post(url, {}, format="json")
            assert (answer.status_code == status) is refused_here, (persona.role, answer.status_code, answer.content)
    else:
        for persona, refused_here in ((has, False), (lacks, True)):
            client = Client()
            client.force_login(persona)
            if surface == "page":
                answer = client.get(url)
            else:
                answer = client.post(url, {"tickets": [make_ticket().ticket_no]})
            assert (answer.status_code == status) is refused_here, (persona.role, answer.status_code)


def test_an_inactive_or_anonymous_user_may_nothing(center_staff):
    from django.contrib.auth.models import AnonymousUser

    center_staff.is_active = False
    assert not any(may(center_staff, a) for a in ABILITIES)
    assert not any(may(AnonymousUser(), a) for a in ABILITIES)
    with pytest.raises(KeyError):
        may(center_staff, "reports.delete")


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PLATFORM])
def test_the_nav_and_the_home_page_follow_the_table(django_user_model, role):
    from org.accounts import create_user

    user = create_user(f"u_{role}", role=role, unit_names=["南路社区"], password="nav-check-password-1")
    expected = [PAGES[a].url_name for a in ROLE_ABILITIES[role] if a in PAGES and PAGES[a].in_nav]
    assert [p.url_name for p in pages_for(user)] == expected
    client = Client()
    client.force_login(user)
    html = client.get(reverse(home_page(user))).content.decode()
    for name in expected:
        assert f'href="{reverse(name)}"' in html, (role, name)
    assert client.get("/").url == reverse(expected[0])

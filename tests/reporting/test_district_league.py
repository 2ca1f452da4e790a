"""The district's league of streets (docs/district.md): three streets' tickets built by hand, the
expected rates and composites computed by hand below, the page, the street's rank on its dashboard,
and the workbook (inert cells)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from intake.models import Status
from org.models import Street, Unit
from org.streets import add_street
from reporting.district import district_league, district_rank
from tests.factories import counted_ticket

pytestmark = pytest.mark.django_db

JAN = (dt.date(2023, 1, 1), dt.date(2023, 2, 28))


@pytest.fixture
def three_streets(street_units):
    a = Street.objects.get(name="酒仙桥街道")
    b = add_street("将台街道", "朝阳区")
    c = add_street("@东坝乡", "朝阳区")  # a name a spreadsheet would take as a formula
    unit = {s.pk: Unit.objects.get(street=s, name="南路社区") for s in (a, b, c)}
    # Street A — January: yyy, yyy; February: yyy, ynn; plus an excluded ticket (counts nowhere)
    for when, visit in [("2023-01-05", "yyy"), ("2023-01-06", "yyy"), ("2023-02-05", "yyy"), ("2023-02-06", "ynn")]:
        counted_ticket(f"{when} 09:00", unit=unit[a.pk], visit=visit)
    counted_ticket("2023-02-07 09:00", unit=unit[a.pk], visit="nnn", excluded=True)
    # Street B — January: yyy, yyn, ynn; February: one visit not counted; plus a sent-back ticket
    for visit in ("yyy", "yyn", "ynn"):
        counted_ticket("2023-01-10 09:00", unit=unit[b.pk], visit=visit)
    counted_ticket("2023-02-10 09:00", unit=unit[b.pk], visit="nnn", counted=False)
    counted_ticket("2023-02-11 09:00", unit=unit[b.pk], visit="nnn", status=Status.SENT_BACK)
    # Street C — January: nyy; February: yyy
    counted_ticket("2023-01-15 09:00", unit=unit[c.pk], visit="nyy")
    counted_ticket("2023-02-15 09:00", unit=unit[c.pk], visit="yyy")
    return a, b, c


# By hand, weights 0.1 / 0.6 / 0.3 (the default policy), two decimals, half up:
#   A Jan  100/100/100 -> 100.00      A Feb  100/50/50 -> 10 + 30 + 15 = 55.00
#   B Jan  100/66.67/33.33 -> 10 + 40.002 + 9.999 = 60.001 -> 60.00      B Feb  nothing counted
#   C Jan  0/100/100 -> 0 + 60 + 30 = 90.00      C Feb 100/100/100 -> 100.00
# Jan–Feb, means of the monthly figures (a month without counted tickets is left out):
EXPECTED = [
    # rank, street, counted, response, resolution, satisfaction, composite
    (1, "@东坝乡", 2, "50.00", "100.00", "100.00", "95.00"),
    (2, "酒仙桥街道", 4, "100.00", "75.00", "75.00", "77.50"),
    (3, "将台街道", 3, "100.00", "66.67", "33.33", "60.00"),
]


def _table(league):
    return [
        (
            s.rank,
            s.street_name,
            s.score.counts["counted"],
            *(str(v) for v in (s.score.response, s.score.resolution, s.score.satisfaction, s.score.composite)),
        )
        for s in league.ranked
    ]


def test_the_league_reproduces_the_hand_computed_table(three_streets):
    a, b, c = three_streets
    league = district_league(a.district, *JAN)
    assert _table(league) == EXPECTED
    assert league.apart == []
    # February alone: B counted nothing, so it is listed apart, not ranked
    february = district_league(a.district, dt.date(2023, 2, 1), dt.date(2023, 2, 28))
    assert [(s.rank, s.street_name, s.score.composite) for s in february.ranked] == [
        (1, "@东坝乡", Decimal("100.00")),
        (2, "酒仙桥街道", Decimal("55.00")),
    ]
    assert [s.street_name for s in february.apart] == ["将台街道"]
    # each street's units below it are its own units
    for standing in league.ranked:
        unit_ids = {u.unit_id for u in standing.units.ranked + standing.units.apart}
        assert set(Unit.objects.filter(pk__in=unit_ids).values_list("street_id", flat=True)) == {standing.street_id}
    a_units = {u.unit_name: u.score.counts["counted"] for u in league.standing_of(a.pk).units.apart}
    assert a_units["南路社区"] == 4
    # the street's rank in its district, month to date
    assert district_rank(a, dt.date(2023, 2, 28)) == {
        "rank": 2,
        "of": 2,
        "district": "朝阳区",
        "composite": Decimal("55.00"),
    }


def test_the_district_page_and_its_workbook(district_leader, principal_leader, three_streets):
    client = Client()
    client.force_login(district_leader)
    page = client.get("/district/", {"from": "2023-01", "to": "2023-02"})
    assert page.status_code == 200
    html = page.content.decode().split('data-testid="district-league"')[1]
    assert html.index("@东坝乡") < html.index("酒仙桥街道") < html.index("将台街道")
    assert "95.00" in html and "77.50" in html
    workbook = client.get("/district/", {"from": "2023-01", "to": "2023-02", "format": "xlsx"})
    assert workbook.status_code == 200
    rows = list(load_workbook(io.BytesIO(workbook.content)).worksheets[0].values)
    assert rows[1][:2] == (1, "'@东坝乡")  # inert: the name stays text
    assert [row[1] for row in rows[1:]] == ["'@东坝乡", "酒仙桥街道", "将台街道"]
    assert [row[7] for row in rows[1:]] == [95.0, 77.5, 60.0]
    # a street's leader has no district page
    other = Client()
    other.force_login(principal_leader)
    assert other.get("/district/").status_code == 404


def test_the_street_dashboard_shows_its_rank_in_the_district(principal_leader, three_streets):
    from jxq_cases.lib import clock

    today = clock.today()
    a, b, c = three_streets
    counted_ticket(f"{today:%Y-%m-%d} 00:30", unit=Unit.objects.get(street=b, name="南路社区"), visit="yyy")
    counted_ticket(f"{today:%Y-%m-%d} 00:30", unit=Unit.objects.get(street=a, name="南路社区"), visit="ynn")
    client = Client()
    client.force_login(principal_leader)
    html = client.get("/dashboard/").content.decode()
    assert 'data-testid="district-rank"' in html
    assert "2" in html.split('data-testid="district-rank"')[1].split("</strong>")[0]


def test_a_streets_own_scoring_policy_wins_over_the_district_default(three_streets):
    from reporting.models import ScoringPolicy

    a, b, c = three_streets
    # 将台街道 weighs only the response rate from January 2023 on; the others keep the default
    ScoringPolicy.objects.create(
        street=b,
        name="将台街道考评规则",
        effective_from=dt.date(2023, 1, 1),
        w_response=Decimal("1"),
        w_resolution=Decimal("0"),
        w_satisfaction=Decimal("0"),
    )
    league = district_league(a.district, *JAN)
    # B: January response 100 -> composite 100.00; A and C as in EXPECTED (the default policy)
    assert [(s.rank, s.street_name, str(s.score.composite)) for s in league.ranked] == [
        (1, "将台街道", "100.00"),
        (2, "@东坝乡", "95.00"),
        (3, "酒仙桥街道", "77.50"),
    ]


def _district_page_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/district/", {"from": "2023-01", "to": "2023-02"})  # warm: the user's streets are read once
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/district/", {"from": "2023-01", "to": "2023-02"})
    assert page.status_code == 200
    # every street is listed with its units' table
    assert len(page.context["league"].ranked) + len(page.context["league"].apart) == Street.objects.count()
    return len(captured)


def test_the_district_pages_queries_do_not_grow_with_the_streets(district_leader, three_streets):
    client = Client()
    client.force_login(district_leader)
    three = _district_page_queries(client)
    # three more streets, each with a counted ticket led by its 南路社区
    for name in ("东风乡", "麦子店街道", "六里屯街道"):
        street = add_street(name, "朝阳区")
        counted_ticket("2023-01-20 09:00", unit=Unit.objects.get(street=street, name="南路社区"), visit="yyy")
    six = _district_page_queries(client)
    assert six == three, (three, six)

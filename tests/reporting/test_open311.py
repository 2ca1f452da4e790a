"""Open311 GeoReport v2, read only: public fields only, filters per the spec (docs/geography.md)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import Category, Status
from jxq_cases.lib import public_cache
from org.models import CommunityArea, Unit
from reporting.open311 import REQUEST_FIELDS, SERVICE_FIELDS
from tests.factories import make_ticket
from tests.geography import load_test_street

pytestmark = pytest.mark.django_db

# GeoReport v2's field lists (https://wiki.open311.org/GeoReport_v2), written out here on their own
SPEC_REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip
SPEC_SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


@pytest.fixture
def street(db):
    load_test_street()
    noise = Category.objects.create(name="噪音扰民")
    light = Category.objects.create(name="路灯照明")
    now = timezone.now()
    south = Unit.objects.get(name="南路社区")
    days = dt.timedelta(days=1)
    tickets = {
        "open": make_ticket(
            ticket_no="S1",
            category=noise,
            received_at=now - 3 * days,
            address="朝阳区酒仙桥南路社区12号楼",
            complainant_name="张三丰",
            complainant_phone="13812341234",
            content="楼下广场舞太吵",
        ),
        "closed": make_ticket(
            ticket_no="S2",
            category=light,
            status=Status.CLOSED,
            received_at=now - 10 * days,
            closed_at=now - 2 * days,
            community=south,
            address="某处",
        ),
        "old": make_ticket(ticket_no="S3", category=noise, received_at=now - 100 * days),
        "gone": make_ticket(ticket_no="S4", category=noise, status=Status.SENT_BACK, received_at=now - days),
    }
    from intake.places import place_tickets

    place_tickets()
    return tickets


def get(path, **params):
    answer = Client().get(path, params)
    return answer.status_code, answer.json()


def test_services_have_the_spec_fields():
    Category.objects.create(name="噪音扰民")
    status, services = get("/open311/v2/services.json")
    assert status == 200
    assert list(SERVICE_FIELDS) == SPEC_SERVICE_FIELDS
    assert [list(s) for s in services] == [SPEC_SERVICE_FIELDS]
    assert services[0]["service_name"] == "噪音扰民" and services[0]["metadata"] is False


def test_services_are_the_categories_in_use_or_at_the_leaves():
    city = Category.objects.create(name="城市管理")  # a group with its own ticket: listed
    order = Category.objects.create(name="市容环境")  # a group nobody filed under itself: left out
    noise = Category.objects.create(name="噪音扰民", parent=city)
    Category.objects.create(name="占道经营", parent=order)  # a leaf without tickets: listed
    make_ticket(category=city)
    make_ticket(category=noise)
    make_ticket(category=noise)  # one service however many tickets
    status, services = get("/open311/v2/services.json")
    assert status == 200
    listed = [(s["service_name"], s["group"]) for s in services]
    assert len(listed) == 3 and set(listed) == {("城市管理", ""), ("噪音扰民", "城市管理"), ("占道经营", "市容环境")}


def test_requests_carry_public_fields_only_with_the_community_centre_as_location(street):
    answer = Client().get("/open311/v2/requests.json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    requests = answer.json()
    assert list(REQUEST_FIELDS) == SPEC_REQUEST_FIELDS
    assert [r["service_request_id"] for r in requests] == ["S1", "S2"]  # newest first, 90 days, never sent back
    assert all(list(r) == SPEC_REQUEST_FIELDS for r in requests)
    first = requests[0]
    south = CommunityArea.objects.get(community__name="南路社区")
    assert (first["status"], first["service_name"], first["address"]) == ("open", "噪音扰民", "南路社区")
    assert (first["long"], first["lat"]) == (south.center_lon, south.center_lat)
    assert first["description"] == "" and first["requested_datetime"].endswith("+08:00")
    text = answer.content.decode()
    ticket = street["open"]
    ticket.refresh_from_db()
    assert ticket.place_lon == 116.482  # the building's point (the community's centre is 116.485)
    for secret in ("张三丰", "13812341234", "楼下广场舞太吵", "12号楼", "116.482"):
        assert secret not in text


def test_the_spec_filters(street):
    noise = Category.objects.get(name="噪音扰民")
    assert [r["service_request_id"] for r in get("/open311/v2/requests.json", status="closed")[1]] == ["S2"]
    assert [r["status"] for r in get("/open311/v2/requests.json", status="open,closed")[1]] == ["open", "closed"]
    assert [r["service_request_id"] for r in get("/open311/v2/requests.json", service_code=str(noise.pk))[1]] == ["S1"]
    since = (timezone.now() - dt.timedelta(days=120)).date().isoformat()
    found = get("/open311/v2/requests.json", start_date=since + "T00:00:00+08:00", service_code=str(noise.pk))[1]
    assert [r["service_request_id"] for r in found] == ["S1", "S3"]
    until = (timezone.now() - dt.timedelta(days=5)).isoformat()
    assert [r["service_request_id"] for r in get("/open311/v2/requests.json", end_date=until)[1]] == ["S2"]
    # service_request_id wins over the other filters
    assert [
        r["service_request_id"]
        for r in get("/open311/v2/requests.json", service_request_id="S3,S1", status="closed")[1]
    ] == ["S1", "S3"]


@pytest.mark.parametrize(
    "params, detail",
    [
        ({"status": "pending"}, "status must be"),
        ({"start_date": "yesterday"}, "not a W3C date-time"),
        ({"service_code": "x"}, "service_code"),
        ({"service_code": "99999999999999999999999"}, "service_code"),
        ({"service_code": "１２"}, "service_code"),
        # well formed but no such day or hour: parse_datetime / parse_date raise instead of answering None
        ({"start_date": "2026-02-30T00:00:00Z"}, "not a W3C date-time"),
        ({"end_date": "2026-02-30"}, "not a W3C date-time"),
        ({"start_date": "2026-01-01T25:00:00"}, "not a W3C date-time"),
        ({"start_date": "2026-01-02", "end_date": "2026-01-01"}, "after end_date"),
        # the time zone shift of year 1 or 9999 overflows
        ({"start_date": "0001-01-01"}, "out of range"),
        ({"end_date": "9999-12-31T23:59:59-12:00"}, "out of range"),
    ],
)
def test_a_bad_parameter_gets_the_spec_error_list(street, params, detail):
    status, body = get("/open311/v2/requests.json", **params)
    assert status == 400 and body[0]["code"] == 400 and detail in body[0]["description"]


def test_one_request_and_an_unknown_one(street):
    status, body = get("/open311/v2/requests/S2.json")
    assert status == 200 and len(body) == 1 and body[0]["status"] == "closed" and body[0]["address"] == "南路社区"
    assert get("/open311/v2/requests/S4.json")[0] == 404  # sent back: no longer the street's
    assert get("/open311/v2/requests/NOPE.json")[0] == 404


def test_at_most_a_thousand_requests():
    now = timezone.now()
    for i in range(1005):
        make_ticket(ticket_no=f"B{i:05d}", received_at=now - dt.timedelta(minutes=i))
    status, body = get("/open311/v2/requests.json")
    assert status == 200 and len(body) == 1000 and body[0]["service_request_id"] == "B00000"


def _ticket_reads(captured):
    return [q["sql"] for q in captured.captured_queries if '"intake_ticket"' in q["sql"]]


@pytest.mark.parametrize(
    "path, params",
    [
        ("/open311/v2/requests.json", {"status": "open,closed"}),
        ("/open311/v2/requests/S2.json", {}),
        ("/open311/v2/services.json", {}),
    ],
)
def test_an_answer_is_served_from_the_cache_until_the_figures_change(street, path, params):
    with CaptureQueriesContext(connection) as first:
        answer = Client().get(path, params).json()
    assert _ticket_reads(first)
    # the same question in other words (the order of a list, a junk parameter): no ticket read
    again = {**params, "status": "closed,open", "junk": "x"} if params else {"junk": "x"}
    with CaptureQueriesContext(connection) as second:
        assert Client().get(path, again).json() == answer
    assert _ticket_reads(second) == []
    # the nightly job's new generation: computed again
    public_cache.figures_changed()
    with CaptureQueriesContext(connection) as third:
        assert Client().get(path, params).json() == answer
    assert _ticket_reads(third)


def test_the_cache_keeps_filters_apart(street):
    assert [r["service_request_id"] for r in get("/open311/v2/requests.json", status="closed")[1]] == ["S2"]
    assert [r["service_request_id"] for r in get("/open311/v2/requests.json", status="open")[1]] == ["S1"]
    assert [r["service_request_id"] for r in get("/open311/v2/requests.json", service_request_id="S1")[1]] == ["S1"]


def test_one_address_asking_too_often_gets_429_in_the_spec_error_list(settings, street):
    settings.PUBLIC_RATE_LIMIT = "3/m"
    client = Client(REMOTE_ADDR="203.0.113.7")
    # the three Open311 URLs share one count per address
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/open311/v2/requests.json").status_code == 200
    assert client.get("/open311/v2/requests/S2.json").status_code == 200
    answer = client.get("/open311/v2/requests.json")
    assert answer.status_code == 429 and answer["Retry-After"] == "60"
    assert answer.json()[0]["code"] == 429 and "请求过于频繁" in answer.json()[0]["description"]
    # another address is served meanwhile
    assert Client(REMOTE_ADDR="203.0.113.8").get("/open311/v2/requests.json").status_code == 200

"""The one search through the API (GET /api/v1/tickets/?q=): each kind, scoped by the access policy,
phone and name for the roles with personal-data rights only (and logged), bad input answered."""

import datetime as dt

import pytest
from django.utils import timezone

from dispatch.models import PersonalDataAccess
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


@pytest.fixture
def street(handler_unit, other_unit):
    return {
        "lamp": make_ticket(
            ticket_no="JXQ2026120300017",
            lead_unit=handler_unit,
            content="楼道灯坏了很久没人修，晚上上下楼很危险",
            address="酒仙桥路10号院3号楼",
            complainant_name="王建国",
            complainant_phone="13911112222",
        ),
        "noise": make_ticket(
            ticket_no="JXQ2026120300018",
            lead_unit=other_unit,
            content="夜间施工噪音扰民，影响休息",
            address="将台路5号",
            complainant_name="李女士",
            complainant_phone="010-64312222",
        ),
        "again": make_ticket(
            ticket_no="JXQ2026120400001",
            lead_unit=other_unit,
            content="小区垃圾没人清运",
            address="驼房营南里",
            complainant_name="王建国",
            complainant_phone="+86 139 1111 2222",
        ),
    }


def _search(client, q, **params):
    answer = client.get(URL, {"q": q, **params})
    return answer, answer.json()


_MINE = {"JXQ2026120300017", "JXQ2026120300018", "JXQ2026120400001"}


def _numbers(body):
    # among this module's tickets: a ticket another test left committed must not decide the outcome
    return {row["ticket_no"] for row in body["results"]} & _MINE


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("JXQ2026120300017", {"lamp"}),  # the whole number
        ("jxq20261203", {"lamp", "noise"}),  # its beginning, any case
        ("13911112222", {"lamp", "again"}),  # the whole phone, however it was written
        ("139-1111-2222", {"lamp", "again"}),
        ("2222", {"lamp", "noise", "again"}),  # the last four digits
        ("王建国", {"lamp", "again"}),  # the name
        ("李女士", {"noise"}),
        ("噪音", {"noise"}),  # words of the content
        ("楼道灯 危险", {"lamp"}),  # every word must be there
        ("上下楼很危险", {"lamp"}),  # longer than four characters
        ("将台路", {"noise"}),  # words of the address
        ("垃圾 清运", {"again"}),
        ("楼道灯", {"lamp"}),  # inside a longer run of characters
        ("3号楼", {"lamp"}),
        ("灯坏", {"lamp"}),
    ],
)
def test_the_center_finds_each_kind(street, center_staff, api_client_for, q, found):
    answer, body = _search(api_client_for(center_staff), q)
    assert answer.status_code == 200, body
    assert _numbers(body) == {street[name].ticket_no for name in found}
    assert body["notices"] == []


def test_words_not_in_any_ticket_find_nothing(street, center_staff, api_client_for):
    answer, body = _search(api_client_for(center_staff), "停车收费")
    assert answer.status_code == 200 and body["results"] == []


def test_a_handler_finds_only_their_units_tickets(street, unit_handler, api_client_for):
    client = api_client_for(unit_handler)
    assert _numbers(_search(client, "13911112222")[1]) == {street["lamp"].ticket_no}
    assert _numbers(_search(client, "2222")[1]) == {street["lamp"].ticket_no}
    assert _numbers(_search(client, "噪音")[1]) == set()
    assert _numbers(_search(client, "JXQ2026")[1]) == {street["lamp"].ticket_no}


def test_each_phone_or_name_search_is_logged_masked(street, center_staff, api_client_for):
    client = api_client_for(center_staff)
    _search(client, "13911112222")
    _search(client, "2222")
    _search(client, "王建国")
    _search(client, "噪音")  # words only: not personal data
    logged = list(PersonalDataAccess.objects.order_by("pk").values_list("context", "term", "ticket"))
    assert logged == [
        ("search:phone", "139****2222", None),
        ("search:phone_tail", "****2222", None),
        ("search:name", "王**", None),
    ]
    # the masked list does not log per ticket, the term never holds the number
    assert not PersonalDataAccess.objects.filter(term__contains="1111").exists()


@pytest.mark.parametrize("persona", ["section_leader", "principal_leader", "inspector"])
def test_roles_without_personal_data_rights_do_not_search_phones_or_names(request, street, persona, api_client_for):
    client = api_client_for(request.getfixturevalue(persona))
    for q in ("13911112222", "2222", "1391111"):
        answer, body = _search(client, q)
        assert answer.status_code == 200
        assert _numbers(body) == set()  # no ticket number starts with these digits
        assert "按电话号码搜索仅限可查看诉求人信息的角色" in body["notices"][0]
    answer, body = _search(client, "王建国")
    assert answer.status_code == 200 and _numbers(body) == set()
    assert not PersonalDataAccess.objects.exists()
    # the list masks the complainant whatever was searched
    answer, body = _search(client, "楼道灯")
    rows = [row for row in body["results"] if row["ticket_no"] == street["lamp"].ticket_no]
    assert [row["complainant"] for row in rows] == [{"name": "王**", "phone": "139****2222", "masked": True}]


@pytest.mark.parametrize(
    ("q", "says"),
    [
        ("灯", "请至少输入 2 个字符"),
        ("x" * 500, "搜索内容最多 100 个字符，当前为 500 个"),
        ("楼" * 101, "搜索内容最多 100 个字符，当前为 101 个"),
        ("!!", "没有可搜索的内容"),
        ("%_", "没有可搜索的内容"),
        ("   ", None),  # an empty search is no search: the whole list
    ],
)
def test_bad_searches_are_answered_with_400(street, center_staff, api_client_for, q, says):
    answer, body = _search(api_client_for(center_staff), q)
    if says is None:
        assert answer.status_code == 200 and _numbers(body) == _MINE
        return
    assert answer.status_code == 400, body
    assert says in body["detail"]
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    "q",
    [
        "'; DROP TABLE intake_ticket; --",
        "噪音' OR '1'='1",
        ".*(噪音|垃圾)+[a-z]{2,}\\",
        "噪音 & ! | :* <->",
        "%噪音%",
        "_2222",
        "2222\x00",
        "JXQ%",
        "(((()))) ^$",
    ],
)
def test_sql_and_regex_metacharacters_are_plain_text(street, center_staff, api_client_for, q):
    answer, body = _search(api_client_for(center_staff), q)
    assert answer.status_code in (200, 400), answer.content
    if answer.status_code == 200:
        # nothing is matched by a wildcard: every ticket found holds the searched words
        for row in body["results"]:
            assert row["ticket_no"] != street["lamp"].ticket_no or "噪音" not in q
    from intake.models import Ticket

    assert Ticket.objects.count() == 3


def test_a_prefix_matching_too_many_tickets_asks_for_more(street, center_staff, api_client_for, settings):
    settings.SEARCH_MATCH_LIMIT = 2
    answer, body = _search(api_client_for(center_staff), "JXQ2026")
    assert answer.status_code == 200 and _numbers(body) == set()
    assert body["notices"] == ["按工单编号匹配“JXQ2026”的工单超过 2 张：请输入更完整的内容。"]
    answer, body = _search(api_client_for(center_staff), "JXQ20261203")
    assert _numbers(body) == {street["lamp"].ticket_no, street["noise"].ticket_no} and body["notices"] == []


# --- what one search request costs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "queries"),
    [
        # the ids by number, the page, the page's co-handling units
        ("JXQ2026120300017", 3),
        # the ids by number, the log row, the ids by the phone's last four, the page, the co-handlers
        ("2222", 5),
        # the ids by name, the look at the newest tickets, the planner's estimate of the matches in the
        # newest window (too few for a page: no window is read), the page, the co-handlers
        ("垃圾 清运", 5),
        # one stored word: no look at the newest, no window
        ("噪音", 3),
    ],
)
def test_a_search_request_costs_a_fixed_number_of_queries(street, center_staff, api_client_for, q, queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intake.models import Ticket

    Ticket.objects.filter(pk=street["again"].pk).update(received_at=timezone.now() - dt.timedelta(days=100))
    client = api_client_for(center_staff)
    client.get(URL, {"q": q})  # warm: the user's units are read once per user object
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(URL, {"q": q})
    assert answer.status_code == 200
    assert len(captured) == queries, [c["sql"][:120] for c in captured.captured_queries]
    assert not [c for c in captured.captured_queries if "COUNT(" in c["sql"].upper() and "newest" not in c["sql"]]


def test_the_list_names_each_tickets_co_handling_units_in_the_units_order(
    street, center_staff, api_client_for, handler_unit, other_unit
):
    street["noise"].co_units.add(other_unit, handler_unit)
    street["lamp"].co_units.add(other_unit)
    expected = {
        street["noise"].ticket_no: [u.name for u in street["noise"].co_units.all()],
        street["lamp"].ticket_no: [other_unit.name],
        street["again"].ticket_no: [],
    }
    assert len(expected[street["noise"].ticket_no]) == 2
    body = api_client_for(center_staff).get(URL, {"q": "JXQ2026"}).json()
    assert {row["ticket_no"]: row["co_units"] for row in body["results"]} == expected

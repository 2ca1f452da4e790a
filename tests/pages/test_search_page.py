"""The search box in the header and the workbench's search: each kind found, bad input answered
with a message and nothing listed, phone search refused to roles without personal-data rights."""

import pytest

from dispatch.models import PersonalDataAccess
from intake.models import Status
from tests.factories import make_ticket


@pytest.fixture
def lamp(handler_unit):
    return make_ticket(
        ticket_no="JXQ2026120300017",
        lead_unit=handler_unit,
        status=Status.CLOSED,
        content="楼道灯坏了很久没人修",
        complainant_name="王建国",
        complainant_phone="13911112222",
    )


@pytest.fixture
def noise(other_unit):
    return make_ticket(ticket_no="JXQ2026120300018", lead_unit=other_unit, content="夜间施工噪音扰民")


def _search(client, q):
    answer = client.get("/tickets/", {"q": q, "status": "all"})
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_header_has_the_search_box_for_every_role_with_a_ticket_list(
    client_for, center_staff, unit_handler, inspector, platform_client
):
    for user in (center_staff, unit_handler, inspector):
        html = client_for(user).get("/tickets/").content.decode()
        assert 'role="search"' in html and 'name="q"' in html and "搜索工单" in html
    html = client_for(platform_client).get("/api/schema/swagger-ui/").content.decode()
    assert 'role="search"' not in html


@pytest.mark.parametrize("q", ["JXQ2026120300017", "jxq202612030001", "13911112222", "2222", "王建国", "楼道灯"])
def test_the_center_finds_a_closed_ticket_by_each_kind(client_for, center_staff, lamp, noise, q):
    html = _search(client_for(center_staff), q)
    assert "楼道灯坏了" in html
    assert "夜间施工噪音" not in html or q == "jxq202612030001"  # the beginning both numbers share


def test_a_handler_finds_only_their_units_tickets(client_for, unit_handler, lamp, noise):
    html = _search(client_for(unit_handler), "JXQ20261203")
    assert "楼道灯坏了" in html and "夜间施工噪音" not in html
    assert "夜间施工噪音" not in _search(client_for(unit_handler), "噪音")


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("灯", "请至少输入 2 个字符"),
        ("路" * 500, "搜索内容最多 100 个字符，当前为 500 个"),
        ("!!!???", "没有可搜索的内容"),
    ],
)
def test_bad_searches_list_nothing_and_say_why(client_for, center_staff, lamp, noise, q, message):
    html = _search(client_for(center_staff), q)
    assert message in html
    assert "楼道灯坏了" not in html and "夜间施工噪音" not in html


@pytest.mark.parametrize("q", ["'; DROP TABLE intake_ticket; --", ".*|[灯]+$", "%灯%", "楼道' OR 1=1"])
def test_metacharacters_are_plain_text(client_for, center_staff, lamp, noise, q):
    html = _search(client_for(center_staff), q)
    assert "夜间施工噪音" not in html


def test_a_partial_phone_from_a_leader_finds_nothing_and_says_so(client_for, section_leader, principal_leader, lamp):
    for user in (section_leader, principal_leader):
        for q in ("2222", "13911112222", "1391111"):
            html = _search(client_for(user), q)
            assert "按电话号码搜索仅限可查看诉求人信息的角色" in html
            assert "楼道灯坏了" not in html
        assert "楼道灯坏了" not in _search(client_for(user), "王建国")
    assert not PersonalDataAccess.objects.exists()


def test_a_phone_search_on_the_page_is_logged(client_for, center_staff, lamp):
    _search(client_for(center_staff), "139 1111 2222")
    assert list(PersonalDataAccess.objects.values_list("context", "term", "user")) == [
        ("search:phone", "139****2222", center_staff.pk)
    ]

import pytest
from django.core.management import CommandError, call_command

from org.models import Role, Unit, User
from org.units import load_jiuxianqiao_units


def test_jiuxianqiao_units_are_loaded(street_units):
    # loading is idempotent: the data migration and the test fixture both call it
    assert load_jiuxianqiao_units(Unit) == 0
    assert Unit.objects.filter(kind="community").count() == 9
    assert Unit.objects.filter(kind="department").count() == 10
    assert Unit.objects.get(is_center=True).name == "市民诉求处置中心"


def test_add_user_creates_a_handler_with_units(street_units):
    call_command("add_user", "wang", "--role", "unit_handler", "--unit", "南路社区", "--password", "quiet-lane-4821")
    user = User.objects.get(username="wang")
    assert user.role == Role.UNIT_HANDLER
    assert [u.name for u in user.units.all()] == ["南路社区"]
    assert user.check_password("quiet-lane-4821")


def test_add_user_section_leader_oversees_units(street_units):
    call_command("add_user", "li", "--role", "section_leader", "--unit", "南路社区", "--unit", "城市管理办公室")
    leader = User.objects.get(username="li")
    assert set(Unit.objects.filter(section_leader=leader).values_list("name", flat=True)) == {
        "南路社区",
        "城市管理办公室",
    }


def test_add_user_refuses_unknown_unit_and_creates_nothing(street_units):
    with pytest.raises(CommandError, match="unknown unit"):
        call_command("add_user", "zhao", "--role", "unit_handler", "--unit", "不存在社区")
    assert not User.objects.filter(username="zhao").exists()


def test_add_user_refuses_handler_without_unit(db):
    with pytest.raises(CommandError, match="needs at least one --unit"):
        call_command("add_user", "zhao", "--role", "unit_handler")


def test_token_exchange(db, api_client_for, center_staff):
    response = api_client_for().post("/api/v1/auth/token/", {"username": "center", "password": "test-password-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 64
    bad = api_client_for().post("/api/v1/auth/token/", {"username": "center", "password": "wrong"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"

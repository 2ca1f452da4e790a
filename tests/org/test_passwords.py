"""Weak passwords are refused wherever a password is set: add_user, the admin, the password page."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from org.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "river-bank-7310"
# a weak password, and a piece of the reason add_user gives (in Chinese, the default language)
WEAK = {
    "123": "至少需要 12 个字符",
    "password1234": "太常见",
    "204857193846201": "只包含数字",
    "zhangwei2026": "太相似",
}


@pytest.mark.parametrize("password", list(WEAK))
def test_add_user_refuses_a_weak_password_and_creates_nothing(street_units, password):
    with pytest.raises(CommandError, match="password refused") as refused:
        call_command("add_user", "zhangwei2026x", "--role", "inspector", "--password", password)
    assert WEAK[password] in str(refused.value)
    assert not User.objects.filter(username="zhangwei2026x").exists()


def test_add_user_accepts_a_strong_password(street_units):
    call_command("add_user", "zhao", "--role", "inspector", "--password", STRONG)
    assert User.objects.get(username="zhao").check_password(STRONG)


def test_the_demo_and_test_passwords_pass_the_validators(street_units):
    for username, role, display_name, _units in DEMO_ACCOUNTS:
        validate_password(DEMO_PASSWORD, User(username=username, role=role, display_name=display_name))
    validate_password(PASSWORD, User(username="center"))


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD))
    return client


def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client):
    form = {"username": "wu", "usable_password": "true", "password1": "20485719384", "password2": "20485719384"}

    weak = admin_client.post("/admin/org/user/add/", form)
    strong = admin_client.post("/admin/org/user/add/", {**form, "password1": STRONG, "password2": STRONG})

    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    assert strong.status_code == 302
    assert User.objects.get(username="wu").check_password(STRONG)


def test_the_admin_refuses_a_weak_password_change(admin_client, unit_handler):
    url = f"/admin/org/user/{unit_handler.pk}/password/"
    form = {"usable_password": "true", "password1": "handler1", "password2": "handler1"}

    weak = admin_client.post(url, form)
    unit_handler.refresh_from_db()
    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    assert unit_handler.check_password(PASSWORD)

    strong = admin_client.post(url, {**form, "password1": STRONG, "password2": STRONG})
    unit_handler.refresh_from_db()
    assert strong.status_code == 302 and unit_handler.check_password(STRONG)


def test_the_header_links_to_the_password_page(client, unit_handler):
    client.force_login(unit_handler)
    page = client.get("/password/").content.decode()
    assert 'href="/password/"' in page and "修改密码" in page
    assert "至少" in page  # the validators' rules are shown beside the new password


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_signed_in_user_changes_their_password(client, unit_handler):
    client.force_login(unit_handler)

    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG}, follow=True
    )

    unit_handler.refresh_from_db()
    assert unit_handler.check_password(STRONG)
    assert "密码已修改" in response.content.decode()
    assert client.get("/inbox/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "old, new",
    [("wrong-old-password", STRONG), (PASSWORD, "12345678"), (PASSWORD, "handler-2026x")],
    ids=["wrong old password", "weak new password", "too close to the username"],
)
def test_the_password_page_refuses_and_keeps_the_old_password(client, unit_handler, old, new):
    client.force_login(unit_handler)

    response = client.post("/password/", {"old_password": old, "new_password1": new, "new_password2": new})

    unit_handler.refresh_from_db()
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert unit_handler.check_password(PASSWORD)

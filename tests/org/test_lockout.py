"""Repeated wrong passwords lock one username from one address, on the sign-in page and the token endpoint.

The lock is by username and address together (docs/architecture.md, "Authentication"): the person who
must be refused is the locked user; a colleague behind the same address signs in as usual.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from knox.models import AuthToken

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
OFFICE_ADDRESS = "10.20.30.40"  # the street office's one NAT address


def fail_on_page(client, username: str, times: int, address: str = OFFICE_ADDRESS) -> None:
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "not-the-password"}, REMOTE_ADDR=address)
        assert response.status_code in (200, 429)


def sign_in_on_page(client, username: str, address: str = OFFICE_ADDRESS):
    return client.post("/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)


def ask_token(client, username: str, password: str, address: str = OFFICE_ADDRESS):
    return client.post(TOKEN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_page_refuses_the_right_password_after_repeated_failures(client, center_staff):
    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT)

    response = sign_in_on_page(client, "center")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟后再试" in page  # a clear message, on the sign-in page
    assert 'id="id_password"' in page


def test_fewer_failures_than_the_limit_do_not_lock_and_a_success_forgives_them(client, center_staff):
    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in_on_page(client, "center").status_code == 302
    client.logout()

    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in_on_page(client, "center").status_code == 302


def test_the_token_endpoint_refuses_the_right_password_after_repeated_failures(client, platform_client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask_token(client, "platform", "not-the-password").status_code == 400
    assert ask_token(client, "platform", "not-the-password").status_code == 429  # the failure that locks

    response = ask_token(client, "platform", PASSWORD)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked" and "登录失败次数过多" in body["detail"]
    assert not AuthToken.objects.exists()


def test_failures_on_either_surface_count_together(client, center_staff):
    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT - 2)
    assert ask_token(client, "center", "not-the-password").status_code == 400
    assert ask_token(client, "center", "not-the-password").status_code == 429

    assert ask_token(client, "center", PASSWORD).status_code == 429
    assert sign_in_on_page(client, "center").status_code == 429


def test_a_colleague_behind_the_same_address_is_not_locked(client, center_staff, unit_handler):
    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT)
    assert sign_in_on_page(client, "center").status_code == 429

    assert sign_in_on_page(client, "handler").status_code == 302
    assert ask_token(client, "handler", PASSWORD).status_code == 200


def test_the_same_user_from_another_address_is_not_locked(client, center_staff):
    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT, address="203.0.113.9")

    assert sign_in_on_page(client, "center", address="203.0.113.9").status_code == 429
    assert sign_in_on_page(client, "center").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, center_staff):
    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT)
    assert sign_in_on_page(client, "center").status_code == 429

    # the failures happened a cool-off (and a minute) ago
    attempt = AccessAttempt.objects.get(username="center")
    attempt.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    attempt.save()

    assert sign_in_on_page(client, "center").status_code == 302


def test_an_administrator_unlocks_with_axes_reset(client, center_staff):
    fail_on_page(client, "center", settings.AXES_FAILURE_LIMIT)
    assert ask_token(client, "center", PASSWORD).status_code == 429

    call_command("axes_reset_username", "center")

    assert ask_token(client, "center", PASSWORD).status_code == 200


def test_the_admin_sign_in_is_locked_too(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    fail_on_page(client, "root", settings.AXES_FAILURE_LIMIT)

    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}, REMOTE_ADDR=OFFICE_ADDRESS
    )

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session

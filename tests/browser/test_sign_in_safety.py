"""In a real browser: the sign-in page says so when repeated wrong passwords locked the account, and a
signed-in person changes their password from the header and signs in with the new one."""

from django.conf import settings
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

NEW_PASSWORD = "river-bank-7310"


def _sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")


def test_the_sign_in_page_says_the_account_is_locked(page, center_staff, screenshot):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(page, "center", "not-the-password")

    _sign_in(page, "center", PASSWORD)

    expect(page.get_by_test_id("locked")).to_contain_text("登录失败次数过多")
    expect(page.get_by_test_id("locked")).to_contain_text("分钟后再试")
    expect(page.get_by_label("用户名")).to_have_value("center")
    expect(page.get_by_test_id("who")).to_have_count(0)  # not signed in
    screenshot(page, "login-locked", full_page=False)


def test_a_person_changes_their_password_from_the_header(page, login, unit_handler, screenshot):
    login(page, unit_handler)
    page.get_by_role("link", name="修改密码").click()
    page.get_by_label("旧密码").fill(PASSWORD)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新密码确认").fill(NEW_PASSWORD)
    screenshot(page, "password-change", full_page=False)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".messages")).to_contain_text("密码已修改")

    page.get_by_role("button", name="退出").click()
    _sign_in(page, "handler", NEW_PASSWORD)
    expect(page.get_by_test_id("who")).to_contain_text("handler")

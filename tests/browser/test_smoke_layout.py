"""The layout in a real browser: sign in, the header, the language switch, the phone width."""

import re

from playwright.sync_api import expect


def test_sign_in_shows_who_and_switches_language(page, login, center_staff, screenshot):
    page.goto("/login/")
    screenshot(page, "login")
    login(page, center_staff)
    expect(page).to_have_url(re.compile(r"/tickets/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("诉求中心工作台")
    expect(page.get_by_test_id("who")).to_contain_text("诉求中心")
    expect(page.get_by_test_id("who")).to_contain_text("市民诉求处置中心")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaint center workbench")
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("诉求中心工作台")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/"))

"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

The live server runs in a thread of this process against PostgreSQL (transactional database:
each test's data is committed so that the server thread sees it, then flushed). Playwright's sync
API runs an asyncio loop in this thread, which makes Django refuse ORM calls from the test body
unless DJANGO_ALLOW_ASYNC_UNSAFE is set: the calls are synchronous and safe here.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from org.models import Unit
from org.units import load_jiuxianqiao_units
from tests.conftest import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("JXQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
OFFICE_SCREEN = {"width": 1366, "height": 768}
PHONE_SCREEN = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _street_units(transactional_db):
    """The units come from a data migration; a transactional test's flush removes them, so reload."""
    load_jiuxianqiao_units(Unit)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """``new_page(viewport=...)`` -> a Page in a fresh browser context (its own cookies)."""
    contexts = []

    def make(viewport: dict | None = None) -> Page:
        context = chromium.new_context(viewport=viewport or OFFICE_SCREEN, locale="zh-CN", base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.fixture
def login():
    """``login(page, user)``: sign in through the login form, as a person would."""

    def do(page: Page, user) -> Page:
        page.goto("/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("domcontentloaded")
        return page

    return do


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` writes var/screenshots/name.png (the full page, or the screen)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take

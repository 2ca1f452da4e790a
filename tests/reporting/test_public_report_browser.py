"""The public work report in a real Chromium: the ECharts charts draw from our own static files,
with no script error and no request leaving the server."""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import counted_ticket

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
CHROMIUM = os.environ.get("JXQ_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_the_public_report_draws_its_charts_in_a_browser(live_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser`")
    from org.models import Unit

    unit = Unit.objects.get(name="南路社区")
    for day, visit in [("2023-01-05", "yyy"), ("2023-01-09", "yny"), ("2023-02-03", "yyy"), ("2023-03-07", "nnn")]:
        counted_ticket(f"{day} 10:00", unit=unit, visit=visit, category="噪音扰民")

    seen: dict = {"errors": [], "outside": []}

    def browse() -> None:
        # In a thread of its own: the browser tests' session-wide Playwright may already run an
        # asyncio loop in this one, and the sync API refuses to start inside a running loop.
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda error: seen["errors"].append(str(error)))
            page.on("request", lambda r: None if r.url.startswith(live_server.url) else seen["outside"].append(r.url))
            page.goto(f"{live_server.url}/report/public/?from=2023-01-01&to=2023-03-31")
            page.wait_for_selector("#chart-volume canvas")
            page.wait_for_selector("#chart-rates canvas")
            seen["paragraph"] = page.locator("#report-paragraph").inner_text()
            seen["rows"] = page.locator("#month-table tbody tr").count()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "public_report.png"), full_page=True)
            browser.close()

    thread = threading.Thread(target=lambda: _capture(seen, browse))
    thread.start()
    thread.join(timeout=120)
    assert "failure" not in seen, seen.get("failure")
    errors, outside, paragraph, rows = seen["errors"], seen["outside"], seen["paragraph"], seen["rows"]

    assert errors == [] and outside == []
    assert "办理市、区诉求共计4件" in paragraph
    assert rows == 3


def _capture(seen: dict, function) -> None:
    try:
        function()
    except Exception as error:  # reported by the test thread
        seen["failure"] = repr(error)

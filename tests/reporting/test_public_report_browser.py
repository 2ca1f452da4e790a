"""The public work report in a real Chromium: the ECharts charts draw from our own static files,
with no script error and no request leaving the server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .conftest import make_ticket

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
CHROMIUM = os.environ.get("JXQ_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_public_report_draws_its_charts_in_a_browser(live_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser`")
    from org.models import Unit

    unit = Unit.objects.get(name="南路社区")
    for day, visit in [("2023-01-05", "yyy"), ("2023-01-09", "yny"), ("2023-02-03", "yyy"), ("2023-03-07", "nnn")]:
        make_ticket(f"{day} 10:00", unit=unit, visit=visit, category="噪音扰民")

    errors, outside = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 768})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
        page.goto(f"{live_server.url}/report/public/?from=2023-01-01&to=2023-03-31")

        page.wait_for_selector("#chart-volume canvas")
        page.wait_for_selector("#chart-rates canvas")
        paragraph = page.locator("#report-paragraph").inner_text()
        rows = page.locator("#month-table tbody tr").count()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "public_report.png"), full_page=True)
        browser.close()

    assert errors == [] and outside == []
    assert "共办理市、区诉求4件" in paragraph
    assert rows == 3

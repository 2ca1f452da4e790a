"""In a real browser: a handler cannot open another unit's ticket, the inspector sees personal data
masked, the public report shows the figures of the report command for the same range, and the
handler's inbox works on a phone."""

import io
import json
from datetime import datetime, timedelta

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Source, Status
from jxq_cases.lib.clock import STREET_TZ
from tests.browser.conftest import PHONE_SCREEN
from tests.factories import dispatched_ticket


def _ticket(no, unit, **fields):
    values = {
        "ticket_no": no,
        "received_at": timezone.now() - timedelta(hours=2),
        "content": f"{no} 小区垃圾桶满了没人清",
        "complainant_name": "赵建国",
        "complainant_phone": "13711112222",
    }
    values.update(fields)
    return dispatched_ticket(unit, **values)


def test_a_handler_cannot_open_another_units_ticket(page, login, other_unit_handler, handler_unit, screenshot):
    ticket = _ticket("N-0001", handler_unit)
    login(page, other_unit_handler)
    response = page.goto(f"/tickets/{ticket.ticket_no}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("垃圾桶满了")
    page.goto("/tickets/")
    expect(page.locator("body")).not_to_contain_text(ticket.ticket_no)
    page.goto("/inbox/")
    expect(page.get_by_test_id("inbox-card")).to_have_count(0)


def test_personal_data_is_masked_for_the_inspector(page, login, inspector, handler_unit, screenshot):
    ticket = _ticket("N-0002", handler_unit)
    login(page, inspector)
    page.goto(f"/tickets/{ticket.ticket_no}/")
    expect(page.get_by_test_id("complainant-name")).to_have_text("赵**")
    expect(page.get_by_test_id("complainant-phone")).to_have_text("137****2222")
    expect(page.locator("body")).not_to_contain_text("13711112222")
    expect(page.get_by_role("button", name="显示完整信息（将被记录）")).to_have_count(0)
    expect(page.get_by_test_id("no-actions")).to_be_visible()
    screenshot(page, "ticket-inspector-masked")


def test_public_report_shows_the_report_commands_figures(page, handler_unit, other_unit, screenshot):
    def visited(no, unit, source, received, resolved, satisfied):
        _ticket(
            no,
            unit,
            source=source,
            received_at=received,
            status=Status.CLOSED,
            visited_at=received + timedelta(days=2),
            visit_counted=True,
            visit_contacted=True,
            visit_resolved=resolved,
            visit_satisfied=satisfied,
        )

    # two months of 2025 with different rates, so the mean of the monthly rates is not the pooled one
    jan, feb = datetime(2025, 1, 10, 9, tzinfo=STREET_TZ), datetime(2025, 2, 1, 0, 0, tzinfo=STREET_TZ)
    visited("R-01", handler_unit, Source.CITY, jan, True, True)
    visited("R-02", handler_unit, Source.DISTRICT, jan, False, True)
    visited("R-03", other_unit, Source.CITY, jan, True, False)
    visited("R-04", other_unit, Source.CITY, feb, True, True)  # 00:00 on 1 February is February
    out = io.StringIO()
    call_command("report", "--from", "2025-01-01", "--to", "2025-02-28", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())

    page.goto("/report/public/?from=2025-01-01&to=2025-02-28")
    figures = page.locator(".figures")
    expect(figures.locator(".figure").nth(0).locator("b")).to_have_text(str(report["total"]))
    expect(figures.locator(".figure").nth(1).locator("b")).to_have_text(str(report["by_source"]["city"]["count"]))
    expect(figures.locator(".figure").nth(1)).to_contain_text(f"{report['by_source']['city']['share']:.2f}%")
    for position, key in ((3, "response"), (4, "resolution"), (5, "satisfaction")):
        expect(figures.locator(".figure").nth(position).locator("b")).to_have_text(f"{report['rates'][key]:.2f}%")
    assert report["total"] == 4 and report["rates"]["resolution"] == 83.34  # (66.67 + 100) / 2 = 83.335, half-up
    expect(page.locator("body")).not_to_contain_text("赵建国")
    expect(page.locator("body")).not_to_contain_text("13711112222")
    screenshot(page, "public-report")


def test_the_inbox_on_a_phone(new_page, login, unit_handler, handler_unit, screenshot):
    _ticket("M-0001", handler_unit, urgency="urgent")
    _ticket("M-0002", handler_unit)
    phone = login(new_page(viewport=PHONE_SCREEN), unit_handler)
    cards = phone.get_by_test_id("inbox-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("M-0001")  # urgent first
    # nothing sticks out sideways on a 390 px screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_SCREEN["width"]
    cards.first.get_by_role("button", name="签收").click()
    expect(phone.get_by_role("status")).to_contain_text("签收：已完成")
    screenshot(phone, "inbox-phone")


def test_keyboard_reaches_the_filters_and_focus_is_visible(page, login, center_staff):
    login(page, center_staff)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到正文"  # the skip link comes first
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

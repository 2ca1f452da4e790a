"""The main pages with a few weeks of demo data, as a street would see them on its first morning; the
screenshots under var/screenshots/ are the ones the README shows (copied to docs/screenshots/)."""

import re

from playwright.sync_api import expect

from demo.accounts import create_demo_accounts
from demo.seed import load_tickets
from intake.models import Status, Ticket
from jxq_cases.lib import clock
from reporting.models import Job, Snapshot
from reporting.nightly import take_nightly_snapshot


def test_workbench_and_dashboard_with_demo_data(new_page, login, screenshot, center_staff, principal_leader):
    create_demo_accounts()  # they play the stories (the personas center and principal among them)
    load_tickets(600, 45, seed=12345, stories=100)
    today = clock.today()
    take_nightly_snapshot(today)
    snapshot = Snapshot.objects.get(job=Job.NIGHTLY, period_start=today)

    center = login(new_page(), center_staff)
    received = Ticket.objects.filter(status=Status.RECEIVED).count()
    expect(center.get_by_test_id("count-received")).to_contain_text(str(received))
    expect(center.locator("#ticket-rows tr")).to_have_count(50)  # a full first page
    screenshot(center, "readme-workbench", full_page=False)

    leader = login(new_page(), principal_leader)
    expect(leader.get_by_test_id("month-total")).to_have_text(str(snapshot.data["month"]["street"]["total"]))
    expect(leader.get_by_test_id("kpi-overdue")).to_contain_text(str(snapshot.data["overdue"]["handle"]["count"]))
    expect(leader.locator(".chart svg").first).to_be_visible()  # ECharts drew from our own static file
    heat_links = leader.get_by_test_id("heat-map").locator("a")
    first_cell = heat_links.first
    count = first_cell.inner_text()
    screenshot(leader, "readme-dashboard", full_page=False)
    first_cell.click()  # click-through to the tickets behind the cell
    expect(leader).to_have_url(re.compile(r"/dashboard/tickets/"))
    rows = leader.get_by_test_id("drilldown").locator("tbody tr")
    expect(rows).to_have_count(min(int(count), 50))

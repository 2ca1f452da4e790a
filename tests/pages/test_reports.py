"""The leadership dashboard (the latest nightly snapshot, figures linking to their tickets) and the
reports with Excel downloads, readable by leaders, the center and the inspectors only."""

import io
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from intake.models import Category, Status
from jxq_cases.lib import clock
from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis
from reporting.nightly import take_nightly_snapshot
from tests.factories import dispatched_ticket, make_ticket


def _visited(unit, resolved, satisfied, **fields):
    now = timezone.now()
    values = dict(
        status=Status.CLOSED if resolved and satisfied else Status.VISITED,
        lead_unit=unit,
        received_at=now - timedelta(minutes=30),
        dispatched_at=now - timedelta(minutes=20),
        replied_at=now - timedelta(minutes=10),
        visited_at=now - timedelta(minutes=5),
        visit_counted=True,
        visit_contacted=True,
        visit_resolved=resolved,
        visit_satisfied=satisfied,
    )
    values.update(fields)
    return make_ticket(**values)


def test_dashboard_without_a_snapshot_says_when_it_comes(client_for, principal_leader):
    html = client_for(principal_leader).get("/dashboard/").content.decode()
    assert "尚无每晚快照" in html
    assert "立即计算" in html  # the principal may run it now


def test_dashboard_shows_the_latest_snapshot_and_links_to_the_tickets(client_for, principal_leader, handler_unit):
    category = Category.objects.create(name="路灯照明")
    _visited(handler_unit, True, True, community=handler_unit, category=category)
    double_no = _visited(handler_unit, False, False, community=handler_unit, category=category)
    dispatched_ticket(handler_unit, supervision="street", content="督办中的工单")
    take_nightly_snapshot(clock.today())
    client = client_for(principal_leader)
    html = client.get("/dashboard/").content.decode()
    assert re.search(r'data-testid="month-total">3<', html)
    assert re.search(r'data-testid="month-counted">2<', html)
    assert re.search(r'data-testid="month-resolution">50\.00<', html)
    # the double-no figure links to exactly its ticket
    link = re.search(r'<a class="kpi alert" href="([^"]+)" data-testid="kpi-double-no"><b>1</b>', html)
    assert link, html[html.find("kpi-double-no") - 400 : html.find("kpi-double-no") + 100]
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert double_no.ticket_no in listed
    assert len(set(re.findall(r"/tickets/([^/\"]+)/", listed))) == 1
    # the heat map: 南路社区 × 路灯照明 = 2 (the supervised one has no category)
    assert 'data-testid="heat-map"' in html and "路灯照明" in html
    assert re.search(r'<td class="shade-\d"><a href="[^"]+">2</a></td>', html)


def test_drilldown_is_scoped_to_what_the_user_may_see(client_for, section_leader, handler_unit, other_unit):
    mine = dispatched_ticket(handler_unit)
    theirs = dispatched_ticket(other_unit)
    url = "/dashboard/tickets/?" + "filter=" + json.dumps({"open": True})
    html = client_for(section_leader).get(url).content.decode()
    assert mine.ticket_no in html and theirs.ticket_no not in html


def test_drilldown_with_a_bad_filter_says_so(client_for, principal_leader):
    response = client_for(principal_leader).get("/dashboard/tickets/", {"filter": json.dumps({"nope": 1})})
    assert response.status_code == 400
    assert "nope" in response.content.decode()
    assert client_for(principal_leader).get("/dashboard/tickets/", {"filter": "{not json"}).status_code == 400


@pytest.mark.parametrize("path", ["/dashboard/", "/reports/", "/reports/ranking/", "/dashboard/tickets/"])
def test_reports_are_not_for_handlers(client_for, unit_handler, path):
    assert client_for(unit_handler).get(path).status_code == 404


def test_inspector_reads_the_reports_but_cannot_run_jobs(client_for, inspector):
    client = client_for(inspector)
    assert client.get("/reports/").status_code == 200
    assert "/reports/run/" not in client.get("/reports/monthly/").content.decode()
    assert client.post("/reports/run/monthly/").status_code == 404


def test_ranking_weekly_monthly_pages_and_their_excel(client_for, center_staff, handler_unit):
    _visited(handler_unit, True, True)
    today = clock.today()
    take_daily_ranking(today)
    take_weekly_analysis(today)
    take_monthly_bulletin(today)
    client = client_for(center_staff)
    for path in ("/reports/ranking/", "/reports/weekly/", "/reports/monthly/"):
        html = client.get(path).content.decode()
        assert 'data-testid="excel"' in html, path
        excel = re.search(r'href="([^"]+)" data-testid="excel"', html).group(1).replace("&amp;", "&")
        assert parse_qs(urlparse(excel).query)["format"] == ["xlsx"]
        response = client.get(excel)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        assert len(book.sheetnames) == 4, book.sheetnames  # the ledger and the three tables
    assert "南路社区" in client.get("/reports/ranking/").content.decode()


def test_a_report_period_without_a_snapshot_can_be_computed_now(client_for, center_staff, handler_unit):
    _visited(handler_unit, True, True)
    client = client_for(center_staff)
    html = client.get("/reports/monthly/", {"on": "2020-01-15"}).content.decode()
    assert 'data-testid="no-snapshot"' in html
    response = client.post("/reports/run/monthly/", {"on": clock.today().isoformat()}, follow=True)
    assert 'data-testid="ranking"' in response.content.decode()
    assert client.post("/reports/run/monthly/", {"on": "15/01/2020"}, follow=True).status_code == 200


def test_every_dashboard_figure_lists_exactly_its_tickets(client_for, principal_leader, handler_unit, other_unit):
    now = timezone.now()
    # received today on the street's clock whatever the hour (the factory's three hours ago is yesterday
    # just after midnight in Beijing, when the day's figures are still zero)
    today = max(now - timedelta(hours=3), clock.at_local(clock.today()) + timedelta(seconds=1))
    _visited(handler_unit, True, True, received_at=max(now - timedelta(minutes=30), today))
    _visited(other_unit, False, False, received_at=max(now - timedelta(minutes=30), today))
    dispatched_ticket(handler_unit, supervision="street", received_at=today)
    dispatched_ticket(  # handling overdue
        other_unit,
        received_at=today,
        status=Status.HANDLING,
        acknowledged_at=now - timedelta(days=9),
        first_contact_at=now - timedelta(days=9),
        handle_due_at=now - timedelta(days=1),
    )
    dispatched_ticket(handler_unit, received_at=today, contact_due_at=now + timedelta(hours=5))  # due within 24 h
    take_nightly_snapshot(clock.today())
    client = client_for(principal_leader)
    html = client.get("/dashboard/").content.decode()
    figures = re.findall(r'<a class="kpi[^"]*" href="([^"]+)"[^>]*><b>(\d+)</b>', html)
    assert len(figures) >= 7
    assert sum(int(shown) for _, shown in figures) >= 5  # the figures are not all zero
    for url, shown in figures:
        listed = client.get(url.replace("&amp;", "&")).content.decode()
        assert listed.count('<td><a href="/tickets/') == int(shown), (url, shown)


def test_a_bad_date_for_a_job_goes_back_to_the_reports_never_to_a_posted_address(client_for, center_staff):
    response = client_for(center_staff).post(
        "/reports/run/nightly/", {"on": "2026-02-30", "back": "https://example.org/phish"}
    )
    assert response.status_code == 302 and response["Location"] == "/reports/"

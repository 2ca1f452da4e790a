"""The public work report: no login, the text report's figures, charts from our static files, a
month-by-month table, no personal data, and a clear message for bad dates."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from intake.importers import import_visits
from reporting.report import build_report, report_text
from reporting.tasks import nightly_snapshot
from tests.factories import counted_ticket

URL = "/report/public/"


@pytest.fixture
def quarter(community_a, department_b):
    counted_ticket(
        "2023-01-05 10:00",
        unit=community_a,
        visit="yyy",
        complainant_name="张三丰",
        complainant_phone="13912345678",
        address="驼房营路8号",
        content="王五投诉邻居装修噪音",
        category="噪音扰民",
    )
    counted_ticket("2023-01-06 10:00", unit=department_b, visit="yny", complainant_name="李秀英", category="物业管理")
    counted_ticket("2023-02-06 10:00", unit=department_b, source="district", visit="yyy", category="噪音扰民")


def test_anyone_can_read_the_public_report_with_the_text_reports_figures(quarter):
    response = Client().get(URL, {"from": "2023-01-01", "to": "2023-03-31"})

    assert response.status_code == 200
    html = response.content.decode()
    expected = report_text(build_report(dt.date(2023, 1, 1), dt.date(2023, 3, 31)))
    assert expected in html
    assert "办理市、区诉求共计3件" in html
    assert '<html lang="zh-hans">' in html
    assert "/static/vendor/echarts-5.6.0/echarts.min.js" in html
    assert "cdn" not in html.lower()
    # the month-by-month table: one row per month of the range
    table = html.split('id="month-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 3
    assert "<td>2023-01</td><td>2</td><td>2</td><td>0</td><td>2</td>" in table
    assert "<td>2023-03</td><td>0</td>" in table and "—" in table
    assert "噪音扰民" in html


def test_the_public_report_shows_no_personal_data(quarter):
    html = Client().get(URL, {"from": "2023-01-01", "to": "2023-03-31"}).content.decode()

    for secret in ("张三丰", "李秀英", "13912345678", "驼房营路8号", "王五投诉"):
        assert secret not in html


def test_the_default_range_is_this_year_to_date(db):
    response = Client().get(URL)

    assert response.status_code == 200
    assert response.context["from_text"].endswith("-01-01")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2023-02-30", "to": "2023-03-31"}, "“2023-02-30”不是有效日期"),
        ({"from": "2023-04-01", "to": "2023-03-31"}, "晚于结束日期"),
        ({"from": "yesterday", "to": "2023-03-31"}, "YYYY-MM-DD"),
    ],
)
def test_bad_dates_get_a_clear_message(db, params, message):
    response = Client().get(URL, params)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html


def test_an_empty_range_says_so(db):
    html = Client().get(URL, {"from": "2020-01-01", "to": "2020-01-31"}).content.decode()

    assert "没有受理市、区诉求" in html
    assert "echarts.min.js" not in html  # nothing to chart


def _ticket_reads(captured) -> list[str]:
    """The statements reading the tickets or their monthly tallies (reporting.tally)."""
    return [q["sql"] for q in captured.captured_queries if "intake_ticket" in q["sql"] or "_monthly" in q["sql"]]


def test_a_second_request_for_the_same_range_reads_no_ticket(quarter):
    client = Client()
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL, {"from": "2023-01-01", "to": "2023-03-31"}).status_code == 200
    assert _ticket_reads(first)
    with CaptureQueriesContext(connection) as second:
        response = client.get(URL, {"from": "2023-01-01", "to": "2023-03-31", "junk": "x"})
    assert response.status_code == 200
    assert "办理市、区诉求共计3件" in response.content.decode()
    assert _ticket_reads(second) == []
    # another range is computed (and right)
    with CaptureQueriesContext(connection) as other:
        response = Client().get(URL, {"from": "2023-02-01", "to": "2023-02-28"})
    assert _ticket_reads(other)
    assert "办理市、区诉求共计1件" in response.content.decode()


def test_the_nightly_job_and_a_visit_import_start_a_new_generation(quarter, community_a):
    Client().get(URL, {"from": "2023-01-01", "to": "2023-03-31"})
    counted_ticket("2023-03-06 10:00", unit=community_a, visit="yyy", category="噪音扰民")
    # still the cached figures (until the timeout or a job)
    assert "共计3件" in Client().get(URL, {"from": "2023-01-01", "to": "2023-03-31"}).content.decode()
    nightly_snapshot.run(on="2023-03-31")
    assert "共计4件" in Client().get(URL, {"from": "2023-01-01", "to": "2023-03-31"}).content.decode()
    fifth = counted_ticket("2023-03-07 10:00", unit=community_a, category="噪音扰民")
    rows = f"工单编号,回访时间,纳入考评,响应,解决,满意\n{fifth.ticket_no},2023-03-08 10:00,是,是,是,是\n"
    import_visits(io.BytesIO(rows.encode()))
    assert "共计5件" in Client().get(URL, {"from": "2023-01-01", "to": "2023-03-31"}).content.decode()


def test_one_address_asking_too_often_gets_429_with_a_message(settings, quarter):
    settings.PUBLIC_RATE_LIMIT = "3/m"
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get(URL, {"from": "2023-01-01", "to": "2023-03-31"}).status_code == 200
    response = client.get(URL, {"from": "2023-01-01", "to": "2023-03-31"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "请求过于频繁" in response.content.decode()
    # another address is served meanwhile
    assert Client(REMOTE_ADDR="203.0.113.8").get(URL).status_code == 200

"""The public work report: no login, the text report's figures, charts from our static files, a
month-by-month table, no personal data, and a clear message for bad dates."""

import datetime as dt

import pytest
from django.test import Client

from reporting.report import build_report, report_text
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

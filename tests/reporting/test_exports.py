"""一账三表: the ledger and the daily/weekly/monthly tables, without personal data."""

from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.factories import counted_ticket


@pytest.fixture
def tickets(community_a, department_b):
    counted_ticket(
        "2023-01-02 08:00",  # a Monday
        unit=community_a,
        visit="yyy",
        complainant_name="张三",
        complainant_phone="13812345678",
        address="酒仙桥路10号院3号楼",
        content="张三反映13812345678楼道灯坏了",
        category="照明设施",
    )
    counted_ticket("2023-01-08 23:59", unit=department_b, visit="ynn", source="district", complainant_name="李四")
    counted_ticket("2023-01-09 00:00", unit=department_b, visit="yny")
    counted_ticket("2023-02-01 00:00", unit=community_a)


def test_the_workbook_has_the_ledger_and_three_tables(tickets, tmp_path):
    target = tmp_path / "report.xlsx"
    err = StringIO()

    call_command(
        "report", "--from", "2023-01-01", "--to", "2023-02-28", "--format", "xlsx", "--output", str(target), stderr=err
    )

    book = load_workbook(target)
    assert book.sheetnames == ["台账", "日报表", "周报表", "月报表"]
    assert "台账4件" in err.getvalue()

    ledger = list(book["台账"].values)
    assert ledger[0][:3] == ("工单编号", "来源", "受理时间")
    assert len(ledger) == 1 + 4
    first = dict(zip(ledger[0], ledger[1], strict=True))
    assert first["来源"] == "市级直派" and first["问题分类"] == "照明设施" and first["主办单位"] == "南路社区"
    assert first["受理时间"].strftime("%Y-%m-%d %H:%M") == "2023-01-02 08:00"  # Shanghai wall-clock time
    assert (first["纳入考评"], first["解决"], first["满意"]) == ("是", "是", "是")

    daily = list(book["日报表"].values)
    assert [(row[0].strftime("%m-%d"), row[1]) for row in daily[1:]] == [
        ("01-02", 1),
        ("01-08", 1),
        ("01-09", 1),
        ("02-01", 1),
    ]

    weekly = list(book["周报表"].values)
    # Monday 2 Jan to Sunday 8 Jan holds two tickets; the 9th starts the next week
    assert [(row[0], row[1]) for row in weekly[1:]] == [
        ("2023-01-02 – 2023-01-08", 2),
        ("2023-01-09 – 2023-01-15", 1),
        ("2023-01-30 – 2023-02-05", 1),
    ]

    monthly = list(book["月报表"].values)
    header = monthly[0]
    january = dict(zip(header, monthly[1], strict=True))
    assert january["月份"] == "2023-01" and january["合计"] == 3 and january["纳入考评"] == 3
    assert january["纳入考评(市级直派)"] == 2
    assert january["解决率(%)"] == 33.33 and january["满意率(%)"] == 66.67 and january["双否"] == 1
    assert january["综合评分"] == 50.0  # 10 + 0.6 × 33.33 + 0.3 × 66.67 = 50.0


def test_the_ledger_carries_no_personal_data(tickets, tmp_path):
    target = tmp_path / "report.xlsx"
    call_command("report", "--from", "2023-01-01", "--to", "2023-02-28", "--format", "xlsx", "--output", str(target))

    book = load_workbook(target)
    cells = " ".join(str(value) for sheet in book for row in sheet.values for value in row if value is not None)
    for secret in ("张三", "李四", "13812345678", "酒仙桥路10号院", "楼道灯坏了"):
        assert secret not in cells

"""一账三表: the full ledger (request and reply text, masked) and the daily/weekly/monthly tables per
unit with the street's total, read back from the workbook."""

from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from dispatch.models import ExclusionReason, ExclusionRequest, ExclusionStatus, ReplyDraft, SignOffStatus
from org.models import User
from tests.factories import counted_ticket, local_time


@pytest.fixture
def tickets(community_a, department_b):
    first = counted_ticket(
        "2023-01-02 08:00",  # a Monday
        unit=community_a,
        visit="yyy",
        complainant_name="张三",
        complainant_phone="13812345678",
        address="酒仙桥路10号院3号楼",
        content="张三反映13812345678楼道灯坏了",
        category="照明设施",
    )
    second = counted_ticket(
        "2023-01-08 23:59", unit=department_b, visit="ynn", source="district", complainant_name="李四", excluded=True
    )
    counted_ticket("2023-01-09 00:00", unit=department_b, visit="yny")
    counted_ticket("2023-02-01 00:00", unit=community_a)
    counted_ticket("2023-02-02 10:00")  # not dispatched yet
    author = User.objects.create_user("writer", role="unit_handler")
    draft = dict(author=author, created_at=local_time("2023-01-03 09:00"), chain=["section_leader"], step=1)
    ReplyDraft.objects.create(ticket=first, version=1, text="已联系张三", status=SignOffStatus.RETURNED, **draft)
    ReplyDraft.objects.create(
        ticket=first, version=2, text="已更换灯泡，电话13812345678回访满意", status=SignOffStatus.SIGNED_OFF, **draft
    )
    ExclusionRequest.objects.create(
        ticket=second,
        version=1,
        reason_category=ExclusionReason.OUT_OF_SCOPE,
        reason="产权单位负责",
        status=ExclusionStatus.APPROVED,
        **draft,
    )
    return first


def _write(tmp_path, *args) -> tuple:
    target = tmp_path / "report.xlsx"
    err = StringIO()
    call_command(
        "report", "--from", "2023-01-01", "--to", "2023-02-28", "--format", "xlsx", "--output", str(target), *args,
        stderr=err,
    )  # fmt: skip
    return load_workbook(target), err.getvalue()


def _rows(sheet) -> list[dict]:
    header, *rows = list(sheet.values)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_ledger_has_the_request_the_reply_the_visit_and_the_exclusion(tickets, tmp_path):
    book, err = _write(tmp_path)

    assert book.sheetnames == ["台账", "日报表", "周报表", "月报表"]
    assert "台账5件" in err
    ledger = _rows(book["台账"])
    assert list(ledger[0])[:3] == ["工单编号", "来源", "受理时间"]
    assert len(ledger) == 5
    first = ledger[0]
    assert first["来源"] == "市级直派" and first["问题分类"] == "照明设施" and first["主办单位"] == "南路社区"
    assert first["受理时间"].strftime("%Y-%m-%d %H:%M") == "2023-01-02 08:00"  # Shanghai wall-clock time
    assert (first["纳入考评"], first["解决"], first["满意"], first["剔除"]) == ("是", "是", "是", "否")
    # the request and the reply that went out (the signed-off version), with the person masked
    assert first["诉求内容"] == "张*反映138****5678楼道灯坏了"
    assert first["答复内容"] == "已更换灯泡，电话138****5678回访满意"
    assert first["回访时间"].strftime("%Y-%m-%d") == "2023-01-05"
    second = ledger[1]
    assert second["剔除"] == "是" and second["剔除申请"] == "上级批准（非街道职责）"
    assert not second["答复内容"]  # no signed-off reply


def test_the_workbook_carries_no_personal_data(tickets, tmp_path):
    book, _ = _write(tmp_path)

    cells = " ".join(str(value) for sheet in book for row in sheet.values for value in row if value is not None)
    for secret in ("张三", "李四", "13812345678", "酒仙桥路10号院"):
        assert secret not in cells
    assert "楼道灯坏了" in cells  # the request itself is there


def test_without_text_the_ledger_has_no_request_or_reply(tickets, tmp_path):
    from reporting.exports import write_workbook
    from reporting.report import parse_range

    target = tmp_path / "plain.xlsx"
    write_workbook(*parse_range("2023-01-01", "2023-02-28"), target, with_text=False)

    header = next(load_workbook(target)["台账"].values)
    assert "诉求内容" not in header and "答复内容" not in header and "主办单位" in header


def test_the_three_tables_list_every_unit_then_the_street(tickets, tmp_path):
    book, _ = _write(tmp_path)

    daily = [(r["日期"].strftime("%m-%d"), r["单位"], r["合计"]) for r in _rows(book["日报表"])]
    assert daily == [
        ("01-02", "南路社区", 1),
        ("01-02", "街道合计", 1),
        ("01-08", "城市管理办公室", 1),
        ("01-08", "街道合计", 1),
        ("01-09", "城市管理办公室", 1),
        ("01-09", "街道合计", 1),
        ("02-01", "南路社区", 1),
        ("02-01", "街道合计", 1),
        ("02-02", "未派单", 1),
        ("02-02", "街道合计", 1),
    ]

    weekly = [(r["周(周一至周日)"], r["单位"], r["合计"]) for r in _rows(book["周报表"])]
    # Monday 2 Jan to Sunday 8 Jan holds two tickets of two units; the 9th starts the next week
    assert weekly[:3] == [
        ("2023-01-02 – 2023-01-08", "南路社区", 1),
        ("2023-01-02 – 2023-01-08", "城市管理办公室", 1),
        ("2023-01-02 – 2023-01-08", "街道合计", 2),
    ]
    assert weekly[-1] == ("2023-01-30 – 2023-02-05", "街道合计", 2)

    monthly = _rows(book["月报表"])
    january = {r["单位"]: r for r in monthly if r["月份"] == "2023-01"}
    assert list(january) == ["南路社区", "城市管理办公室", "街道合计"]
    street, department = january["街道合计"], january["城市管理办公室"]
    # the excluded double-no is not counted: two counted tickets in January
    assert street["合计"] == 3 and street["纳入考评"] == 2 and street["纳入考评(市级直派)"] == 2
    assert street["解决率(%)"] == 50.0 and street["满意率(%)"] == 100.0 and street["双否"] == 0
    assert street["综合评分"] == 70.0  # 10 + 0.6 × 50 + 0.3 × 100
    assert department["合计"] == 2 and department["纳入考评"] == 1 and department["综合评分"] == 40.0
    february = [r["单位"] for r in monthly if r["月份"] == "2023-02"]
    assert february == ["南路社区", "未派单", "街道合计"]


def test_the_monthly_street_row_is_the_reports_row(tickets, tmp_path):
    """The public page, the JSON and the workbook read the same monthly rows (build_report)."""
    from reporting.report import build_report, parse_range

    book, _ = _write(tmp_path)
    report = build_report(*parse_range("2023-01-01", "2023-02-28"))
    street = [r for r in _rows(book["月报表"]) if r["单位"] == "街道合计"]
    assert [(r["月份"], r["合计"], r["综合评分"]) for r in street] == [
        (m["month"], m["total"], float(m["composite"]) if m["composite"] is not None else None)
        for m in report["months"]
    ]


def test_one_units_workbook_has_its_rows_only(tickets, tmp_path):
    book, _ = _write(tmp_path, "--unit", "城市管理办公室")

    assert len(_rows(book["台账"])) == 2
    assert {r["单位"] for r in _rows(book["日报表"])} == {"城市管理办公室"}
    assert {r["单位"] for r in _rows(book["月报表"])} == {"城市管理办公室"}

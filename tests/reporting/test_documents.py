"""The documents people hand out: the monthly bulletin and the weekly analysis as Word documents
(opened with python-docx and read back) and as A4 print views, from the stored snapshots."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from docx import Document

from reporting.bulletins import take_monthly_bulletin, take_weekly_analysis
from reporting.models import ScoreAdjustment
from tests.factories import counted_ticket, local_time


@pytest.fixture
def january(community_a, department_b):
    for day in range(2, 8):  # six counted tickets: the community is ranked
        counted_ticket(f"2023-01-0{day} 09:00", unit=community_a, visit="yyy", category="照明设施")
    counted_ticket("2023-01-10 09:00", unit=community_a, visit="ynn", ticket_no="DN-0001", category="噪音扰民")
    counted_ticket(
        "2023-01-11 09:00",
        unit=department_b,
        visit="yyy",
        ticket_no="LATE-0001",
        handle_due_at=local_time("2023-01-12 09:00"),
        reviewed_at=local_time("2023-01-13 09:00"),
        complainant_name="王五",
        complainant_phone="13900001111",
        content="王五家门口堆放垃圾",
    )
    counted_ticket(  # handled in time: not in the overdue list
        "2023-01-11 10:00",
        unit=department_b,
        visit="yyy",
        ticket_no="ONTIME-0001",
        handle_due_at=local_time("2023-01-12 09:00"),
        reviewed_at=local_time("2023-01-12 08:00"),
    )
    ScoreAdjustment.objects.create(
        unit=community_a, month=dt.date(2023, 1, 1), kind="bonus", points=Decimal("1.50"), reason="市级表扬信"
    )
    return take_monthly_bulletin(dt.date(2023, 1, 1))


def _docx_text(content: bytes) -> str:
    word = Document(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_monthly_bulletin_as_a_word_document(january, inspector):
    answer = _client(inspector).get("/reports/monthly/", {"on": "2023-01-01", "format": "docx"})

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert answer["Content-Disposition"] == 'attachment; filename="monthly-20230101-20230131.docx"'
    text = _docx_text(answer.content)
    assert "酒仙桥街道接诉即办工作月度通报（2023年01月）" in text
    for heading in (
        "一、总体情况",
        "二、各单位排名",
        "三、双否件",
        "四、超期件",
        "五、热点问题",
        "六、加减分情况",
        "七、表彰与约谈",
    ):
        assert heading in text, heading
    assert "本月共受理诉求9件" in text
    # the ranking: the community first, with its rates and its bonus; the department listed apart
    assert "1 | 南路社区 | 7 | 7 | 100.00 | 85.71 | 85.71 | +1.50 |" in text
    assert "不参与排名 | 城市管理办公室 | 2 | 2 |" in text
    # the lists by ticket: the double-no, the late one (not the one handled in time), the bonus
    assert "DN-0001 | 南路社区 | 噪音扰民" in text
    assert "LATE-0001 | 城市管理办公室" in text and "ONTIME-0001" not in text
    assert "南路社区 | 加分 | 1.50 | 市级表扬信" in text
    assert "最佳单位：南路社区" in text
    # handed out across the office: no complainant, phone or request text
    for secret in ("王五", "13900001111", "堆放垃圾"):
        assert secret not in text


def test_the_monthly_bulletin_print_view_is_the_same_document(january, center_staff):
    answer = _client(center_staff).get("/reports/monthly/", {"on": "2023-01-01", "format": "print"})

    html = answer.content.decode()
    assert answer.status_code == 200
    assert "酒仙桥街道接诉即办工作月度通报（2023年01月）" in html and "DN-0001" in html and "市级表扬信" in html
    assert 'class="site-header"' not in html and "language-select" not in html
    assert "@page" in html and ".screen-only { display: none" in html
    # the report page links both
    page = _client(center_staff).get("/reports/monthly/", {"on": "2023-01-01"}).content.decode()
    assert 'data-testid="docx"' in page and 'data-testid="print"' in page


def test_the_weekly_analysis_as_a_word_document_and_print_view(community_a, center_staff):
    counted_ticket("2023-01-02 09:00", unit=community_a, visit="yyy", category="照明设施")  # Monday
    counted_ticket("2023-01-03 09:00", unit=community_a, visit="ynn", category="照明设施")
    counted_ticket("2022-12-27 09:00", unit=community_a, visit="yyy", category="噪音扰民")  # the week before
    take_weekly_analysis(dt.date(2023, 1, 2))
    client = _client(center_staff)

    answer = client.get("/reports/weekly/", {"on": "2023-01-02", "format": "docx"})

    assert answer.status_code == 200
    text = _docx_text(answer.content)
    assert "酒仙桥街道接诉即办周调度分析" in text and "2023-01-02 至 2023-01-08" in text
    assert "本周共受理诉求2件（上周1件，变化+100.00%）" in text
    assert "工单 | 2 | 1" in text and "双否 | 1 | 0" in text
    assert "照明设施 | 2 | 0" in text
    assert "2023-01-02 | 1 | 1" in text
    html = client.get("/reports/weekly/", {"on": "2023-01-02", "format": "print"}).content.decode()
    assert "本周共受理诉求2件" in html and 'class="site-header"' not in html


def test_the_documents_are_for_report_readers_and_need_a_snapshot(january, unit_handler, center_staff):
    assert _client(unit_handler).get("/reports/monthly/", {"on": "2023-01-01", "format": "docx"}).status_code == 404
    missing = _client(center_staff).get("/reports/monthly/", {"on": "2022-06-01", "format": "docx"})
    assert missing.status_code == 404
    assert _client(center_staff).get("/reports/weekly/", {"on": "2022-06-06", "format": "print"}).status_code == 404

"""``manage.py make_samples``: one sample of each document from a played demo street, each opened
and read back (pypdf, python-docx, openpyxl); refused, writing nothing, without a demo street."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from demo.samples import sample_ticket
from demo.seed import seed_demo

END = datetime(2026, 6, 30, 7, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_each_sample_opens_and_reads_back(tmp_path):
    # played inside the test's transaction (rolled back): nothing is left for the tests after it
    seed_demo(tickets=150, days=40, seed=5, end_at=END)
    out = io.StringIO()
    call_command("make_samples", output=str(tmp_path), stdout=out)

    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "ledger-and-three-tables.xlsx",
        "monthly-bulletin.docx",
        "ticket-file.pdf",
        "weekly-analysis.docx",
    ]
    assert out.getvalue().count("bytes)") == 4
    ticket = sample_ticket()
    pdf = "".join(page.extract_text() for page in PdfReader(tmp_path / "ticket-file.pdf").pages)
    assert "诉求办理卷宗" in pdf and ticket.ticket_no in pdf and ticket.content[:10] in pdf.replace("\n", "")
    assert ticket.complainant_phone not in pdf  # made as the inspector: masked
    monthly = "\n".join(p.text for p in Document(tmp_path / "monthly-bulletin.docx").paragraphs)
    assert "接诉即办工作月度通报（2026年05月）" in monthly and "二、各单位排名" in monthly
    weekly = "\n".join(p.text for p in Document(tmp_path / "weekly-analysis.docx").paragraphs)
    assert "周调度分析" in weekly
    book = load_workbook(tmp_path / "ledger-and-three-tables.xlsx")
    assert book.sheetnames == ["台账", "日报表", "周报表", "月报表"]
    assert "诉求内容" in next(book["台账"].values)


def test_the_committed_samples_are_there():
    samples = Path(__file__).resolve().parents[2] / "docs" / "samples"
    for name in ("ticket-file.pdf", "monthly-bulletin.docx", "weekly-analysis.docx", "ledger-and-three-tables.xlsx"):
        assert (samples / name).stat().st_size < 600_000, name


def test_without_a_demo_street_nothing_is_written(tmp_path):
    from reporting.models import Snapshot

    Snapshot.objects.all().delete()  # rolled back with the test
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("make_samples", output=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()

"""Strict CSV: a damaged file (a quote left open, a short or long row, a NUL byte) is refused whole,
naming the physical line and the spreadsheet row, by the command, the upload API and the upload page.

The files are tests/data/bad_csv/ (made by tests/data/make_bad_csv.py): tickets B1–B4, B1's text a
legitimate two-line cell, so from row 3 on the line number is the row number + 1.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from dispatch.upstream import import_tickets_and_record
from intake.models import ImportBatch, ReturnVisit, Ticket

from .helpers import intake_state

pytestmark = pytest.mark.django_db

BAD = Path(__file__).resolve().parents[1] / "data" / "bad_csv"
ENCODINGS = ["utf8", "gb18030"]

# file stem -> what the refusal must say (the row and the line it starts on)
WHOLE_FILE_REFUSALS = {
    "unclosed_quote_middle": "Row 3 (lines 4–5): the cell 诉求内容 spans several lines and holds 10 commas",
    "unclosed_quote_last_row": "Row 5 (line 6) opens a quote that is never closed",
    "nul_byte": "Line 5 (row 4) contains a NUL character",
}
# file stem -> the row error (row, line, reason)
ROW_REFUSALS = {
    "short_row": (4, 5, "the row has 10 cells but the header has 11"),
    "long_row": (4, 5, "the row has 12 cells but the header has 11"),
}


@pytest.fixture
def known_ticket():
    """B1 is already here with other text: a refused file must neither create nor update anything."""
    import_tickets_and_record(BAD / "tickets_utf8_ok.csv")
    Ticket.objects.exclude(ticket_no="B1").delete()
    Ticket.objects.filter(ticket_no="B1").update(content="旧的诉求内容")
    return intake_state()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_well_formed_file_with_a_two_line_cell_imports(encoding):
    result = import_tickets_and_record(BAD / f"tickets_{encoding}_ok.csv")

    assert (result.rows, result.created) == (4, 4)
    assert Ticket.objects.get(ticket_no="B1").content == "楼道灯坏了。\r\n已报修两次,仍未修好。"
    assert sorted(Ticket.objects.values_list("ticket_no", flat=True)) == ["B1", "B2", "B3", "B4"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("stem", sorted(WHOLE_FILE_REFUSALS))
def test_the_command_refuses_a_damaged_file_whole_and_names_the_line(known_ticket, stem, encoding):
    with pytest.raises(CommandError) as caught:
        call_command("import_tickets", str(BAD / f"tickets_{encoding}_{stem}.csv"), stderr=StringIO())

    assert WHOLE_FILE_REFUSALS[stem] in str(caught.value)
    assert intake_state() == known_ticket


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("stem", sorted(ROW_REFUSALS))
def test_the_command_lists_short_and_long_rows_with_row_and_line(known_ticket, stem, encoding):
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_tickets", str(BAD / f"tickets_{encoding}_{stem}.csv"), stderr=err)

    row, line, reason = ROW_REFUSALS[stem]
    assert "not imported" in str(caught.value)
    assert f"row {row} (line {line}), column -" in err.getvalue() and reason in err.getvalue()
    assert intake_state() == known_ticket


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("stem", sorted(WHOLE_FILE_REFUSALS) + sorted(ROW_REFUSALS))
def test_the_upload_api_refuses_a_damaged_file_whole(api_client_for, center_staff, known_ticket, stem, encoding):
    path = BAD / f"tickets_{encoding}_{stem}.csv"
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")

    response = api_client_for(center_staff).post(
        "/api/v1/imports/tickets/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    if stem in WHOLE_FILE_REFUSALS:
        assert WHOLE_FILE_REFUSALS[stem] in response.json()["detail"]
    else:
        row, line, reason = ROW_REFUSALS[stem]
        [error] = response.json()["errors"]
        assert (error["row"], error["line"], error["column"]) == (row, line, "-")
        assert error["reason"] == reason
    assert intake_state() == known_ticket


def test_the_upload_api_refuses_a_non_importer_before_reading(api_client_for, unit_handler, known_ticket):
    path = BAD / "tickets_utf8_unclosed_quote_middle.csv"
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")

    response = api_client_for(unit_handler).post("/api/v1/imports/tickets/", {"file": upload})

    assert response.status_code == 403
    assert intake_state() == known_ticket


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_visit_upload_page_refuses_an_unclosed_quote(center_staff, encoding):
    import_tickets_and_record(BAD / "tickets_utf8_ok.csv")
    client = Client()
    client.force_login(center_staff)
    path = BAD / f"visits_{encoding}_unclosed_quote.csv"

    with path.open("rb") as handle:
        response = client.post("/visits/import/", {"file": handle}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Row 3 (line 3) opens a quote that is never closed" in response.content.decode()
    assert ReturnVisit.objects.count() == 0
    assert ImportBatch.objects.filter(kind=ImportBatch.Kind.VISITS).count() == 0


def test_the_visit_upload_page_is_not_for_a_handler(unit_handler):
    client = Client()
    client.force_login(unit_handler)
    with (BAD / "visits_utf8_unclosed_quote.csv").open("rb") as handle:
        assert client.post("/visits/import/", {"file": handle}).status_code == 404


def test_a_two_line_cell_with_a_rows_worth_of_commas_is_refused_as_a_swallowed_row(tmp_path):
    """The limit of the rule, pinned: such a cell cannot be told from a quote that swallowed a row."""
    header = (BAD / "tickets_utf8_ok.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    content = '"第一行,a,b,c,d,e\r\n第二行,f,g,h,i,j"'
    row = f"C1,市级直派,2024-05-06 08:30,投诉,物业管理,{content},王女士,13800001234,某地,南路社区,一般"
    path = tmp_path / "commas.csv"
    path.write_bytes(f"{header}\r\n{row}\r\n".encode())

    with pytest.raises(CommandError, match=r"Row 2 \(lines 2–3\)"):
        call_command("import_tickets", str(path), stderr=StringIO())
    assert Ticket.objects.count() == 0


def test_a_utf16_file_is_still_an_encoding_error_not_a_nul_byte(tmp_path):
    path = tmp_path / "u16le.csv"
    path.write_bytes((BAD / "tickets_utf8_ok.csv").read_text(encoding="utf-8-sig").encode("utf-16-le"))

    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        call_command("import_tickets", str(path), stderr=StringIO())

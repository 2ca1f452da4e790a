"""Importing ticket exports (docs/domain.md §8): formats accepted, idempotence, and all-or-nothing refusals."""

from datetime import UTC, datetime

import pytest

from dispatch.upstream import import_tickets_and_record
from intake.importers import MAX_LISTED_ERRORS
from intake.models import Category, ImportBatch, Kind, Source, Ticket, Urgency
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Unit

from .helpers import EN_TICKET_HEADER, ZH_TICKET_HEADER, intake_state, write_csv, zh_ticket

pytestmark = pytest.mark.django_db


def refused(path) -> DomainError:
    with pytest.raises(DomainError) as caught:
        import_tickets_and_record(path, file_name=path.name)
    assert caught.value.code == ErrorCode.INVALID
    return caught.value


def test_the_gb18030_sample_export_is_imported_whole(sample_exports, center_staff):
    result = import_tickets_and_record(
        sample_exports / "tickets_gb18030.csv", actor=center_staff, file_name="sample.csv"
    )

    assert (result.rows, result.created, result.updated, result.unchanged) == (300, 300, 0, 0)
    assert result.encoding == "gb18030"
    assert Ticket.objects.count() == 300
    first = Ticket.objects.get(ticket_no="S23022800001")
    assert first.source == Source.CITY and first.kind == Kind.HELP and first.urgency == Urgency.NORMAL
    assert first.category.name == "垃圾分类"
    assert first.community.name == "高家园社区"
    assert first.content.startswith("市民来电:高家园社区垃圾桶站点设置不合理")
    assert first.complainant_name == "杨先生" and first.complainant_phone == "17846156529"
    # 2023-02-28 08:04 in Beijing is 00:04 UTC the same day
    assert first.received_at == datetime(2023, 2, 28, 0, 4, tzinfo=UTC)
    assert first.status == "received" and first.import_batch == result.batch
    assert result.batch.imported_by == center_staff and result.batch.created == 300
    assert Category.objects.count() == 21
    assert Ticket.objects.filter(urgency=Urgency.URGENT).exists()


def test_importing_the_same_file_twice_changes_nothing(sample_exports):
    import_tickets_and_record(sample_exports / "tickets_gb18030.csv")
    before = list(Ticket.objects.order_by("id").values_list("id", "updated_at"))

    again = import_tickets_and_record(sample_exports / "tickets_gb18030.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 300)
    assert list(Ticket.objects.order_by("id").values_list("id", "updated_at")) == before


def test_a_changed_row_updates_its_ticket_and_only_that_one(tmp_path):
    import_tickets_and_record(write_csv(tmp_path / "a.csv", [ZH_TICKET_HEADER, zh_ticket("T1"), zh_ticket("T2")]))
    untouched = Ticket.objects.get(ticket_no="T2").updated_at

    result = import_tickets_and_record(
        write_csv(
            tmp_path / "b.csv",
            [ZH_TICKET_HEADER, zh_ticket("T1", urgency="紧急", category="噪音扰民"), zh_ticket("T2")],
        )
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    t1 = Ticket.objects.get(ticket_no="T1")
    assert t1.urgency == Urgency.URGENT and t1.category.name == "噪音扰民"
    assert Ticket.objects.get(ticket_no="T2").updated_at == untouched


def test_english_headers_and_codes_utf8_with_bom(tmp_path):
    path = write_csv(
        tmp_path / "en.csv",
        [EN_TICKET_HEADER, "E1,district,2024-05-06 08:30:15,suggestion,Parking,text,Mr Li,139,addr,东路社区,urgent"],
        encoding="utf-8-sig",
    )

    result = import_tickets_and_record(path)

    assert result.encoding == "utf-8" and result.created == 1
    ticket = Ticket.objects.get(ticket_no="E1")
    assert (ticket.source, ticket.kind, ticket.urgency) == (Source.DISTRICT, Kind.SUGGESTION, Urgency.URGENT)
    assert ticket.community == Unit.objects.get(name="东路社区")
    assert ticket.received_at == datetime(2024, 5, 6, 0, 30, 15, tzinfo=UTC)


def test_chinese_headers_and_labels_in_plain_utf8(tmp_path):
    path = write_csv(tmp_path / "zh.csv", [ZH_TICKET_HEADER, zh_ticket("Z1", kind="咨询", source="区级转派")])

    result = import_tickets_and_record(path)

    assert result.encoding == "utf-8"
    ticket = Ticket.objects.get(ticket_no="Z1")
    assert (ticket.source, ticket.kind, ticket.urgency) == (Source.DISTRICT, Kind.CONSULT, Urgency.NORMAL)


def test_iso_8601_with_offset_and_naive_times_in_asia_shanghai(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        [
            ZH_TICKET_HEADER,
            zh_ticket("ISO", when="2024-05-06T08:30:00+00:00"),
            zh_ticket("NAIVE", when="2024-05-06 08:30"),
            zh_ticket("EXCEL", when="2024/5/6 8:30"),
        ],
    )

    import_tickets_and_record(path)

    assert Ticket.objects.get(ticket_no="ISO").received_at == datetime(2024, 5, 6, 8, 30, tzinfo=UTC)
    assert Ticket.objects.get(ticket_no="NAIVE").received_at == datetime(2024, 5, 6, 0, 30, tzinfo=UTC)
    assert Ticket.objects.get(ticket_no="EXCEL").received_at == datetime(2024, 5, 6, 0, 30, tzinfo=UTC)


def test_html_and_script_in_the_content_are_stored_as_text_unchanged(tmp_path):
    content = "\"<script>alert('x')</script><b>楼道</b> & <img src=x onerror=alert(1)>\""
    import_tickets_and_record(write_csv(tmp_path / "h.csv", [ZH_TICKET_HEADER, zh_ticket("H1", content=content)]))

    assert (
        Ticket.objects.get(ticket_no="H1").content
        == "<script>alert('x')</script><b>楼道</b> & <img src=x onerror=alert(1)>"
    )


def test_unknown_categories_are_created_once(tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [ZH_TICKET_HEADER, zh_ticket("C1", category="新分类"), zh_ticket("C2", category="新分类")]
    )
    import_tickets_and_record(path)
    assert Category.objects.filter(name="新分类").count() == 1
    assert Ticket.objects.filter(category__name="新分类").count() == 2


def test_extra_columns_are_ignored_and_reported(tmp_path):
    path = write_csv(tmp_path / "x.csv", [ZH_TICKET_HEADER + ",工单状态", zh_ticket("X1") + ",已办结"])
    result = import_tickets_and_record(path)
    assert result.created == 1 and result.ignored_columns == ["工单状态"]


# ------------------------------------------------------------------------------------ refusals


def test_a_utf16_file_is_refused_as_an_encoding_error(tmp_path):
    path = write_csv(tmp_path / "u16.csv", [ZH_TICKET_HEADER, zh_ticket("U1")], encoding="utf-16")
    before = intake_state()

    error = refused(path)

    assert "encoding" in error.detail and "GB18030" in error.detail
    assert intake_state() == before


def test_latin1_garbage_is_refused_as_an_encoding_error(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("ticket_no,source\nCafé,crème brûlée à la façon\n".encode("latin-1"))

    error = refused(path)

    assert "encoding" in error.detail
    assert Ticket.objects.count() == 0


def test_a_missing_required_column_is_named(tmp_path):
    header = ZH_TICKET_HEADER.replace("受理时间,", "")
    line = zh_ticket("M1").replace("2024-05-06 08:30,", "")
    error = refused(write_csv(tmp_path / "m.csv", [header, line]))

    assert "received_at (受理时间)" in error.detail
    assert Ticket.objects.count() == 0


def test_an_unknown_community_rejects_the_whole_file(tmp_path):
    import_tickets_and_record(write_csv(tmp_path / "ok.csv", [ZH_TICKET_HEADER, zh_ticket("K0")]))
    before = intake_state()
    path = write_csv(
        tmp_path / "bad.csv",
        [ZH_TICKET_HEADER, zh_ticket("K1"), zh_ticket("K2", community="火星社区"), zh_ticket("K0", urgency="紧急")],
    )

    error = refused(path)

    assert error.errors == [
        {"row": 3, "column": "community", "value": "火星社区", "reason": "is not a community of the street"}
    ]
    assert intake_state() == before  # neither K1 created nor K0 updated


def test_an_unparseable_date_is_named_with_row_column_and_value(tmp_path):
    path = write_csv(
        tmp_path / "d.csv",
        [
            ZH_TICKET_HEADER,
            zh_ticket("D1"),
            zh_ticket("D2", when="2024-02-30 10:00"),
            zh_ticket("D3", when="yesterday"),
        ],
    )

    error = refused(path)

    assert [(e["row"], e["column"], e["value"]) for e in error.errors] == [
        (3, "received_at", "2024-02-30 10:00"),
        (4, "received_at", "yesterday"),
    ]
    assert all("date" in e["reason"] for e in error.errors)
    assert "2 errors in 2 rows" in error.detail
    assert Ticket.objects.count() == 0


def test_a_duplicate_ticket_number_inside_one_file_names_both_rows(tmp_path):
    path = write_csv(tmp_path / "dup.csv", [ZH_TICKET_HEADER, zh_ticket("P1"), zh_ticket("P2"), zh_ticket("P1")])

    error = refused(path)

    assert error.errors == [
        {"row": 4, "column": "ticket_no", "value": "P1", "reason": "the ticket number also appears in row 2"}
    ]
    assert Ticket.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in refused(path).detail


def test_a_header_only_file_is_refused(tmp_path):
    error = refused(write_csv(tmp_path / "h.csv", [ZH_TICKET_HEADER], encoding="utf-8-sig"))
    assert "no rows" in error.detail
    assert ImportBatch.objects.count() == 0


def test_every_bad_row_is_listed_with_each_bad_column(tmp_path):
    lines = [ZH_TICKET_HEADER, zh_ticket("B1", source="省级", kind="闲聊"), zh_ticket("", content=" ")]
    error = refused(write_csv(tmp_path / "b.csv", lines))

    assert [(e["row"], e["column"]) for e in error.errors] == [
        (2, "source"),
        (2, "kind"),
        (3, "ticket_no"),
        (3, "content"),
    ]


def test_the_error_list_is_capped_and_says_how_many_more(tmp_path):
    lines = [ZH_TICKET_HEADER] + [zh_ticket(f"N{i}", community="无此社区") for i in range(MAX_LISTED_ERRORS + 5)]
    error = refused(write_csv(tmp_path / "many.csv", lines))

    assert len(error.errors) == MAX_LISTED_ERRORS
    assert "and 5 more" in error.detail
    assert Ticket.objects.count() == 0


def test_a_ticket_number_longer_than_64_characters_is_refused(tmp_path):
    error = refused(write_csv(tmp_path / "l.csv", [ZH_TICKET_HEADER, zh_ticket("X" * 65)]))
    assert error.errors[0]["column"] == "ticket_no" and "64" in error.errors[0]["reason"]


def test_an_unclosed_quote_is_reported_with_its_row(tmp_path):
    path = tmp_path / "q.csv"
    content = "x" * 200_000  # the open quote swallows the rest of the file into one field
    path.write_text(f"{ZH_TICKET_HEADER}\n{zh_ticket('Q1')}\n{zh_ticket('Q2', content=chr(34) + content)}\n")

    error = refused(path)

    assert "Row 3" in error.detail and "quote" in error.detail
    assert Ticket.objects.count() == 0


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path):
    error = refused(write_csv(tmp_path / "w.csv", [ZH_TICKET_HEADER, zh_ticket("W1") + ",多余"]))
    assert error.errors[0]["row"] == 2 and "12 cells" in error.errors[0]["reason"]


def test_blank_rows_are_skipped_but_still_counted_in_row_numbers(tmp_path):
    lines = [ZH_TICKET_HEADER, zh_ticket("R1"), ",,,,,,,,,,", "", zh_ticket("R2", community="无此社区")]
    error = refused(write_csv(tmp_path / "r.csv", lines))
    assert error.errors[0]["row"] == 5


def test_a_multiline_content_is_one_row(tmp_path):
    lines = [ZH_TICKET_HEADER, zh_ticket("L1", content='"第一行\n第二行"'), zh_ticket("L2", when="bad")]
    error = refused(write_csv(tmp_path / "m.csv", lines))
    assert error.errors[0]["row"] == 3

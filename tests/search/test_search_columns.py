"""The search columns are kept in step with what they derive from: the set-based CSV import (new and
updated rows), an update through the JSON intake, and every save of the content, address or phone."""

import pytest
from django.db import connection

from dispatch.upstream import import_tickets_and_record
from intake.models import Ticket
from intake.search_columns import caller_key, document_words, query_terms
from tests.factories import make_ticket
from tests.intake.helpers import ZH_TICKET_HEADER, write_csv, zh_ticket

pytestmark = pytest.mark.django_db


def test_the_words_are_pieces_of_two_to_four_characters_and_runs_of_letters_or_digits():
    assert document_words("楼道灯坏，Wi-Fi", "3号楼") == "楼道 楼道灯 楼道灯坏 道灯 道灯坏 灯坏 wi fi 3 号楼"
    assert query_terms("楼道灯 3号楼") == [["楼道灯"], ["号楼"]]  # the lone digit says little
    assert query_terms("酒仙桥南路") == [["酒仙桥南", "仙桥南路"]]
    assert query_terms("灯") == [["灯"]]


def test_the_caller_key_depends_on_the_number_and_the_key_only(settings):
    assert caller_key("139-1111-2222") == caller_key("+86 13911112222") != caller_key("13911112223")
    assert "13911112222" not in caller_key("13911112222") and len(caller_key("13911112222")) == 32
    before = caller_key("13911112222")
    settings.CALLER_KEY = "another key"
    assert caller_key("13911112222") != before
    assert caller_key("") == ""


def test_a_csv_import_fills_the_columns_of_new_and_updated_tickets(tmp_path):
    first = write_csv(tmp_path / "a.csv", [ZH_TICKET_HEADER, zh_ticket("N1", content="路灯不亮"), zh_ticket("N2")])
    import_tickets_and_record(first, file_name="a.csv")
    lamp = Ticket.objects.get(ticket_no="N1")
    assert "路灯" in lamp.search_words.split() and lamp.phone_tail == "1234"
    assert lamp.caller_key == caller_key("13800001234")
    second = write_csv(tmp_path / "b.csv", [ZH_TICKET_HEADER, zh_ticket("N1", content="井盖丢失")])
    import_tickets_and_record(second, file_name="b.csv")
    lamp.refresh_from_db()
    assert "井盖" in lamp.search_words.split() and "路灯" not in lamp.search_words.split()


def test_saving_the_content_refreshes_the_words_and_the_vector():
    ticket = make_ticket(content="路灯不亮", complainant_phone="13911112222")
    ticket.content = "井盖丢失"
    ticket.save(update_fields=["content"])
    ticket.refresh_from_db()
    assert ticket.search_words.startswith("井盖 井盖丢 井盖丢失 盖丢")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_vector::text FROM intake_ticket WHERE id = %s", [ticket.pk])
            assert "'井盖'" in cursor.fetchone()[0]


def test_a_new_caller_key_is_applied_by_the_command(settings):
    from django.core.management import call_command

    ticket = make_ticket(complainant_phone="13911112222")
    settings.CALLER_KEY = "a new key"
    call_command("refresh_search_columns", verbosity=0)
    ticket.refresh_from_db()
    assert ticket.caller_key == caller_key("13911112222")

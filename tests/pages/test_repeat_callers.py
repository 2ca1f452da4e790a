"""Repeat callers and repeat matters: a caller's requests linked by the keyed hash of the phone,
shown on the ticket page and the triage panel without the number, scoped by the access policy."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps

from intake.models import Ticket
from tests.factories import make_ticket


@pytest.fixture
def caller(handler_unit, other_unit):
    """One caller's requests, the phone written three ways, and a stranger's."""
    latest = make_ticket(
        lead_unit=handler_unit, content="楼道灯坏了很久没人修，还是没有人管", complainant_phone="139-1111-2222"
    )
    at = latest.received_at
    return {
        "latest": latest,
        "lamp": make_ticket(
            lead_unit=handler_unit,
            content="楼道灯坏了很久没人修",
            complainant_phone="13911112222",
            received_at=at - timedelta(days=20),
        ),
        "other_unit": make_ticket(
            lead_unit=other_unit,
            content="小区垃圾没人清运",
            complainant_phone="+86 139 1111 2222",
            received_at=at - timedelta(days=40),
        ),
        "too_old": make_ticket(
            lead_unit=handler_unit,
            content="楼道灯坏了",
            complainant_phone="13911112222",
            received_at=at - timedelta(days=91),
        ),
        "stranger": make_ticket(
            lead_unit=handler_unit,
            content="楼道灯坏了",
            complainant_phone="13911112223",
            received_at=at - timedelta(days=2),
        ),
    }


def _fragment(client, ticket):
    answer = client.get(f"/tickets/{ticket.ticket_no}/caller/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_center_sees_the_nth_request_with_links_and_the_repeated_matter(client_for, center_staff, caller):
    html = _fragment(client_for(center_staff), caller["latest"])
    assert "该来电人 90 天内第 3 次诉求" in html
    assert f'href="/tickets/{caller["lamp"].ticket_no}/"' in html
    assert f'href="/tickets/{caller["other_unit"].ticket_no}/"' in html
    assert caller["too_old"].ticket_no not in html and caller["stranger"].ticket_no not in html
    assert 'data-testid="repeat-matter"' in html  # the lamp again
    assert html.count("同一事项</span>") == 1  # the lamp, not the rubbish
    # the link shows no number (ticket numbers left out first: T0002222 is a number, not the phone)
    shown = re.sub(r"T\d{7}", "", html)
    assert "1111" not in shown and "2222" not in shown


def test_a_handler_sees_links_to_their_units_tickets_only(client_for, unit_handler, caller):
    html = _fragment(client_for(unit_handler), caller["latest"])
    assert "第 3 次诉求" in html  # the street's count
    assert caller["lamp"].ticket_no in html and caller["other_unit"].ticket_no not in html
    assert "另有 1 条此前诉求由其他单位办理" in html


def test_a_first_request_and_a_ticket_without_phone(client_for, center_staff, caller):
    client = client_for(center_staff)
    html = _fragment(client, caller["lamp"])
    assert "第 3 次诉求" in html and 'data-testid="repeat-matter"' in html  # the 91-day-old lamp is in its window
    assert "此后该来电人又来电 1 次" in html
    html = _fragment(client, caller["stranger"])
    assert "天内的首次诉求" in html and 'data-testid="repeat-matter"' not in html
    assert "无法关联" in _fragment(client, make_ticket(complainant_phone=""))


def test_a_ticket_one_may_not_see_is_not_found(client_for, other_unit_handler, caller):
    assert client_for(other_unit_handler).get(f"/tickets/{caller['lamp'].ticket_no}/caller/").status_code == 404


def test_the_ticket_page_and_the_panel_load_it(client_for, center_staff, caller):
    client = client_for(center_staff)
    url = f"/tickets/{caller['latest'].ticket_no}/caller/"
    assert f'hx-get="{url}"' in client.get(f"/tickets/{caller['latest'].ticket_no}/").content.decode()
    assert f'hx-get="{url}"' in client.get(f"/tickets/{caller['latest'].ticket_no}/panel/").content.decode()


def test_the_backfill_links_tickets_written_before_the_columns(client_for, center_staff, caller):
    Ticket.objects.update(caller_key="", phone_tail="", search_words="")  # as before migration 0005
    migration = importlib.import_module("intake.migrations.0005_search_columns")
    migration.backfill(apps, None)
    assert "第 3 次诉求" in _fragment(client_for(center_staff), caller["latest"])
    assert Ticket.objects.filter(pk__in=[t.pk for t in caller.values()], phone_tail="2222").count() == 4

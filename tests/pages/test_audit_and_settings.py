"""The personal-data access log for the principal leaders and the inspectors (filter, inert Excel
export, no personal data in the log itself), and the street's settings for the center's
administrator: deadline rules, working-day overrides and the scoring policy, each change recorded
(who, when, old → new); a refused change writes nothing, and every other role is refused."""

import datetime as dt
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dispatch.models import CalendarOverride, DeadlinePolicy, PersonalDataAccess
from intake.models import Status
from org.models import SettingChange
from reporting.models import ScoringPolicy
from tests.factories import dispatched_ticket


def _reveal(client, ticket):
    assert client.post(f"/tickets/{ticket.ticket_no}/complainant/").status_code == 200


def test_the_inspector_reads_who_saw_whose_data_filters_it_and_exports_it(
    client_for, inspector, principal_leader, unit_handler, center_staff, handler_unit
):
    first = dispatched_ticket(handler_unit)
    second = dispatched_ticket(handler_unit, complainant_name='=HYPERLINK("http://x")', complainant_phone="")
    _reveal(client_for(unit_handler), first)
    _reveal(client_for(center_staff), first)
    _reveal(client_for(center_staff), second)
    assert PersonalDataAccess.objects.count() == 3

    for reader in (inspector, principal_leader):
        html = client_for(reader).get("/audit/personal-data/").content.decode()
        log = html.split('data-testid="access-log"')[1]
        assert log.count("<tr>") == 4  # the heading and three entries
        assert "张**" in log and "张三丰" not in log and "13812341234" not in log  # whose, masked
        assert "工单页面" in log and first.ticket_no in log and "handler" in log

    client = client_for(inspector)
    # filter by person, by ticket, by days
    only_handler = client.get("/audit/personal-data/", {"who": "handler"}).content.decode()
    assert only_handler.split('data-testid="access-log"')[1].count("<tr>") == 2
    only_second = client.get("/audit/personal-data/", {"ticket": second.ticket_no}).content.decode()
    assert only_second.split('data-testid="access-log"')[1].count("<tr>") == 2
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    before = client.get("/audit/personal-data/", {"date_to": yesterday}).content.decode()
    assert "没有记录" in before or before.split('data-testid="access-log"')[1].count("<tr>") == 1

    # the Excel holds the filtered entries; its cells are inert text
    answer = client.get("/audit/personal-data/", {"who": "center", "format": "xlsx"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {r[4] for r in rows[1:]} == {first.ticket_no, second.ticket_no}
    assert {r[2] for r in rows[1:]} == {"center"}
    assert all(not str(cell).startswith("=") for row in rows for cell in row if cell is not None)
    assert isinstance(rows[1][0], dt.datetime)


@pytest.mark.parametrize("persona", ["center_staff", "unit_handler", "section_leader", "center_admin"])
def test_the_log_and_its_export_are_refused_to_everyone_else(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/audit/personal-data/").status_code == 404
    assert client.get("/audit/personal-data/", {"format": "xlsx"}).status_code == 404


RULE_FORM = {
    "normal-acknowledge_hours": "4",
    "normal-contact_hours": "24",
    "normal-handle_amount": "5",
    "normal-handle_unit": "working_days",
    "normal-due_soon_fraction": "0.25",
}


def test_the_center_admin_changes_a_deadline_rule_and_the_open_tickets_follow(client_for, center_admin, handler_unit):
    now = timezone.now()
    ticket = dispatched_ticket(
        handler_unit, status=Status.HANDLING, acknowledged_at=now, first_contact_at=now, handle_started_at=now
    )
    client = client_for(center_admin)
    assert client.get("/settings/").status_code == 200

    answer = client.post("/settings/deadlines/normal/", RULE_FORM)

    assert answer.status_code == 302
    # the street's own rule; the default of every street is left as it was
    policy = DeadlinePolicy.objects.get(rule="normal", street=center_admin.street)
    assert (policy.handle_amount, policy.handle_unit) == (5, "working_days")
    assert DeadlinePolicy.objects.get(rule="normal", street__isnull=True).handle_amount == 7
    ticket.refresh_from_db()
    assert ticket.handle_due_at is not None and ticket.handle_due_at > now + timedelta(days=4)
    changes = {(c.field, c.old, c.new) for c in SettingChange.objects.all()}
    assert changes == {("办结时限", "7", "5"), ("单位", "自然日", "工作日")}
    change = SettingChange.objects.first()
    assert change.changed_by == center_admin and "一般件" in change.setting
    assert change.street == center_admin.street
    page = client.get("/settings/").content.decode().split('data-testid="setting-changes"')[1]
    assert "工作日" in page and "自然日" in page

    # a bad value is refused with the form, and nothing is written
    refused = client.post("/settings/deadlines/normal/", {**RULE_FORM, "normal-handle_amount": "-1"})
    assert refused.status_code == 400
    assert DeadlinePolicy.objects.get(rule="normal", street=center_admin.street).handle_amount == 5
    assert SettingChange.objects.count() == 2


def test_working_day_overrides_are_added_changed_and_removed_with_a_record(client_for, center_admin):
    client = client_for(center_admin)
    day = {"on": "2030-10-12", "is_working_day": "1", "note": "调休上班"}

    assert client.post("/settings/calendar/", day).status_code == 302
    assert client.post("/settings/calendar/", {**day, "is_working_day": "0"}).status_code == 302
    row = CalendarOverride.objects.get(on="2030-10-12")
    assert (row.street, row.is_working_day) == (center_admin.street, False)  # the street's own day
    assert client.post(f"/settings/calendar/{row.pk}/remove/").status_code == 302

    assert not CalendarOverride.objects.exists()
    records = [(c.field, c.old, c.new) for c in SettingChange.objects.order_by("id")]
    assert records == [
        ("当天为", "", "工作日"),
        ("备注", "", "调休上班"),
        ("当天为", "工作日", "休息日"),
        ("当天为", "休息日", ""),
        ("备注", "调休上班", ""),
    ]
    assert client.post("/settings/calendar/", {"on": "not a day", "is_working_day": "1"}).status_code == 400
    assert SettingChange.objects.count() == 5


def test_the_scoring_policy_is_edited_in_the_page_and_its_rules_hold(client_for, center_admin):
    client = client_for(center_admin)
    new = {
        "new-name": "2031 年考核办法",
        "new-effective_from": "2031-01-01",
        "new-w_response": "0.2",
        "new-w_resolution": "0.4",
        "new-w_satisfaction": "0.4",
        "new-decimals": "2",
        "new-min_counted_to_rank": "5",
    }
    assert client.post("/settings/scoring/", {**new, "new-w_response": "0.3"}).status_code == 400  # sums to 1.1
    assert client.post("/settings/scoring/", {**new, "new-effective_from": "2031-01-15"}).status_code == 400
    assert not ScoringPolicy.objects.filter(name="2031 年考核办法").exists() and not SettingChange.objects.exists()

    assert client.post("/settings/scoring/", new).status_code == 302
    policy = ScoringPolicy.objects.get(name="2031 年考核办法")
    edit = {k.replace("new-", f"p{policy.pk}-"): v for k, v in new.items()} | {f"p{policy.pk}-min_counted_to_rank": "8"}
    assert client.post(f"/settings/scoring/{policy.pk}/", edit).status_code == 302

    policy.refresh_from_db()
    assert policy.min_counted_to_rank == 8 and policy.street == center_admin.street
    last = SettingChange.objects.order_by("-id").first()
    assert (last.old, last.new, last.changed_by) == ("5", "8", center_admin)
    assert SettingChange.objects.filter(setting__contains="2031-01-01", old="").count() == 7  # the new policy


@pytest.mark.parametrize("persona", ["center_staff", "principal_leader", "inspector", "unit_handler"])
def test_the_settings_are_refused_to_everyone_but_the_center_admin(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/settings/").status_code == 404
    assert client.post("/settings/deadlines/normal/", RULE_FORM).status_code == 404
    assert client.post("/settings/calendar/", {"on": "2030-10-12", "is_working_day": "1"}).status_code == 404
    assert client.post("/settings/scoring/", {}).status_code == 404
    assert client.post("/settings/sign-off/reply/", {"reply-signers": "principal_leader"}).status_code == 404
    assert DeadlinePolicy.objects.get(rule="normal").handle_amount == 7
    assert not CalendarOverride.objects.exists() and not SettingChange.objects.exists()

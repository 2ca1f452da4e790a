"""A settings change is recorded by the function that makes it (dispatch.deadlines for the deadline
rules and working days, reporting.policies for the scoring policies), so the settings page and the
Django admin — its bulk "delete selected" included — record the same words, in the street's
language whatever the language of the person who made it, and the working days removed in bulk
recompute the open tickets' deadlines."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from dispatch import deadlines
from dispatch.models import CalendarOverride
from intake.models import Status
from jxq_cases.lib import clock
from org.models import SettingChange
from reporting.models import ScoringPolicy
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client, django_user_model):
    """A superuser in the admin who reads it in English."""
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def _records(user) -> list[tuple[str, str, str, str]]:
    return [(c.setting, c.field, c.old, c.new) for c in SettingChange.objects.filter(changed_by=user).order_by("id")]


def test_the_admins_bulk_delete_of_working_days_recomputes_and_is_recorded(client, root, handler_unit):
    deadlines.save_policy("normal", by=root, handle_amount=3, handle_unit="working_days")
    started = timezone.now() - timedelta(hours=1)
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit, handle_started_at=started, acknowledged_at=started)
    deadlines.recompute_open_tickets()
    ticket.refresh_from_db()
    due = ticket.handle_due_at
    # the day the deadline falls on, and the one after, become days off: the deadline moves on
    off = [clock.local_date(due), clock.local_date(due) + timedelta(days=1)]
    for day in off:
        deadlines.set_calendar_override(day, is_working_day=False, note="停工", by=root)
    ticket.refresh_from_db()
    assert ticket.handle_due_at > due
    SettingChange.objects.all().delete()

    answer = client.post(
        "/admin/dispatch/calendaroverride/",
        {
            "action": "delete_selected",
            "_selected_action": [o.pk for o in CalendarOverride.objects.all()],
            "post": "yes",
        },
    )

    assert answer.status_code == 302 and not CalendarOverride.objects.exists()
    ticket.refresh_from_db()
    assert ticket.handle_due_at == due  # recomputed without the overrides
    assert _records(root) == [
        (f"工作日调整 {day.isoformat()}", field, old, "")
        for day in off
        for field, old in (("当天为", "休息日"), ("备注", "停工"))
    ]


def test_the_page_and_the_admin_record_a_working_day_in_the_same_words(client, client_for, center_admin, root):
    page = client_for(center_admin)
    assert (
        page.post("/settings/calendar/", {"on": "2030-10-12", "is_working_day": "1", "note": "调休"}).status_code == 302
    )
    row = CalendarOverride.objects.get(on="2030-10-12", street=center_admin.street)
    assert client.post(f"/admin/dispatch/calendaroverride/{row.pk}/delete/", {"post": "yes"}).status_code == 302
    added = client.post(
        "/admin/dispatch/calendaroverride/add/",
        {"on": "2030-10-12", "street": center_admin.street_id, "is_working_day": "on", "note": "调休"},
    )
    assert added.status_code == 302
    row = CalendarOverride.objects.get(on="2030-10-12", street=center_admin.street)
    assert page.post(f"/settings/calendar/{row.pk}/remove/").status_code == 302

    on_page, in_admin = _records(center_admin), _records(root)
    setting = "工作日调整 2030-10-12"
    assert on_page == [(setting, "当天为", "", "工作日"), (setting, "备注", "", "调休")] + [
        (setting, "当天为", "工作日", ""),
        (setting, "备注", "调休", ""),
    ]
    assert in_admin == [(setting, "当天为", "工作日", ""), (setting, "备注", "调休", "")] + [
        (setting, "当天为", "", "工作日"),
        (setting, "备注", "", "调休"),
    ]


def test_the_page_and_the_admin_record_a_deadline_rule_in_the_same_words(client, client_for, center_admin, root):
    page = client_for(center_admin)
    form = {"acknowledge_hours": "4", "contact_hours": "24", "handle_amount": "5", "handle_unit": "working_days"}
    form["due_soon_fraction"] = "0.25"
    assert page.post("/settings/deadlines/normal/", {f"normal-{k}": v for k, v in form.items()}).status_code == 302
    policy = deadlines_policy(center_admin.street)
    back = {**form, "rule": "normal", "handle_amount": "7", "handle_unit": "calendar_days"}
    assert client.post(f"/admin/dispatch/deadlinepolicy/{policy.pk}/change/", back).status_code == 302

    setting = "办理时限规则：一般件"
    assert set(_records(center_admin)) == {(setting, "办结时限", "7", "5"), (setting, "单位", "自然日", "工作日")}
    assert set(_records(root)) == {(setting, "办结时限", "5", "7"), (setting, "单位", "工作日", "自然日")}


def deadlines_policy(street):
    from dispatch.models import DeadlinePolicy

    return DeadlinePolicy.objects.get(rule="normal", street=street)


def test_the_page_and_the_admin_record_a_scoring_policy_in_the_same_words(client, client_for, center_admin, root):
    page = client_for(center_admin)
    new = {"name": "2031 年考核办法", "effective_from": "2031-01-01", "w_response": "0.2", "w_resolution": "0.4"}
    new |= {"w_satisfaction": "0.4", "decimals": "2", "min_counted_to_rank": "5"}
    assert page.post("/settings/scoring/", {f"new-{k}": v for k, v in new.items()}).status_code == 302
    policy = ScoringPolicy.objects.get(name="2031 年考核办法")
    edit = {**new, "min_counted_to_rank": "8"}
    assert client.post(f"/admin/reporting/scoringpolicy/{policy.pk}/change/", edit).status_code == 302
    assert client.post(f"/admin/reporting/scoringpolicy/{policy.pk}/delete/", {"post": "yes"}).status_code == 302

    setting, label = "计分办法（2031-01-01 起）", "参与排名的最少考评件数"
    created = _records(center_admin)
    assert len(created) == 7 and all(s == setting and old == "" for s, _f, old, _new in created)
    assert (setting, label, "", "5") in created
    in_admin = _records(root)
    assert in_admin[0] == (setting, label, "5", "8")
    # the deletion: every field from its value to nothing, in the page's words
    assert sorted(in_admin[1:]) == sorted((s, f, "8" if f == label else new, "") for s, f, _old, new in created)
    assert not ScoringPolicy.objects.filter(name="2031 年考核办法").exists()

"""Editing the deadline policy or a working day in the admin recomputes the open tickets' deadlines
and is recorded like a change on the settings page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.models import CalendarOverride, DeadlinePolicy
from intake.models import Status
from org.models import SettingChange
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


def test_saving_the_policy_in_the_admin_recomputes(client, django_user_model, handler_unit):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(admin)
    started = timezone.now() - timedelta(hours=1)
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit, handle_started_at=started, acknowledged_at=started)
    policy = DeadlinePolicy.objects.get(rule="normal")
    response = client.post(
        f"/admin/dispatch/deadlinepolicy/{policy.pk}/change/",
        {
            "rule": "normal",
            "acknowledge_hours": 4,
            "contact_hours": 24,
            "handle_amount": 3,
            "handle_unit": "calendar_days",
            "due_soon_fraction": "0.25",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.handle_due_at == started + timedelta(days=3)
    assert ticket.next_due_at == ticket.handle_due_at
    # in the settings page's words (the street's language), not the model's field names
    changes = SettingChange.objects.filter(changed_by=admin, setting="办理时限规则：一般件")
    [change] = changes  # only the amount differs from the rule as it was
    assert (change.field, change.new) == ("办结时限", "3") and change.old not in ("", "3")


def test_a_working_day_added_and_removed_in_the_admin_is_recorded(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(admin)
    added = client.post(
        "/admin/dispatch/calendaroverride/add/", {"on": "2026-10-10", "is_working_day": "on", "note": "调休"}
    )
    assert added.status_code == 302
    row = CalendarOverride.objects.get(on="2026-10-10")
    removed = client.post(f"/admin/dispatch/calendaroverride/{row.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302 and not CalendarOverride.objects.exists()
    changes = SettingChange.objects.filter(setting="工作日调整 2026-10-10").order_by("id")
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("当天为", "", "工作日"),
        ("备注", "", "调休"),
        ("当天为", "工作日", ""),
        ("备注", "调休", ""),
    ]

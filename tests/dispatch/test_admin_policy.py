"""Editing the deadline policy in the admin recomputes the open tickets' deadlines."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.models import DeadlinePolicy
from intake.models import Status
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

"""The admin edits scoring policies and bonus/deduction entries; snapshots are read-only there."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from org.models import User
from reporting.models import ScoreAdjustment, ScoringPolicy
from reporting.nightly import take_nightly_snapshot


@pytest.fixture
def admin_client(db):
    user = User.objects.create_superuser("boss", password="pw-123456789")
    client = Client()
    client.force_login(user)
    return client, user


def test_a_bonus_is_entered_in_the_admin_and_records_who_entered_it(admin_client, community_a):
    client, user = admin_client
    response = client.post(
        "/admin/reporting/scoreadjustment/add/",
        {"unit": community_a.pk, "month": "2023-01-01", "kind": "bonus", "points": "0.20", "reason": "未诉先办"},
    )

    assert response.status_code == 302
    entry = ScoreAdjustment.objects.get()
    assert (entry.unit, entry.points, entry.created_by) == (community_a, Decimal("0.20"), user)


def test_the_admin_refuses_a_policy_starting_mid_month_or_with_bad_weights(admin_client):
    client, _ = admin_client
    before = ScoringPolicy.objects.count()
    response = client.post(
        "/admin/reporting/scoringpolicy/add/",
        {
            "name": "2024",
            "effective_from": "2024-01-15",
            "w_response": "0.2",
            "w_resolution": "0.6",
            "w_satisfaction": "0.3",
            "decimals": "2",
            "min_counted_to_rank": "5",
        },
    )

    assert response.status_code == 200  # the form again, with the errors
    html = response.content.decode()
    assert "考评规则须自某月1日起生效" in html and "三项权重之和须等于1" in html
    assert ScoringPolicy.objects.count() == before


def test_snapshots_are_read_only_in_the_admin(admin_client):
    client, _ = admin_client
    snapshot = take_nightly_snapshot(dt.date(2023, 3, 15))

    page = client.get(f"/admin/reporting/snapshot/{snapshot.pk}/change/")
    assert page.status_code == 200 and "intake_today" in page.content.decode()
    assert client.get("/admin/reporting/snapshot/add/").status_code == 403

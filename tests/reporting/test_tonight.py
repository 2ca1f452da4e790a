"""The leader's 23:00 page (/tonight/) and the nightly digest that carries the same figures to each
leader's channels."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dispatch.models import Delivery, DeliveryStatus, Notification
from intake.models import Status
from org.models import Channel, ChannelKind
from reporting.tonight import sections, send_leaders_digest
from tests.conftest import wait_for
from tests.factories import ticket_in
from tests.receiver import Receiver


def _street(handler_unit, other_unit):
    now = timezone.now()
    late = ticket_in(
        Status.HANDLING,
        lead_unit=handler_unit,
        handle_due_at=now - timedelta(hours=1),
        next_due_at=now - timedelta(hours=1),
        received_at=now,
    )
    supervised = ticket_in(Status.CONTACTED, lead_unit=handler_unit, supervision="district")
    double_no = ticket_in(Status.VISITED, lead_unit=handler_unit)
    elsewhere = ticket_in(
        Status.HANDLING,
        lead_unit=other_unit,
        handle_due_at=now - timedelta(hours=2),
        next_due_at=now - timedelta(hours=2),
    )
    return late, supervised, double_no, elsewhere


@pytest.mark.django_db
def test_the_page_shows_the_five_figures_with_their_tickets_one_tap_away(
    handler_unit, other_unit, section_leader, principal_leader
):
    handler_unit.section_leader = section_leader
    handler_unit.save()
    late, supervised, double_no, elsewhere = _street(handler_unit, other_unit)

    figures = {s.key: s for s in sections(principal_leader)}
    assert figures["intake"].count == 1 and figures["intake"].tickets == [late]
    assert figures["overdue"].count == 2 and figures["overdue"].tickets == [elsewhere, late]
    assert figures["handling"].count == 3
    assert figures["supervised"].tickets == [supervised]
    assert figures["double_no"].tickets == [double_no]
    assert figures["overdue"].alert and figures["double_no"].alert

    # the section leader sees the units they oversee only
    mine = {s.key: s for s in sections(section_leader)}
    assert mine["overdue"].tickets == [late]

    client = Client()
    client.force_login(section_leader)
    html = client.get("/tonight/").content.decode()
    assert f'href="/tickets/{late.ticket_no}/"' in html and f'href="/tickets/{double_no.ticket_no}/"' in html
    assert elsewhere.ticket_no not in html
    assert 'href="/tonight/"' in html  # in the leader's navigation


@pytest.mark.django_db(transaction=True)
def test_the_digest_reaches_each_leaders_channel(
    settings, celery_worker, handler_unit, other_unit, principal_leader, section_leader, unit_handler
):
    settings.NOTIFY_ALLOW_HTTP_LOOPBACK = True
    settings.NOTIFY_SITE_URL = "https://jxq.example.gov.cn"
    _street(handler_unit, other_unit)
    with Receiver() as receiver:
        Channel.objects.create(user=principal_leader, kind=ChannelKind.WECOM_ROBOT, url=receiver.url("/ok"))
        assert send_leaders_digest() == 2  # both leaders, in-app
        assert wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 1, timeout=30)
        content = receiver.to("/ok")[0].json()["text"]["content"]
    assert "超期: 2" in content or "Overdue: 2" in content
    assert "https://jxq.example.gov.cn/tonight/" in content
    assert set(Notification.objects.filter(kind="digest").values_list("user_id", flat=True)) == {
        principal_leader.pk,
        section_leader.pk,
    }
    assert not Notification.objects.filter(kind="digest", user=unit_handler).exists()

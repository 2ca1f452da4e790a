"""Notices that leave the app (docs/notifications.md): a unit's WeCom group robot and a person's webhook,
posted by a real Celery worker to a real local HTTP receiver, after the workflow's commit; failing
endpoints (500, a redirect, a timeout, a robot that refuses) are tried again with backoff, then marked
failed and listed for the center."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from dispatch.delivery import backoff, requeue_due
from dispatch.models import Delivery, DeliveryStatus
from dispatch.workflow import dispatch_ticket, set_supervision
from intake.models import Status
from jxq_cases.lib import webhooks
from jxq_cases.lib.errors import DomainError
from org.models import Channel, ChannelKind
from tests.conftest import wait_for
from tests.factories import ticket_in
from tests.receiver import Receiver

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFY_ALLOW_HTTP_LOOPBACK = True
    settings.NOTIFY_TIMEOUT_SECONDS = 1.0
    settings.NOTIFY_RETRY_SECONDS = 0.3
    settings.NOTIFY_RETRY_MAX_SECONDS = 5.0
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_SITE_URL = "https://jxq.example.gov.cn"


@pytest.fixture
def receiver():
    with Receiver(slow_seconds=2.5) as r:
        yield r


def _settled(ids) -> bool:
    return not Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).exists()


@transactional
def test_a_dispatch_reaches_the_units_group_and_a_key_ticket_the_leaders_webhook(
    fast_retries, receiver, celery_worker, handler_unit, unit_handler, section_leader, center_staff
):
    Channel.objects.create(unit=handler_unit, kind=ChannelKind.WECOM_ROBOT, url=receiver.url("/ok?key=abc"))
    Channel.objects.create(
        user=section_leader, kind=ChannelKind.WEBHOOK, url=receiver.url("/hook"), address="13900001111", secret="s3"
    )
    handler_unit.section_leader = section_leader
    handler_unit.save()
    ticket = ticket_in(Status.TRIAGED, is_key=True)

    started = time.monotonic()
    dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit)
    assert time.monotonic() - started < 1.0  # the action never waits for an endpoint

    assert wait_for(lambda: len(receiver.to("/ok")) == 1 and len(receiver.to("/hook")) == 1, timeout=30)
    robot = receiver.to("/ok")[0].json()
    assert robot["msgtype"] == "text" and ticket.ticket_no in robot["text"]["content"]
    assert f"https://jxq.example.gov.cn/tickets/{ticket.ticket_no}/" in robot["text"]["content"]
    hook = receiver.to("/hook")[0]
    body = hook.json()
    assert body["kind"] == "key_ticket" and body["ticket_no"] == ticket.ticket_no
    assert body["recipient"] == {"name": str(section_leader), "mobile": "13900001111"}
    assert hook.headers["X-JXQ-Signature"] == webhooks.signature("s3", hook.body)
    assert "13812341234" not in hook.body.decode() and "张三丰" not in hook.body.decode()  # no personal data
    assert wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2)
    for row in Delivery.objects.all():
        assert row.attempts == 1 and row.sent_at and row.last_error == ""
    assert {d.notice_kind for d in Delivery.objects.all()} == {"dispatched", "key_ticket"}


@transactional
def test_failing_endpoints_are_retried_with_backoff_then_failed_and_shown_to_the_center(
    fast_retries, receiver, celery_worker, handler_unit, center_staff, unit_handler
):
    paths = ["/fail", "/redirect", "/slow", "/wecom-refused"]
    for path in paths:
        kind = ChannelKind.WECOM_ROBOT if path == "/wecom-refused" else ChannelKind.WEBHOOK
        Channel.objects.create(unit=handler_unit, kind=kind, url=receiver.url(path))
    ticket = ticket_in(Status.DISPATCHED, lead_unit=handler_unit)

    set_supervision(ticket, actor=center_staff, level="street")

    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 4
    assert wait_for(lambda: _settled(ids), timeout=90)
    errors = {}
    for row in Delivery.objects.select_related("channel"):
        assert row.status == DeliveryStatus.FAILED and row.attempts == 3, (row.channel.url, row.last_error)
        errors[row.channel.url.rsplit("/", 1)[1]] = row.last_error
    assert "HTTP 500" in errors["fail"]
    # the errors are written in the street's language (the worker has no request to choose another)
    assert "302" in errors["redirect"] and "未跟随" in errors["redirect"]  # "not followed"
    assert "1.0 秒内无应答" in errors["slow"]  # "no answer within 1.0 s"
    assert "93000" in errors["wecom-refused"]
    for path in paths:
        assert len(receiver.to(path)) == 3, path
    assert receiver.to("/ok") == []  # the redirect was never followed
    hits = receiver.to("/fail")
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:], strict=False)]
    assert gaps[0] >= 0.3 * 0.9 and gaps[1] >= 0.6 * 0.9  # backoff doubles

    # the center's page lists them; a handler may not see it
    center = Client()
    center.force_login(center_staff)
    page = center.get("/deliveries/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "HTTP 500" in text and "未跟随" in text and str(handler_unit) in text
    handler = Client()
    handler.force_login(unit_handler)
    assert handler.get("/deliveries/").status_code == 404
    assert handler.post(f"/deliveries/{ids[0]}/retry/").status_code == 404

    # "try again" starts a failed delivery over; the endpoint now works
    fail = Delivery.objects.get(channel__url=receiver.url("/fail"))
    Channel.objects.filter(pk=fail.channel_id).update(url=receiver.url("/hook"))
    assert center.post(f"/deliveries/{fail.pk}/retry/").status_code == 302
    assert wait_for(lambda: Delivery.objects.get(pk=fail.pk).status == DeliveryStatus.SENT, timeout=30)
    assert Delivery.objects.get(pk=fail.pk).attempts == 1
    # a retry of a delivery that is not failed is refused, and changes nothing
    assert center.post(f"/deliveries/{fail.pk}/retry/").status_code == 409


@transactional
def test_a_flaky_endpoint_gets_the_notice_on_a_later_try(
    fast_retries, receiver, celery_worker, handler_unit, center_staff
):
    Channel.objects.create(unit=handler_unit, kind=ChannelKind.WEBHOOK, url=receiver.url("/flaky"))
    ticket = ticket_in(Status.TRIAGED)
    dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit)
    assert wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).exists(), timeout=30)
    row = Delivery.objects.get()
    assert row.attempts == 3 and row.last_error == ""
    assert len(receiver.to("/flaky")) == 3


@transactional
def test_the_sweeper_sends_what_was_never_queued(fast_retries, receiver, celery_worker, handler_unit):
    channel = Channel.objects.create(unit=handler_unit, kind=ChannelKind.WEBHOOK, url=receiver.url("/hook"))
    # as if the broker was down when the notice was written
    row = Delivery.objects.create(
        channel=channel, channel_kind=channel.kind, recipient="南路社区", notice_kind="overdue", text="x"
    )
    Delivery.objects.filter(pk=row.pk).update(created_at=row.created_at.replace(year=row.created_at.year - 1))
    assert requeue_due() == 1
    assert wait_for(lambda: Delivery.objects.get(pk=row.pk).status == DeliveryStatus.SENT, timeout=30)
    assert requeue_due() == 0


@pytest.mark.django_db
def test_a_refused_action_sends_nothing_and_a_committed_one_queues_after_commit(
    settings, handler_unit, center_staff, django_capture_on_commit_callbacks
):
    settings.NOTIFY_ALLOW_HTTP_LOOPBACK = True
    Channel.objects.create(unit=handler_unit, kind=ChannelKind.WEBHOOK, url="http://127.0.0.1:9/hook")
    ticket = ticket_in(Status.RECEIVED)
    with pytest.raises(DomainError):
        dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit)  # not triaged yet: 409
    assert not Delivery.objects.exists()
    ticket = ticket_in(Status.TRIAGED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit)
            assert not Delivery.objects.exists()  # nothing is written inside the workflow's transaction
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as handed_over:
        for callback in callbacks:  # the commit: the notices are written, the worker is handed each after its own
            callback()
    delivery = Delivery.objects.get()
    assert delivery.channel.unit_id == handler_unit.pk and delivery.status == DeliveryStatus.PENDING
    assert ticket.ticket_no in delivery.text
    assert len(handed_over) == 1


def test_backoff_doubles_up_to_its_ceiling(settings):
    settings.NOTIFY_RETRY_SECONDS = 30
    settings.NOTIFY_RETRY_MAX_SECONDS = 300
    assert [backoff(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6", True),
        ("https://sms.example.cn:8443/send", True),
        ("http://127.0.0.1:8080/hook", True),  # loopback, allowed in tests
        ("http://[::1]:8080/hook", True),
        ("http://localhost/hook", True),
        ("http://sms.example.cn/send", False),  # plain http elsewhere
        ("ftp://example.cn/x", False),
        ("https://user:pw@example.cn/x", False),
        ("https://", False),
        ("https://example.cn:99999/x", False),
        ("javascript:alert(1)", False),
        ("https://example.cn/a b", False),
        ("", False),
        ("https://example.cn/" + "x" * 600, False),
    ],
)
def test_webhook_addresses(settings, url, allowed):
    settings.NOTIFY_ALLOW_HTTP_LOOPBACK = True
    if allowed:
        assert webhooks.check_url(url) == url
    else:
        with pytest.raises(ValidationError):
            webhooks.check_url(url)


def test_plain_http_even_to_loopback_is_refused_in_production(settings):
    settings.NOTIFY_ALLOW_HTTP_LOOPBACK = False
    with translation.override("en"), pytest.raises(ValidationError, match="only in development"):
        webhooks.check_url("http://127.0.0.1:8080/hook")
    with translation.override("en"):
        assert webhooks.post(webhooks.WEBHOOK, "http://127.0.0.1:9/hook", {}).error.startswith("refused address")


@pytest.mark.django_db
def test_a_channel_belongs_to_a_unit_or_a_person_and_its_address_is_checked(settings, handler_unit, unit_handler):
    settings.NOTIFY_ALLOW_HTTP_LOOPBACK = False
    bad = Channel(unit=handler_unit, kind=ChannelKind.WEBHOOK, url="http://sms.example.cn/send")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "url" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.create(
            unit=handler_unit, user=unit_handler, kind=ChannelKind.WEBHOOK, url="https://a.example.cn/"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.create(kind=ChannelKind.WEBHOOK, url="https://a.example.cn/")
    assert not Channel.objects.exists()


def test_robot_messages_stay_within_wecoms_limits():
    text = "工单" * 2000
    payload = webhooks.wecom_payload(text, mention="13900001111")
    assert len(payload["text"]["content"].encode()) <= webhooks.WECOM_TEXT_BYTES
    assert payload["text"]["mentioned_mobile_list"] == ["13900001111"]
    markdown = webhooks.wecom_payload(text, markdown=True)
    assert markdown["msgtype"] == "markdown" and len(markdown["markdown"]["content"].encode()) <= 4096

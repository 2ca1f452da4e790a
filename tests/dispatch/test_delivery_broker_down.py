"""A dispatch while the broker is down: the action succeeds at once, the handlers get their in-app
notice, and the outgoing notice waits in the delivery log as pending — for the sweeper, not lost.

The product runs in its own gunicorn process whose broker is a loopback port nothing listens on."""

import json
import time
import urllib.request

import pytest

from dispatch.models import Delivery, DeliveryStatus, Notification
from intake.models import Status, Ticket
from org.models import Channel, ChannelKind
from tests.factories import ticket_in
from tests.processes import Server, api_token, closed_port, use_product_password_hashing


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_with_the_broker_down_succeeds_and_leaves_the_notice_pending(
    tmp_path, settings, center_staff, unit_handler, handler_unit
):
    use_product_password_hashing(settings, center_staff)
    Channel.objects.create(unit=handler_unit, kind=ChannelKind.WEBHOOK, url="https://hooks.example.cn/street")
    ticket = ticket_in(Status.TRIAGED)
    server = Server(tmp_path / "server.log", CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0")
    try:
        request = urllib.request.Request(
            f"{server.url}/api/v1/tickets/{ticket.ticket_no}/actions/",
            data=json.dumps({"action": "dispatch", "lead_unit": handler_unit.name}).encode(),
            headers={"Authorization": f"Token {api_token(server, 'center')}", "Content-Type": "application/json"},
            method="POST",
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 200
        took = time.monotonic() - started
    finally:
        server.stop()
    assert took < 5, f"answered after {took:.1f} s"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.DISPATCHED
    assert Notification.objects.filter(user=unit_handler, kind="dispatched").exists()
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.notice_kind) == (DeliveryStatus.PENDING, 0, "dispatched")
    log = (tmp_path / "server.log").read_text()
    assert "Internal Server Error" not in log and "the sweeper will queue it" in log

"""Queueing a job while the broker is down is a clear 503, quickly — never a 500, never a hang.

The product runs in its own gunicorn process whose broker is a real address where nothing answers:
a loopback port nothing listens on (refused at once), or a socket that accepts and then says nothing
(bounded by the broker's socket timeout). ``POST /api/v1/hotspots/run/`` is the one endpoint that
queues work (``jxq_cases.lib.jobs.enqueue``).
"""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from proactive.models import HotSpotRun
from tests.processes import Server, api_token, closed_port, use_product_password_hashing


def _run_hotspots(server: Server, token: str) -> tuple[int, dict, float]:
    request = urllib.request.Request(
        f"{server.url}/api/v1/hotspots/run/",
        data=json.dumps({"days": 30}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept-Language": "en"},
        method="POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        status, body = refused.code, refused.read()
    return status, json.loads(body), time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_a_refused_broker_connection_answers_503_at_once(tmp_path, settings, center_staff, section_leader):
    use_product_password_hashing(settings, center_staff, section_leader)
    server = Server(tmp_path / "server.log", CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0")
    try:
        status, body, took = _run_hotspots(server, api_token(server, "center"))
        assert status == 503, body
        assert body["code"] == "unavailable"
        assert "job queue is not available" in body["detail"]
        assert took < 3, f"answered after {took:.1f} s"
        # who may not run it still learns that first (403), broker or not
        status, body, _took = _run_hotspots(server, api_token(server, "leader"))
        assert status == 403 and body["code"] == "forbidden"
    finally:
        server.stop()
    assert not HotSpotRun.objects.exists()
    assert "Internal Server Error" not in (tmp_path / "server.log").read_text()


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_accepts_and_never_answers_is_given_up_within_the_socket_timeout(
    tmp_path, settings, center_staff
):
    use_product_password_hashing(settings, center_staff)
    with socket.socket() as silent:  # listens, is never read: a hung broker
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        broker = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        server = Server(tmp_path / "server.log", CELERY_BROKER_URL=broker)
        try:
            status, body, took = _run_hotspots(server, api_token(server, "center"))
        finally:
            server.stop()
    assert status == 503 and body["code"] == "unavailable"
    assert took < 10, f"answered after {took:.1f} s (socket timeout 5 s)"

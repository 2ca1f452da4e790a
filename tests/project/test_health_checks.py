"""docker-compose.yml's health checks, run outside Docker: each service is started with its compose
command, its check must pass while it works and fail once it is dead or stuck (tests/project/production.py).
"""

import signal
import urllib.error
import urllib.request

import pytest

from jxq_cases.celery import app as celery_app
from jxq_cases.healthcheck import probe_host
from tests.project.production import (
    command,
    free_port,
    health_check,
    probe,
    production_env,
    start,
    stop,
    wait_until_healthy,
)

REAL_HOST = "jxq.example.gov.cn"


@pytest.fixture
def services():
    """``services(name, env, log)`` starts a compose service; all are killed when the test ends."""
    started = []

    def run(name, env, log):
        process = start(command(name), env, log)
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            stop(process, signal.SIGCONT)
        stop(process)


def test_probe_host_turns_allowed_hosts_into_a_host_header():
    assert probe_host([REAL_HOST, "localhost"]) == REAL_HOST
    assert probe_host([".example.gov.cn"]) == "example.gov.cn"
    assert probe_host(["*"]) == "localhost"
    assert probe_host([]) == "localhost"


def test_web_check_passes_with_only_the_real_host_allowed_and_fails_when_the_server_is_down(
    transactional_db, services, tmp_path
):
    # given ALLOWED_HOSTS naming the real host only, and HTTPS enforced as behind a proxy
    port = free_port()
    env = production_env(tmp_path, PORT=str(port), ALLOWED_HOSTS=REAL_HOST, SECURE_SSL_REDIRECT="1")
    log = tmp_path / "web.log"
    web = services("web", env, log)
    check = health_check("web")

    # when the web service is up, its check passes
    wait_until_healthy(check, env, web, log)

    # (a request that names 127.0.0.1, as `curl http://127.0.0.1:8000/healthz/` does, is refused)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=10)
    assert refused.value.code == 400

    # when the server is gone, the check fails
    stop(web)
    result = probe(check, env)
    assert result.returncode != 0
    assert "unhealthy" in result.stderr


def test_worker_check_fails_when_the_worker_is_down(transactional_db, services, tmp_path):
    env = production_env(tmp_path)
    log = tmp_path / "worker.log"
    worker = services("worker", env, log)
    check = health_check("worker")

    wait_until_healthy(check, env, worker, log)

    stop(worker)
    result = probe(check, env)
    assert result.returncode != 0
    assert "No nodes replied" in result.stdout + result.stderr


@pytest.fixture
def purge_beat_messages():
    """Beat may send a due job to the test broker while it runs; drop it so no later worker test runs it."""
    yield
    celery_app.control.purge()


def test_beat_check_fails_when_beat_is_stuck_or_dead(transactional_db, services, tmp_path, purge_beat_messages):
    env = production_env(tmp_path)
    log = tmp_path / "beat.log"
    beat = services("beat", env, log)
    check = health_check("beat")

    # a running beat answers
    wait_until_healthy(check, env, beat, log)

    # stuck: the process is there and does nothing
    stop(beat, signal.SIGSTOP)
    stuck = probe(check, env)
    assert stuck.returncode != 0, stuck.stdout

    # dead
    stop(beat)
    dead = probe(check, env)
    assert dead.returncode != 0, dead.stdout

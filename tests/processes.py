"""Real processes for the tests that need one of their own: a Celery worker with a prefork pool (to
kill its pool process or the whole worker mid-job) and a gunicorn server (to run HTTP clients
against, or to run with a broker that is down). Each runs against the test database, so the tests
using them are transactional: their data is committed where the other process can read it.

Ports are chosen by the operating system (bind to port 0) and read back from the process's log.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    """A loopback port nothing listens on: the system picks a free one, and we let it go at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database the tests run on (pytest-django's ``test_<name>``)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    """This process's environment, pointed at the test database and the test broker."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="jxq_cases.settings",
    )
    env.setdefault("DEBUG", "1")  # as `make test` runs; without it the settings require SECRET_KEY
    env.update(extra)
    return env


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # "pid (name) state ppid ...": the name may hold spaces and parentheses, so split after the last ")"
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


def _wait_for_log(path: Path, pattern: str, process: subprocess.Popen, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace")) if path.exists() else None
        if found:
            return found
        if process.poll() is not None:
            raise RuntimeError(f"process ended ({process.returncode}) before {pattern!r}:\n{path.read_text()}")
        time.sleep(0.1)
    raise TimeoutError(f"no {pattern!r} within {timeout} s:\n{path.read_text(errors='replace')}")


class _Process:
    """A process in its own session (so that it and its children can be signalled together)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill_all(self) -> None:
        """SIGKILL the process and every process of its session: a machine losing the whole worker."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        """Ask politely (SIGTERM), then make sure (SIGKILL) — the session's processes included."""
        if self.process.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill_all()


class Worker(_Process):
    """``celery -A jxq_cases worker --pool=prefork --concurrency=1`` consuming one queue of its own, so
    that no other test's worker can take its messages (and it takes no other test's)."""

    def __init__(self, log: Path, *, queue: str, include: str = "", **env: str):
        args = [sys.executable, "-m", "celery", "-A", "jxq_cases", "worker", "--pool=prefork", "--concurrency=1"]
        args += ["-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if include:
            args += ["--include", include]
        super().__init__(args, process_env(**env), log)
        _wait_for_log(log, r"ready\.", self.process, timeout=60)

    def pool_children(self) -> list[int]:
        return child_pids(self.pid)


class Server(_Process):
    """The product served by gunicorn (two sync workers) on a port the system chose."""

    def __init__(self, log: Path, **env: str):
        args = [sys.executable, "-m", "gunicorn", "jxq_cases.wsgi:application", "--bind", "127.0.0.1:0"]
        args += ["--workers", "2", "--timeout", "60", "--graceful-timeout", "2"]
        super().__init__(args, process_env(**env), log)
        port = _wait_for_log(log, r"Listening at: http://127\.0\.0\.1:(\d+)", self.process, timeout=60).group(1)
        self.url = f"http://127.0.0.1:{port}"


def use_product_password_hashing(settings, *users) -> None:
    """Give ``users`` the test PASSWORD hashed as the product hashes it: a server process checks
    passwords with the product's hashers, not with the fast one the test process uses."""
    from tests.conftest import PASSWORD

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for user in users:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def api_token(server: Server, username: str) -> str:
    """A real token, from ``POST /api/v1/auth/token/`` of the server."""
    from tests.conftest import PASSWORD

    body = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    with urllib.request.urlopen(f"{server.url}/api/v1/auth/token/", data=body, timeout=30) as answer:
        return json.loads(answer.read())["token"]

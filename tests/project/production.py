"""The production setup outside Docker, for the tests: the commands of docker-compose.yml and the
Dockerfile, run as they are, in an environment like the one compose gives the containers.

CI cannot run Docker, so the tests read the commands from those two files and run them here against
the test database and broker, on a free port, with STATIC_ROOT and the var directory in a temporary
directory (the checkout stays as it was).
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = str(Path(sys.executable).parent)
# long enough and varied enough for Django's security.W009
SECRET_KEY = "tests-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
# variables that the test run sets and a production-like environment must not inherit
TEST_ONLY = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
    "STATIC_ROOT",
    "JXQ_VAR_DIR",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests' (tests/browser/conftest.py)
}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def command(name: str) -> list[str]:
    """A service's command as an argument list (compose accepts a list or a string)."""
    value = service(name)["command"]
    return value if isinstance(value, list) else shlex.split(value)


def health_check(name: str) -> list[str]:
    """A service's health check as the container would run it: CMD's arguments, or CMD-SHELL through sh
    (compose writes ``$$`` for a ``$`` that the container's shell expands)."""
    test = service(name)["healthcheck"]["test"]
    if test[0] == "CMD":
        return test[1:]
    assert test[0] == "CMD-SHELL", test
    return ["sh", "-c", test[1].replace("$$", "$")]


def dockerfile_collectstatic() -> str:
    """The Dockerfile's collectstatic step, a shell command line."""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("RUN ") and "collectstatic" in line:
            return line.removeprefix("RUN ")
    raise AssertionError("the Dockerfile runs no collectstatic")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tests_database_url() -> str:
    """The URL of the database the tests run on (pytest-django's test_… database)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """DEBUG off, a real secret key, the test database and broker, var and static under ``tmp_path``;
    the virtualenv first on PATH so that ``python``, ``gunicorn`` and ``celery`` are ours."""
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY}
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=tests_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        JXQ_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        HOSTNAME=socket.gethostname(),
        WEB_CONCURRENCY="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a service in its own process group (gunicorn's and Celery's children go with it)."""
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            process.wait(timeout=30)


def probe(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def wait_until_healthy(args: list[str], env: dict[str, str], process: subprocess.Popen, log: Path, timeout=90.0):
    """Run the probe until it succeeds; fail with the service's log when it never does."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe(args, env)
        if result.returncode == 0:
            return result
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(
                f"never healthy (exit {process.poll()}): {result.stderr}\n--- log ---\n{log.read_text()[-4000:]}"
            )
        time.sleep(0.5)


def hashed(url: str, name: str) -> bool:
    """``/static/css/app.1a2b3c4d5e6f.css`` is ``css/app.css`` under its content-hashed name."""
    stem, dot, suffix = name.rpartition(".")
    return re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{re.escape(suffix)}", url) is not None

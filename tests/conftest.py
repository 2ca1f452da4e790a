"""Personas shared by every test (docs/domain.md §7), as healthchecks does with alice/bob/charlie.

- ``center_staff``: works in the street's complaint center, sees and dispatches everything
- ``unit_handler``: handles tickets for 南路社区 (``handler_unit``)
- ``other_unit_handler``: handles tickets for 城市管理办公室 (``other_unit``), must be refused on 南路社区's
- ``section_leader``: oversees 南路社区 (and not 城市管理办公室)
- ``principal_leader``, ``inspector``, ``platform_client`` (the upstream platform's machine account)
"""

import time
import uuid
from importlib import import_module
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps as django_apps
from rest_framework.test import APIClient

from jxq_cases.celery import app as celery_app
from org.accounts import create_user
from org.models import Role, Unit
from org.units import load_jiuxianqiao_units

TEST_DATA = Path(__file__).resolve().parent / "data"
# the personas' street (the Jiuxianqiao units load into it): named, so that a test with a second
# street (docs/district.md) can ask for them in any order
DEFAULT_STREET = "酒仙桥街道"
PASSWORD = "test-password-123"


# Reference data that data migrations load: the street's units, the default deadline rules, the
# default scoring policy. A transactional test (Celery worker, race and browser tests) flushes every
# table when it ends, so the tests after it would find none of it.
REFERENCE_DATA_MIGRATIONS = [
    ("org.migrations.0002_load_jiuxianqiao_units", "load_units"),
    ("dispatch.migrations.0002_default_deadline_policies", "create_defaults"),
    ("reporting.migrations.0002_default_scoring_policy", "create_default_policy"),
]


@pytest.fixture(autouse=True)
def reference_data(request):
    """Reload the data migrations' reference data when a flush removed it (one query otherwise)."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("db")
    if Unit.objects.exists():
        return
    for module, function in REFERENCE_DATA_MIGRATIONS:
        getattr(import_module(module), function)(django_apps, None)


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Each test its own cache namespace (the real cache: Redis under make test): no figures cached
    and no rate-limit count made by an earlier test is seen. Clearing instead would flush the Redis
    database the broker shares."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Personas are created per test; the default PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def street_units(db) -> None:
    """The Jiuxianqiao units (idempotent; see reference_data)."""
    load_jiuxianqiao_units(Unit)


@pytest.fixture
def handler_unit(street_units) -> Unit:
    return Unit.objects.get(street__name=DEFAULT_STREET, name="南路社区")


@pytest.fixture
def other_unit(street_units) -> Unit:
    return Unit.objects.get(street__name=DEFAULT_STREET, name="城市管理办公室")


@pytest.fixture
def center_unit(street_units) -> Unit:
    return Unit.objects.get(street__name=DEFAULT_STREET, is_center=True)


@pytest.fixture
def center_staff(db, center_unit):
    return create_user(
        "center", role=Role.CENTER_STAFF, street=DEFAULT_STREET, unit_names=[center_unit.name], password=PASSWORD
    )


@pytest.fixture
def unit_handler(db, handler_unit):
    return create_user(
        "handler", role=Role.UNIT_HANDLER, street=DEFAULT_STREET, unit_names=[handler_unit.name], password=PASSWORD
    )


@pytest.fixture
def other_unit_handler(db, other_unit):
    return create_user(
        "other_handler", role=Role.UNIT_HANDLER, street=DEFAULT_STREET, unit_names=[other_unit.name], password=PASSWORD
    )


@pytest.fixture
def section_leader(db, handler_unit):
    return create_user(
        "leader", role=Role.SECTION_LEADER, street=DEFAULT_STREET, unit_names=[handler_unit.name], password=PASSWORD
    )


@pytest.fixture
def principal_leader(db, street_units):
    return create_user("principal", role=Role.PRINCIPAL_LEADER, street=DEFAULT_STREET, password=PASSWORD)


@pytest.fixture
def inspector(db, street_units):
    return create_user("inspector", role=Role.INSPECTOR, street=DEFAULT_STREET, password=PASSWORD)


@pytest.fixture
def center_admin(db, center_unit):
    return create_user(
        "center_admin", role=Role.CENTER_ADMIN, street=DEFAULT_STREET, unit_names=[center_unit.name], password=PASSWORD
    )


@pytest.fixture
def district_staff(db, street_units):
    """The district center's staff: every street of the default street's district, read-only."""
    return create_user("district_staff", role=Role.DISTRICT_STAFF, password=PASSWORD)


@pytest.fixture
def district_leader(db, street_units):
    return create_user("district_leader", role=Role.DISTRICT_LEADER, password=PASSWORD)


@pytest.fixture
def platform_client(db, street_units):
    return create_user("platform", role=Role.PLATFORM, street=DEFAULT_STREET, password=PASSWORD)


@pytest.fixture
def api_client_for():
    """``api_client_for(user)`` -> an APIClient authenticated as that user (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def sample_exports() -> Path:
    """Upstream exports as a street receives them (made by tests/data/make_samples.py): 300 tickets in
    GB18030 with Chinese headers, and their return visits in UTF-8 with a byte-order mark."""
    return TEST_DATA / "samples"


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread of this process) consuming from the settings' broker — Redis
    in ``make test`` — against the test database. Tests using it are transactional, so the worker's
    own connection sees their data."""
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds have passed (no result backend)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False

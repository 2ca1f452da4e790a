"""A demo street played once per module: seeding costs seconds, reading it costs nothing."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from org.models import Unit
from tests.conftest import REFERENCE_DATA_MIGRATIONS


def reload_reference_data() -> None:
    if not Unit.objects.exists():
        for module, function in REFERENCE_DATA_MIGRATIONS:
            getattr(import_module(module), function)(django_apps, None)


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):
    """Run the module's setup outside the tests' transactions (committed, so that the workflow's
    notifications are written after each commit as in production); the tables are flushed when
    the module is done, like a transactional test's."""
    with django_db_blocker.unblock():
        reload_reference_data()
        yield
        call_command("flush", interactive=False, verbosity=0)

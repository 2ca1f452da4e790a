"""Page tests with Django's test client: personas sign in through the session, as a browser would."""

import pytest
from django.test import Client

from org.models import Unit
from org.units import load_jiuxianqiao_units


@pytest.fixture(autouse=True)
def _street_units(db):
    """The units come from a data migration, which a transactional test's flush (the browser tests)
    removes from a reused test database: load them again when they are missing."""
    if not Unit.objects.exists():
        load_jiuxianqiao_units(Unit)


@pytest.fixture
def client_for():
    """``client_for(user)`` -> a test Client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make

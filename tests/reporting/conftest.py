"""Hand-built tickets for the reporting tests: every figure in the tests is counted by hand."""

import pytest

from org.models import Unit


@pytest.fixture(autouse=True)
def street_units(db) -> None:
    """Every test here uses the database; the root ``reference_data`` fixture reloads the units and
    the default scoring policy that a transactional test flushed."""


@pytest.fixture
def community_a(db) -> Unit:
    return Unit.objects.get(name="南路社区")


@pytest.fixture
def department_b(db) -> Unit:
    return Unit.objects.get(name="城市管理办公室")


@pytest.fixture
def department_c(db) -> Unit:
    return Unit.objects.get(name="综合行政执法队")

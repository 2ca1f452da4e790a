"""A grid cell named by a form that is not a number is a cell not found (404), not a server error, on
the center's page of unplaced addresses and the administrator's geography page."""

import pytest
from django.test import Client

from intake.models import GazetteerEntry
from org.models import GridCell
from tests.geography import load_test_street

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "１", "99999999999999999999999"])
def test_placing_an_address_in_a_cell_that_is_no_number(center_staff, value):
    load_test_street()
    before = GazetteerEntry.objects.count()
    response = _client(center_staff).post("/places/unresolved/", {"grid_cell": value, "address": "星星村7号"})
    assert response.status_code == 404
    assert GazetteerEntry.objects.count() == before


def test_placing_an_address_in_a_real_cell_still_works(center_staff):
    load_test_street()
    cell = GridCell.objects.get(code="NL-1")
    response = _client(center_staff).post("/places/unresolved/", {"grid_cell": str(cell.pk), "address": "星星村7号"})
    assert response.status_code == 302
    assert GazetteerEntry.objects.filter(grid_cell=cell, address="星星村7号").exists()


@pytest.mark.parametrize("value", ["abc", "", "9e9"])
def test_saving_a_grid_worker_for_a_cell_that_is_no_number(center_admin, value):
    load_test_street()
    response = _client(center_admin).post("/geography/", {"cell": value, "name": "网格X", "grid_worker": "王五"})
    assert response.status_code == 404
    assert not GridCell.objects.filter(grid_worker="王五").exists()

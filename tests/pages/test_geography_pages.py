"""The center's geography page and the list of addresses to place (docs/geography.md)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from intake.models import PlaceOrigin, Ticket
from intake.places import place_tickets
from org.models import CommunityArea, GridCell
from tests.factories import make_ticket
from tests.geography import GEO_DATA, load_test_street

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_center_loads_a_geojson_file_and_edits_a_grid_worker(center_staff):
    client = _client(center_staff)
    upload = SimpleUploadedFile("street.geojson", (GEO_DATA / "street.geojson").read_bytes())
    answer = client.post("/geography/", {"file": upload}, follow=True)
    assert "已导入 2 个社区边界和 3 个网格" in answer.content.decode()
    cell = GridCell.objects.get(code="NL-1")
    client.post(
        "/geography/",
        {"cell": cell.pk, "name": "南路一网格", "grid_worker": "赵明", "grid_worker_phone": "13900000000"},
    )
    cell.refresh_from_db()
    assert (cell.name, cell.grid_worker, cell.grid_worker_phone) == ("南路一网格", "赵明", "13900000000")
    page = client.get("/geography/").content.decode()
    assert 'data-testid="grid-cells"' in page and "赵明" in page
    geojson = client.get("/geography/street.geojson").json()
    assert len(geojson["features"]) == 5


def test_a_bad_file_from_the_page_is_refused_whole_naming_the_feature(center_staff):
    load_test_street(gazetteer=False)
    before = list(CommunityArea.objects.values_list("community__name", "max_lon"))
    upload = SimpleUploadedFile("bad.geojson", (GEO_DATA / "bad_overlapping.geojson").read_bytes())
    page = _client(center_staff).post("/geography/", {"file": upload}, follow=True).content.decode()
    assert (
        "地理数据未导入，未做任何更改" in page
        and "要素 #1 community 南路社区 与要素 #2 community 东路社区 重叠" in page
    )
    assert list(CommunityArea.objects.values_list("community__name", "max_lon")) == before


def test_the_demo_geography_is_labelled_as_demo_data(center_staff):
    from demo.geography import GEOJSON_FILE
    from org.geography import load_geography

    load_geography(GEOJSON_FILE)
    assert 'data-testid="demo-geography"' in _client(center_staff).get("/geography/").content.decode()


def test_the_center_places_an_unresolved_address_from_its_page(center_staff):
    load_test_street()
    tickets = [make_ticket(address="酒仙桥星星村7号"), make_ticket(address="酒仙桥星星村七号")]
    place_tickets()
    client = _client(center_staff)
    page = client.get("/places/unresolved/")
    # two spellings of one place: one row, placed once
    [row] = page.context["addresses"]
    assert row["tickets"] == 2 and sorted(row["spellings"]) == ["酒仙桥星星村7号", "酒仙桥星星村七号"]
    cell = GridCell.objects.get(code="DL-1")
    outside = client.post(
        "/places/unresolved/",
        {"address": "酒仙桥星星村7号", "grid_cell": cell.pk, "lon": "116.3", "lat": "39.9"},
        follow=True,
    )
    assert "该点不在本街道范围内" in outside.content.decode()
    assert Ticket.objects.filter(place_origin=PlaceOrigin.UNRESOLVED).count() == 2
    client.post(
        "/places/unresolved/", {"address": "酒仙桥星星村7号", "grid_cell": cell.pk, "lon": "116.496", "lat": "39.963"}
    )
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.place_origin, ticket.grid_cell_id, ticket.place_lon) == (PlaceOrigin.CENTER, cell.pk, 116.496)
    assert client.get("/places/unresolved/").context["addresses"] == []

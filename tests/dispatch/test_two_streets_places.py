"""Two streets with the same community names (docs/district.md): a street's center places only its own
street's addresses in its own street's grid cells, edits only its own geography, and keeps its own
gazetteer: the same address text in two streets is two entries, each placing its own street's
tickets, and neither street's file or placing ever changes or uses the other's."""

import io
import json

import pytest
from django.test import Client

from intake.address_keys import address_key
from intake.models import GazetteerEntry, PlaceOrigin
from intake.places import import_gazetteer, place_tickets
from jxq_cases.lib.errors import DomainError
from org.geography import load_geography
from org.models import GridCell, Street
from tests.dispatch.test_two_streets import b_people, jiangtai  # noqa: F401  (the two-street fixtures)
from tests.factories import make_ticket
from tests.geography import GEO_DATA, load_test_street

pytestmark = pytest.mark.django_db

A = "酒仙桥街道"
B = "将台街道"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shifted(coordinates, east: float):
    if isinstance(coordinates[0], (int, float)):
        return [coordinates[0] + east, *coordinates[1:]]
    return [_shifted(part, east) for part in coordinates]


def _b_geography(east: float = 0.05) -> io.BytesIO:
    """Street B's file: the test street's shapes moved ``east`` degrees (streets do not overlap),
    under B's community names (the same names) and grid codes of its own (JT-…)."""
    data = json.loads((GEO_DATA / "street.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["geometry"]["coordinates"] = _shifted(feature["geometry"]["coordinates"], east)
        if feature["properties"].get("kind") == "grid":
            feature["properties"]["code"] = "JT-" + feature["properties"]["code"]
    return io.BytesIO(json.dumps(data, ensure_ascii=False).encode())


@pytest.fixture
def two_geographies(b_people):  # noqa: F811
    load_test_street(street=A)
    load_geography(_b_geography(), street=B)
    return b_people


def test_a_center_sees_and_places_only_its_own_streets_addresses(center_staff, handler_unit, two_geographies):
    b = two_geographies
    ours = make_ticket(lead_unit=handler_unit, address="酒仙桥星星村7号")
    theirs = make_ticket(lead_unit=b["unit"], address="酒仙桥星星村7号")  # the same address in street B
    b_only = make_ticket(lead_unit=b["unit"], address="将台路月亮湾9号")
    place_tickets()
    for ticket in (ours, theirs, b_only):
        ticket.refresh_from_db()
        assert ticket.place_origin == PlaceOrigin.UNRESOLVED

    a_page = _client(center_staff).get("/places/unresolved/")
    assert [(row["address"], row["tickets"]) for row in a_page.context["addresses"]] == [("酒仙桥星星村7号", 1)]
    assert a_page.context["unresolved"] == 1
    assert {cell.code for cell in a_page.context["cells"]} == {"NL-1", "NL-2", "DL-1"}
    b_page = _client(b["center_staff"]).get("/places/unresolved/")
    assert {row["address"] for row in b_page.context["addresses"]} == {"酒仙桥星星村7号", "将台路月亮湾9号"}
    assert {cell.code for cell in b_page.context["cells"]} == {"JT-NL-1", "JT-NL-2", "JT-DL-1"}

    # A's center cannot place anything in B's cell (another street's community): 404, nothing written
    b_cell = b_page.context["cells"][0]
    refused = _client(center_staff).post("/places/unresolved/", {"address": "将台路月亮湾9号", "grid_cell": b_cell.pk})
    assert refused.status_code == 404
    assert not GazetteerEntry.objects.filter(address="将台路月亮湾9号").exists()
    b_only.refresh_from_db()
    assert b_only.place_origin == PlaceOrigin.UNRESOLVED

    # A places the shared address in its own cell: A's ticket only, the gazetteer entry is A's
    a_cell = a_page.context["cells"][0]
    _client(center_staff).post("/places/unresolved/", {"address": "酒仙桥星星村7号", "grid_cell": a_cell.pk})
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.place_origin, ours.grid_cell_id) == (PlaceOrigin.CENTER, a_cell.pk)
    assert theirs.place_origin == PlaceOrigin.UNRESOLVED and theirs.grid_cell_id is None
    entry = GazetteerEntry.objects.get(address="酒仙桥星星村7号")
    assert entry.community.street.name == A and entry.street.name == A

    # a new ticket of B at that address is not placed by A's entry; a new one of A is
    later_b = make_ticket(lead_unit=b["unit"], address="酒仙桥星星村7号")
    later_a = make_ticket(lead_unit=handler_unit, address="酒仙桥星星村7号")
    place_tickets()
    later_a.refresh_from_db()
    later_b.refresh_from_db()
    assert later_a.grid_cell_id == a_cell.pk
    assert later_b.place_origin == PlaceOrigin.UNRESOLVED and later_b.place_community_id is None

    # B places it in its own cell: B's tickets get B's place, in an entry of B's own; A's stays A's
    _client(b["center_staff"]).post("/places/unresolved/", {"address": "酒仙桥星星村7号", "grid_cell": b_cell.pk})
    for ticket in (theirs, later_b):
        ticket.refresh_from_db()
        assert (ticket.place_origin, ticket.grid_cell_id) == (PlaceOrigin.CENTER, b_cell.pk)
    entry.refresh_from_db()
    assert (entry.community.street.name, entry.grid_cell_id) == (A, a_cell.pk)
    later_a.refresh_from_db()
    assert later_a.grid_cell_id == a_cell.pk
    b_entry = GazetteerEntry.objects.get(address="酒仙桥星星村7号", street__name=B)
    assert (b_entry.community.street.name, b_entry.grid_cell_id) == (B, b_cell.pk)

    # from now on each street's gazetteer places its own new tickets at that address
    next_a = make_ticket(lead_unit=handler_unit, address="酒仙桥星星村7号")
    next_b = make_ticket(lead_unit=b["unit"], address="酒仙桥星星村七号")
    place_tickets()
    next_a.refresh_from_db()
    next_b.refresh_from_db()
    assert (next_a.place_origin, next_a.grid_cell_id) == (PlaceOrigin.CENTER, a_cell.pk)
    assert (next_b.place_origin, next_b.grid_cell_id) == (PlaceOrigin.CENTER, b_cell.pk)


def test_a_gazetteer_file_names_its_streets_communities_and_keeps_its_own_entries(two_geographies):
    b_south = two_geographies["unit"]
    # A's file (load_test_street) put 南路社区 of A, not B's namesake
    assert not GazetteerEntry.objects.filter(community=b_south).exists()
    assert set(GazetteerEntry.objects.values_list("community__street__name", flat=True)) == {A}
    a_entries = list(GazetteerEntry.objects.order_by("key").values_list("pk", "key", "community_id", "grid_cell_id"))
    # B's file may hold an address A's gazetteer holds too: B gets its own entry, A's is untouched
    csv_text = "address,community,grid\n北京市朝阳区酒仙桥南路社区12号楼,南路社区,JT-NL-1\n将台路1号,南路社区,JT-NL-1\n"
    import_gazetteer(io.BytesIO(csv_text.encode()), street=B)
    assert (
        list(
            GazetteerEntry.objects.filter(street__name=A)
            .order_by("key")
            .values_list("pk", "key", "community_id", "grid_cell_id")
        )
        == a_entries
    )
    twelve = GazetteerEntry.objects.filter(key=address_key("酒仙桥南路社区12号楼"))
    assert sorted(twelve.values_list("street__name", "community__street__name")) == sorted([(A, A), (B, B)])
    assert GazetteerEntry.objects.get(address="将台路1号").community == b_south
    # each street's ticket at the shared address gets its own street's place
    a_ticket = make_ticket(address="朝阳区酒仙桥南路社区12号楼3单元", street=Street.objects.get(name=A))
    b_ticket = make_ticket(address="酒仙桥南路12号楼", street=Street.objects.get(name=B), lead_unit=b_south)
    place_tickets()
    a_ticket.refresh_from_db()
    b_ticket.refresh_from_db()
    assert a_ticket.grid_cell.code == "NL-1" and b_ticket.grid_cell.code == "JT-NL-1"
    # a cell of A is not one of B's
    with pytest.raises(DomainError):
        import_gazetteer(io.BytesIO("address,community,grid\n将台路2号,南路社区,NL-1\n".encode()), street=B)
    # with two streets, a file must name its street
    with pytest.raises(DomainError):
        import_gazetteer(io.BytesIO("address,community\n将台路3号,南路社区\n".encode()))
    assert Street.objects.count() == 2


def test_a_center_sees_and_edits_only_its_own_streets_geography(center_staff, two_geographies):
    b = two_geographies
    a_client = _client(center_staff)
    page = a_client.get("/geography/")
    assert {area.community.street.name for area in page.context["areas"]} == {A}
    assert len(page.context["areas"]) == 2
    assert {cell.code for cell in page.context["cells"]} == {"NL-1", "NL-2", "DL-1"}
    geojson = a_client.get("/geography/street.geojson").json()
    assert {f["properties"].get("code") for f in geojson["features"]} == {None, "NL-1", "NL-2", "DL-1"}
    assert len(geojson["features"]) == 5

    # A's center cannot edit B's grid cell: 404, unchanged
    from org.models import CommunityArea, GridCell

    theirs = GridCell.objects.get(code="JT-NL-1")
    before = (theirs.name, theirs.grid_worker)
    answer = a_client.post("/geography/", {"cell": theirs.pk, "name": "改名", "grid_worker": "赵明"})
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.grid_worker) == before != ("改名", "赵明")

    # A's file replaces A's areas and cells only; B's stay as they were
    from django.core.files.uploadedfile import SimpleUploadedFile

    b_before = sorted(GridCell.objects.filter(community__street__name=B).values_list("code", "updated_at"))
    upload = SimpleUploadedFile("street.geojson", (GEO_DATA / "street.geojson").read_bytes())
    a_client.post("/geography/", {"file": upload})
    assert sorted(GridCell.objects.filter(community__street__name=B).values_list("code", "updated_at")) == b_before
    assert CommunityArea.objects.filter(community__street__name=B).count() == 2
    # a file of A that names B's grid code is refused whole
    data = json.loads((GEO_DATA / "street.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"].get("code") == "NL-1":
            feature["properties"]["code"] = "JT-NL-1"
    with pytest.raises(DomainError) as refused:
        load_geography(io.BytesIO(json.dumps(data).encode()), street=A)
    assert "JT-NL-1" in refused.value.detail and B in refused.value.detail
    assert GridCell.objects.get(code="JT-NL-1").community == b["unit"]

    # B's center sees B's
    b_page = _client(b["center_staff"]).get("/geography/")
    assert {cell.code for cell in b_page.context["cells"]} == {"JT-NL-1", "JT-NL-2", "JT-DL-1"}


def test_a_point_in_another_streets_community_is_outside_the_tickets_street(
    api_client_for,
    unit_handler,
    handler_unit,
    b_people,  # noqa: F811
):
    from tests.factories import ticket_in

    load_test_street(gazetteer=False, street=A)  # only street A has its geography
    point = {"action": "confirm_place", "lon": 116.487, "lat": 39.965, "method": "location"}  # in A's 南路社区
    theirs = ticket_in("handling", lead_unit=b_people["unit"], street=b_people["unit"].street)
    answer = api_client_for(b_people["unit_handler"]).post(
        f"/api/v1/tickets/{theirs.ticket_no}/actions/", point, format="json"
    )
    assert answer.status_code == 400, answer.json()
    theirs.refresh_from_db()
    assert theirs.place_community_id is None and theirs.grid_cell_id is None
    ours = ticket_in("handling", lead_unit=handler_unit, street=handler_unit.street)
    answer = api_client_for(unit_handler).post(f"/api/v1/tickets/{ours.ticket_no}/actions/", point, format="json")
    assert answer.status_code == 200, answer.json()
    ours.refresh_from_db()
    assert ours.place_community_id == handler_unit.pk


def test_a_streets_areas_may_not_cover_another_streets(b_people):  # noqa: F811
    load_test_street(street=A)
    # B's file drawn over A's communities: refused whole, naming the feature and A's community
    with pytest.raises(DomainError) as refused:
        load_geography(_b_geography(east=0.0), street=B)
    assert "南路社区" in refused.value.detail and A in refused.value.detail
    assert not GridCell.objects.filter(community__street__name=B).exists()
    # beside A's, it is loaded
    load_geography(_b_geography(), street=B)
    assert (
        GridCell.objects.filter(community__street__name=B).count()
        == GridCell.objects.filter(community__street__name=A).count()
    )

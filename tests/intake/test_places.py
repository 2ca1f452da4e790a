"""Every ticket gets a place: the gazetteer, fuzzy Chinese addresses, the center's list (docs/geography.md)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dispatch.upstream import receive_ticket_and_record
from intake.address_keys import address_key, resolve
from intake.models import GazetteerEntry, PlaceOrigin, Ticket
from intake.places import (
    import_gazetteer,
    learn_from_history,
    place_address,
    place_tickets,
    unresolved_addresses,
)
from jxq_cases.lib.errors import DomainError
from org.models import GridCell, Unit
from tests.factories import make_ticket
from tests.geography import GEO_DATA, load_test_street


@pytest.mark.parametrize(
    "written, key",
    [
        ("北京市朝阳区酒仙桥南路社区12号楼", "酒仙桥南路12号楼"),
        ("朝阳区酒仙桥南路社区１２号楼３单元５０１", "酒仙桥南路12号楼"),  # full-width digits, unit and room
        ("朝阳区 酒仙桥南路小区十二号楼", "酒仙桥南路12号楼"),  # Chinese numerals, 小区, a space
        ("酒仙桥南路社区12栋2门", "酒仙桥南路12号楼"),
        ("酒仙桥南路12幢", "酒仙桥南路12号楼"),
        ("酒仙桥南路12-3-502", "酒仙桥南路12号楼"),
        ("酒仙桥东路社区5院", "酒仙桥东路5号院"),
        ("酒仙桥东路社区五号院门口", "酒仙桥东路5号院"),
        ("酒仙桥东路社区二十一号楼", "酒仙桥东路21号楼"),
    ],
)
def test_an_address_key_keeps_what_identifies_the_place(written, key):
    assert address_key(written) == key


@pytest.mark.django_db
def test_variants_and_typos_match_but_another_building_never_does():
    load_test_street()
    twelve = GridCell.objects.get(code="NL-1")
    for written in ("朝阳区酒仙桥南路社区十二号楼4单元", "酒仙桥南路12栋", "朝阳区酒仙桥南璐社区12号楼"):
        match = resolve(written)
        assert match is not None and match.grid_cell_id == twelve.pk, written
    assert resolve("朝阳区酒仙桥驼房营西里十二号楼").grid_cell_id == GridCell.objects.get(code="DL-1").pk
    typo = resolve("朝阳区酒仙桥驼芳营西里12号楼")  # a typo in the name: still 驼房营西里's building 12
    assert typo is not None and typo.grid_cell_id == GridCell.objects.get(code="DL-1").pk
    assert resolve("朝阳区酒仙桥南路社区14号楼") is None  # building 14 is not building 12 or 13
    assert resolve("朝阳区酒仙桥月亮湾3号楼") is None


@pytest.mark.django_db
def test_two_places_that_fit_alike_are_not_chosen_between():
    load_test_street()
    south, east = Unit.objects.get(name="南路社区"), Unit.objects.get(name="东路社区")
    GazetteerEntry.objects.create(
        street=south.street,
        address="酒仙桥甲路8号楼",
        key=address_key("酒仙桥甲路8号楼"),
        community=south,
        origin="imported",
    )
    GazetteerEntry.objects.create(
        street=east.street,
        address="酒仙桥乙路8号楼",
        key=address_key("酒仙桥乙路8号楼"),
        community=east,
        origin="imported",
    )
    assert resolve("酒仙桥丙路8号楼") is None


@pytest.mark.django_db
def test_a_ticket_received_gets_its_place_or_is_listed_unresolved(platform_client):
    load_test_street()
    fields = {
        "source": "city",
        "received_at": "2026-11-02 09:00:00",
        "kind": "complaint",
        "category": "环境卫生",
        "content": "楼下垃圾没人清",
    }
    placed = receive_ticket_and_record(
        {**fields, "ticket_no": "P1", "address": "朝阳区酒仙桥南路社区13号楼2单元"}, actor=platform_client
    ).ticket
    lost = receive_ticket_and_record(
        {**fields, "ticket_no": "P2", "address": "朝阳区酒仙桥星星村7号"}, actor=platform_client
    ).ticket
    placed.refresh_from_db()
    lost.refresh_from_db()
    assert placed.place_origin == PlaceOrigin.GAZETTEER
    assert (placed.grid_cell.code, placed.place_community.name) == ("NL-2", "南路社区")
    assert (placed.place_lon, placed.place_lat) == (116.487, 39.965)
    assert lost.place_origin == PlaceOrigin.UNRESOLVED and lost.grid_cell is None and lost.place_lon is None
    assert [row["address"] for row in unresolved_addresses()] == ["朝阳区酒仙桥星星村7号"]


@pytest.mark.django_db
def test_the_center_places_an_address_once_for_all_its_tickets():
    load_test_street()
    tickets = [make_ticket(address=a) for a in ("酒仙桥星星村7号", "朝阳区酒仙桥星星村7号附近", "酒仙桥月亮湾1号")]
    place_tickets()
    cell = GridCell.objects.get(code="DL-1")
    with pytest.raises(DomainError, match="outside the street"):
        place_address("酒仙桥星星村7号", grid_cell=cell, lon=116.70, lat=40.2)
    with pytest.raises(DomainError, match="not inside grid cell DL-1"):
        place_address("酒仙桥星星村7号", grid_cell=cell, lon=116.482, lat=39.965)
    assert place_address("酒仙桥星星村7号", grid_cell=cell) == 2
    first, second, third = (Ticket.objects.get(pk=t.pk) for t in tickets)
    assert first.place_origin == second.place_origin == PlaceOrigin.CENTER
    assert (second.grid_cell_id, second.place_lon) == (cell.pk, cell.center_lon)
    assert third.place_origin == PlaceOrigin.UNRESOLVED
    # the next ticket at that address is placed from the gazetteer the center taught
    later = make_ticket(address="朝阳区酒仙桥星星村七号")
    place_tickets()
    later.refresh_from_db()
    assert later.place_origin == PlaceOrigin.CENTER and later.grid_cell_id == cell.pk


@pytest.mark.django_db
def test_a_bad_gazetteer_is_refused_whole_naming_each_line(capsys):
    load_test_street(gazetteer=False)
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_gazetteer", str(GEO_DATA / "gazetteer_bad.csv"))
    err = capsys.readouterr().err
    assert "line 3: the point (116.6, 40.1) is outside the street" in err
    assert "line 4: grid cell DL-1 is not in 南路社区" in err
    assert not GazetteerEntry.objects.exists()


GAZETTEER_HEADER = "address,community,grid,lon,lat\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, named",
    [
        # PostgreSQL text cannot hold a NUL: the import crashed on it
        (GAZETTEER_HEADER + "南路\x0099号楼,南路社区,,,\n", "NUL character"),
        # a quote never closed swallowed the file up to the csv module's field limit, and crashed there
        (GAZETTEER_HEADER + '"' + "x" * 200_000 + '",南路社区,,,\n', "never closed"),
        (GAZETTEER_HEADER + "南路99号楼,南路社区,,,,,\n", "line 2: the row has 7 cells but the header has 5"),
        (GAZETTEER_HEADER + "南" * 300 + ",南路社区,,,\n", "line 2: the address is longer than 255 characters"),
        ("address,address,community\n南路99号楼,南路98号楼,南路社区\n", "names a column twice: address"),
    ],
)
def test_a_damaged_gazetteer_file_is_refused_naming_why(text, named):
    load_test_street(gazetteer=False)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        import_gazetteer(io.BytesIO(text.encode()))
    assert named in refused.value.detail
    assert not GazetteerEntry.objects.exists()


@pytest.mark.django_db
def test_importing_the_gazetteer_places_the_unresolved_tickets(capsys):
    load_test_street(gazetteer=False)
    ticket = make_ticket(address="朝阳区酒仙桥东路社区5号院3号楼")
    place_tickets()
    ticket.refresh_from_db()
    assert ticket.place_origin == PlaceOrigin.UNRESOLVED
    call_command("import_gazetteer", str(GEO_DATA / "gazetteer.csv"))
    assert "5 rows: 5 new addresses, 0 updated; 1 tickets placed" in capsys.readouterr().out
    ticket.refresh_from_db()
    assert ticket.place_origin == PlaceOrigin.GAZETTEER and ticket.grid_cell.code == "DL-1"


@pytest.mark.django_db
def test_the_street_learns_addresses_from_its_own_history():
    from django.utils import timezone

    load_test_street(gazetteer=False)
    east = Unit.objects.get(name="东路社区")
    cell = GridCell.objects.get(code="NL-2")
    # confirmed on site earlier: the point is learned
    make_ticket(
        address="酒仙桥南路社区30号楼",
        place_origin=PlaceOrigin.ON_SITE,
        grid_cell=cell,
        place_community=cell.community,
        place_lon=116.488,
        place_lat=39.966,
    )
    # handled twice by 东路社区, never placed: the community is learned
    for _ in range(2):
        make_ticket(
            address="酒仙桥东路市场", lead_unit=east, closed_at=timezone.now(), place_origin=PlaceOrigin.UNRESOLVED
        )
    waiting = make_ticket(address="朝阳区酒仙桥南路社区三十号楼1单元")
    assert learn_from_history() == 2
    waiting.refresh_from_db()
    assert waiting.place_origin == PlaceOrigin.HISTORY
    assert (waiting.grid_cell_id, waiting.place_lon) == (cell.pk, 116.488)
    market = resolve("酒仙桥东路市场")
    assert market.community_id == east.pk and market.grid_cell_id is None and market.lon is None


@pytest.mark.django_db
def test_the_demo_gazetteer_imports_and_places_the_demo_addresses():
    from demo.geography import GAZETTEER_FILE, GEOJSON_FILE
    from org.geography import load_geography

    load_geography(GEOJSON_FILE)
    result = import_gazetteer(GAZETTEER_FILE)
    assert result.created == result.rows > 270
    # a demo caller's address: community, building and unit
    match = resolve("朝阳区酒仙桥大山子社区12号楼3单元")
    assert match is not None and GridCell.objects.get(pk=match.grid_cell_id).community.name == "大山子社区"
    assert resolve("朝阳区酒仙桥大山子社区35号楼3单元") is None  # beyond the gazetteer: for the center


@pytest.mark.django_db
def test_a_csv_import_places_its_tickets_and_a_changed_address_is_looked_up_again(tmp_path):
    from dispatch.upstream import import_tickets_and_record
    from tests.intake.helpers import EN_TICKET_HEADER, write_csv

    load_test_street()
    row = "C1,city,2026-11-02 09:00,complaint,环境卫生,楼下垃圾没人清,王女士,13800001234,{address},,normal"
    import_tickets_and_record(
        write_csv(tmp_path / "a.csv", [EN_TICKET_HEADER, row.format(address="酒仙桥南路社区12号楼")])
    )
    ticket = Ticket.objects.get(ticket_no="C1")
    assert (ticket.place_origin, ticket.grid_cell.code) == (PlaceOrigin.GAZETTEER, "NL-1")
    # the upstream corrects the address while the ticket is still received
    import_tickets_and_record(
        write_csv(tmp_path / "b.csv", [EN_TICKET_HEADER, row.format(address="酒仙桥东路社区5号院")])
    )
    ticket.refresh_from_db()
    assert (ticket.place_origin, ticket.grid_cell.code) == (PlaceOrigin.GAZETTEER, "DL-1")


@pytest.mark.django_db
def test_a_gazetteer_with_the_chinese_headers_imports_too():
    load_test_street(gazetteer=False)
    text = "地址,社区,网格,经度,纬度\n朝阳区酒仙桥南路社区12号楼,南路社区,NL-1,116.482,39.965\n"
    result = import_gazetteer(io.BytesIO(text.encode("gb18030")))
    assert result.created == 1
    entry = GazetteerEntry.objects.get()
    assert (entry.community.name, entry.grid_cell.code, entry.lon) == ("南路社区", "NL-1", 116.482)

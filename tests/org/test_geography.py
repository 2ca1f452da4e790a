"""The street's geography from GeoJSON: loaded whole, or refused whole naming the feature (docs/geography.md)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jxq_cases.lib.errors import DomainError
from org.geography import as_feature_collection, load_geography, locate
from org.models import CommunityArea, GridCell, Unit
from tests.geography import GEO_DATA, load_test_street

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """The refusals are asserted in English (the msgids); the pages' test checks the Chinese."""
    with translation.override("en"):
        yield


def test_the_command_loads_communities_and_grid_cells_with_their_workers(capsys):
    call_command("import_geography", str(GEO_DATA / "street.geojson"))
    assert "2 community areas and 3 grid cells loaded" in capsys.readouterr().out
    assert sorted(CommunityArea.objects.values_list("community__name", flat=True)) == ["东路社区", "南路社区"]
    cell = GridCell.objects.get(code="NL-2")
    assert (cell.name, cell.community.name, cell.grid_worker) == ("南路第2网格", "南路社区", "李秀英")
    assert (cell.min_lon, cell.max_lon) == (116.485, 116.49)
    assert 116.485 < cell.center_lon < 116.49 and 39.96 < cell.center_lat < 39.97


def test_a_point_is_located_in_its_community_and_grid_cell():
    load_test_street(gazetteer=False)
    south_road = Unit.objects.get(name="南路社区")
    where = locate(116.487, 39.965)
    assert where.community_id == south_road.pk
    assert where.grid_cell_id == GridCell.objects.get(code="NL-2").pk
    assert locate(116.495, 39.965).grid_cell_id == GridCell.objects.get(code="DL-1").pk
    outside = locate(116.60, 40.10)
    assert not outside.in_street and outside.grid_cell_id is None


@pytest.mark.parametrize(
    "file_name, named",
    [
        ("bad_self_intersecting.geojson", "#2 东路社区: invalid polygon (Self-intersection"),
        ("bad_overlapping.geojson", "#1 community 南路社区 overlaps feature #2 community 东路社区"),
        ("bad_swapped.geojson", "#2 东路社区: the coordinates are in latitude, longitude order"),
        ("bad_grid_outside.geojson", "#6 grid XX-1 飞地网格 lies outside every community"),
        ("bad_unknown_community.geojson", "#6 月亮社区: “月亮社区” is not one of the street's communities"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_the_feature_and_nothing_changes(file_name, named):
    load_test_street(gazetteer=False)
    before = as_feature_collection()
    with pytest.raises(DomainError) as refused:
        load_geography(GEO_DATA / file_name)
    assert named in refused.value.detail
    assert "nothing was changed" in refused.value.detail
    assert as_feature_collection() == before


def test_the_command_exits_non_zero_on_a_bad_file_and_writes_nothing(capsys):
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_geography", str(GEO_DATA / "bad_overlapping.geojson"))
    assert "overlaps" in capsys.readouterr().err
    assert not CommunityArea.objects.exists() and not GridCell.objects.exists()


def test_not_json_and_not_a_feature_collection_are_refused(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(DomainError, match="not JSON"):
        load_geography(broken)
    point = tmp_path / "point.geojson"
    point.write_text(json.dumps({"type": "Point", "coordinates": [116.49, 39.97]}), encoding="utf-8")
    with pytest.raises(DomainError, match="FeatureCollection"):
        load_geography(point)


def _one_community(geometry) -> str:
    feature = {"type": "Feature", "properties": {"kind": "community", "name": "南路社区"}, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False)


SQUARE = [[116.48, 39.96], [116.49, 39.96], [116.49, 39.97], [116.48, 39.97], [116.48, 39.96]]


@pytest.mark.parametrize(
    "text, named",
    [
        # Python's json reads NaN and Infinity; JSON has no such numbers (NaN broke shapely's ring check)
        (_one_community({"type": "Polygon", "coordinates": [SQUARE]}).replace("116.48", "NaN"), "holds NaN"),
        (_one_community({"type": "Polygon", "coordinates": [SQUARE]}).replace("116.48", "-Infinity"), "-Infinity"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        # lists nested hundreds deep, under the JSON reader's limit: the positions are read level by level
        (
            _one_community({"type": "Polygon", "coordinates": []}).replace("[]", "[" * 600 + "]" * 600),
            "#1 南路社区: a position is not a pair of numbers: [[…]]",
        ),
        (_one_community({"type": "Polygon", "coordinates": {"0": 1}}), "南路社区: the coordinates are not nested"),
        (_one_community({"type": "Polygon", "coordinates": [[1, 2]]}), "社区: a position is not a pair of numbers: 1"),
        (_one_community({"type": "MultiPolygon", "coordinates": [SQUARE]}), "not a pair of numbers: 116.48"),
        (
            json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": [1]}]}),
            "#1: its properties are not an object",
        ),
    ],
)
def test_a_file_that_is_json_but_no_usable_geojson_is_refused_naming_why(text, named):
    load_test_street(gazetteer=False)
    before = as_feature_collection()
    with pytest.raises(DomainError) as refused:
        load_geography(io.BytesIO(text.encode()))
    assert named in refused.value.detail
    assert as_feature_collection() == before


def test_loading_again_replaces_the_grid_cells_not_in_the_file(tmp_path):
    load_test_street(gazetteer=False)
    data = json.loads((GEO_DATA / "street.geojson").read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"].get("code") != "NL-2"]
    data["features"][2]["properties"]["grid_worker"] = "赵明"
    smaller = tmp_path / "smaller.geojson"
    smaller.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = load_geography(smaller)
    assert (result.grid_cells, result.removed_grid_cells) == (2, 1)
    assert sorted(GridCell.objects.values_list("code", flat=True)) == ["DL-1", "NL-1"]
    assert GridCell.objects.get(code="NL-1").grid_worker == "赵明"


def test_the_demo_street_loads_and_is_marked_as_demo_data():
    from demo.geography import GEOJSON_FILE

    result = load_geography(GEOJSON_FILE)
    assert (result.communities, result.grid_cells, result.is_demo) == (9, 36, True)
    assert GridCell.objects.filter(is_demo=False).count() == 0
    # Jiuxianqiao is around 116.49°E 39.97°N
    assert locate(116.49, 39.97).in_street

"""The street's territory as its own data: community boundaries and grid cells from GeoJSON (docs/geography.md).

``load_geography`` reads a GeoJSON FeatureCollection, checks all of it and then replaces the street's
areas in one transaction, or refuses the whole file naming the feature. ``locate(lon, lat)`` answers
which community and grid cell a point lies in, from shapely geometries kept in memory and rebuilt
when the areas change. Coordinates are longitude, latitude (GeoJSON's order), in degrees, in the
coordinate system the street's own maps use.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.errors import GEOSException
from shapely.geometry import Point, shape
from shapely.ops import unary_union
from shapely.prepared import prep
from shapely.validation import explain_validity

from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import CommunityArea, GridCell, Street, Unit, UnitKind
from org.streets import street_named

# Two areas may touch along an edge; a shared surface above this (square degrees, ~1 m² here) overlaps.
OVERLAP_TOLERANCE = 1e-10
# A grid cell may stick out of its community by this much (degrees, ~1 m) where two drawings disagree.
EDGE_TOLERANCE = 1e-5
COMMUNITY, GRID = "community", "grid"


@dataclass
class Feature:
    """One checked feature of the file."""

    number: int  # 1-based position in the file
    kind: str
    name: str
    geometry: Any  # shapely geometry
    raw_geometry: dict
    properties: dict

    @property
    def label(self) -> str:
        code = self.properties.get("code")
        return f"#{self.number} {self.kind} {code + ' ' if code else ''}{self.name}"


@dataclass
class GeographyResult:
    communities: int = 0
    grid_cells: int = 0
    removed_grid_cells: int = 0
    is_demo: bool = False
    errors: list[str] = field(default_factory=list)


def _refuse(problems: list[str]) -> DomainError:
    return DomainError(
        ErrorCode.INVALID,
        _("The geography was not loaded, nothing was changed: %(problems)s") % {"problems": "; ".join(problems)},
        errors=[{"detail": p} for p in problems],
    )


def _read(source: str | Path | IO) -> tuple[dict, str]:
    if hasattr(source, "read"):
        text = source.read()
        name = getattr(source, "name", "") or ""
    else:
        path = Path(source)
        text = path.read_bytes()
        name = path.name
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _refuse([_("the file is not UTF-8 text")]) from exc
    try:
        return json.loads(text, parse_constant=_no_constant), str(name)
    except json.JSONDecodeError as exc:
        raise _refuse(
            [_("the file is not JSON (line %(line)s: %(msg)s)") % {"line": exc.lineno, "msg": exc.msg}]
        ) from exc
    except _NotANumber as exc:
        raise _refuse([_("the file holds %(word)s, which is not a number in JSON") % {"word": exc.args[0]}]) from exc
    except RecursionError as exc:
        raise _refuse([_("the file is nested too deeply to be GeoJSON")]) from exc


class _NotANumber(ValueError):
    pass


def _no_constant(word: str) -> float:
    """NaN and Infinity: Python's json reads them, JSON has no such numbers and no polygon has them."""
    raise _NotANumber(word)


# how deep the positions lie: a Polygon's coordinates are rings of positions, a MultiPolygon's polygons
NESTING = {"Polygon": 2, "MultiPolygon": 3}


def _positions(geometry: dict) -> list | None:
    """Every position of a Polygon's or MultiPolygon's coordinates, read level by level (a file may nest
    lists hundreds deep; recursion would fail on it), or None when they are not nested as the type says."""
    items = [geometry.get("coordinates")]
    for _level in range(NESTING[geometry["type"]]):
        if not all(isinstance(item, list) for item in items):
            return None
        items = [part for item in items for part in item]
    return items


def _coordinate_problem(geometry: dict) -> str | None:
    """A coordinate that is not a longitude/latitude pair, or one that reads as latitude first."""
    positions = _positions(geometry)
    if positions is None:
        return _("the coordinates are not nested as a %(type)s") % {"type": geometry["type"]}
    for position in positions:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            flat = not isinstance(position, list) or not any(isinstance(v, list | dict) for v in position)
            return _("a position is not a pair of numbers: %(p)s") % {"p": str(position)[:80] if flat else "[[…]]"}
        lon, lat = position[0], position[1]
        if abs(lat) > 90 and abs(lon) <= 90:
            return _(
                "the coordinates are in latitude, longitude order (%(a)s, %(b)s); GeoJSON wants longitude first"
            ) % {"a": lon, "b": lat}
        if abs(lon) > 180 or abs(lat) > 90:
            return _("(%(a)s, %(b)s) is not a longitude, latitude in degrees") % {"a": lon, "b": lat}
    return None


def check_features(data: Any, communities: dict[str, Unit]) -> tuple[list[Feature], list[str]]:
    """Every feature of the collection checked on its own: kind, names, geometry (valid polygons,
    longitude first). Returns the features and the problems, each naming its feature."""
    problems: list[str] = []
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return [], [_("expected a GeoJSON FeatureCollection")]
    if not data["features"]:
        return [], [_("the collection has no features")]
    features: list[Feature] = []
    seen_names: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(data["features"], start=1):
        where = f"#{number}"
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            problems.append(_("feature %(f)s: is not a GeoJSON Feature") % {"f": where})
            continue
        properties = raw.get("properties") or {}
        if not isinstance(properties, dict):
            problems.append(_("feature %(f)s: its properties are not an object") % {"f": where})
            continue
        kind = properties.get("kind")
        name = str(properties.get("name") or "").strip()
        where = f"#{number} {name}".strip()
        if kind not in (COMMUNITY, GRID):
            problems.append(_("feature %(f)s: kind must be “community” or “grid”") % {"f": where})
            continue
        if not name:
            problems.append(_("feature %(f)s: has no name") % {"f": where})
            continue
        if kind == COMMUNITY and name not in communities:
            problems.append(
                _("feature %(f)s: “%(name)s” is not one of the street's communities") % {"f": where, "name": name}
            )
            continue
        if kind == GRID:
            code = str(properties.get("code") or "").strip()
            if not code:
                problems.append(_("feature %(f)s: a grid cell needs a code") % {"f": where})
                continue
            if str(properties.get("community") or "").strip() not in communities:
                problems.append(
                    _("feature %(f)s: its community “%(c)s” is not one of the street's communities")
                    % {"f": where, "c": properties.get("community") or ""}
                )
                continue
            key = (GRID, code)
        else:
            key = (COMMUNITY, name)
        if key in seen_names:
            problems.append(
                _("feature %(f)s: the same %(kind)s as feature #%(other)s")
                % {"f": where, "kind": kind, "other": seen_names[key]}
            )
            continue
        seen_names[key] = number
        geometry = raw.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(_("feature %(f)s: the geometry must be a Polygon or MultiPolygon") % {"f": where})
            continue
        problem = _coordinate_problem(geometry)
        if problem:
            problems.append(_("feature %(f)s: %(problem)s") % {"f": where, "problem": problem})
            continue
        try:
            geom = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError, GEOSException) as exc:
            problems.append(_("feature %(f)s: the geometry cannot be read (%(e)s)") % {"f": where, "e": exc})
            continue
        if not geom.is_valid:
            problems.append(_("feature %(f)s: invalid polygon (%(why)s)") % {"f": where, "why": explain_validity(geom)})
            continue
        if geom.is_empty or geom.area <= 0:
            problems.append(_("feature %(f)s: the polygon is empty") % {"f": where})
            continue
        features.append(Feature(number, kind, name, geom, geometry, properties))
    return features, problems


def check_layout(features: list[Feature]) -> list[str]:
    """How the features lie together: no two communities overlap, no two grid cells overlap, and each
    grid cell lies inside the community it names (and so inside the street)."""
    problems: list[str] = []
    for kind in (COMMUNITY, GRID):
        group = [f for f in features if f.kind == kind]
        tree = STRtree([f.geometry for f in group])
        for i, feature in enumerate(group):
            for j in tree.query(feature.geometry):
                if j <= i:
                    continue
                other = group[int(j)]
                if feature.geometry.intersection(other.geometry).area > OVERLAP_TOLERANCE:
                    problems.append(_("feature %(f)s overlaps feature %(g)s") % {"f": feature.label, "g": other.label})
    areas = {f.name: f.geometry for f in features if f.kind == COMMUNITY}
    street = unary_union(list(areas.values())) if areas else None
    for feature in (f for f in features if f.kind == GRID):
        community = str(feature.properties.get("community")).strip()
        if street is None or not feature.geometry.intersects(street):
            problems.append(_("feature %(f)s lies outside every community") % {"f": feature.label})
        elif community not in areas:
            problems.append(
                _("feature %(f)s: its community %(c)s has no boundary in the file")
                % {"f": feature.label, "c": community}
            )
        elif not areas[community].buffer(EDGE_TOLERANCE).contains(feature.geometry):
            problems.append(_("feature %(f)s is not inside its community %(c)s") % {"f": feature.label, "c": community})
    return problems


def _overlaps_with_other_streets(features: list[Feature], street: Street) -> list[str]:
    """A street's communities may not cover another street's: a point must lie in one street only
    (docs/district.md). Each community of the file is checked against the other streets' areas."""
    others = list(
        CommunityArea.objects.exclude(community__street=street).values_list(
            "community__name", "community__street__name", "boundary"
        )
    )
    if not others:
        return []
    tree = STRtree([shape(boundary) for _name, _street, boundary in others])
    problems = []
    for feature in (f for f in features if f.kind == COMMUNITY):
        for j in tree.query(feature.geometry):
            name, other_street, _boundary = others[int(j)]
            if feature.geometry.intersection(tree.geometries[int(j)]).area > OVERLAP_TOLERANCE:
                problems.append(
                    _("feature %(f)s overlaps community %(c)s of another street (%(street)s)")
                    % {"f": feature.label, "c": name, "street": other_street}
                )
    return problems


def _area_fields(feature: Feature, *, is_demo: bool, source: str) -> dict:
    min_lon, min_lat, max_lon, max_lat = feature.geometry.bounds
    inside = feature.geometry.representative_point()
    return {
        "boundary": feature.raw_geometry,
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "center_lon": round(inside.x, 6),
        "center_lat": round(inside.y, 6),
        "is_demo": is_demo,
        "source": source[:255],
    }


def load_geography(
    source: str | Path | IO, *, file_name: str = "", street: Street | str | None = None
) -> GeographyResult:
    """Replace the street's communities' boundaries and grid cells with those of the file, or refuse
    the whole file with every problem, naming the feature; nothing is written then. Grid cells that
    are not in the file are removed (their tickets lose the cell and are placed again).

    The file is one street's (``street``; default the only street, several: name it): its
    communities are named within that street, only that street's areas are replaced, and a grid
    code another street's cell holds is refused (docs/district.md)."""
    street = street if isinstance(street, Street) else street_named(street)
    data, read_name = _read(source)
    file_name = file_name or read_name
    communities = {u.name: u for u in Unit.objects.filter(kind=UnitKind.COMMUNITY, street=street)}
    features, problems = check_features(data, communities)
    if not problems:
        problems = check_layout(features)
    if not problems:
        problems = _overlaps_with_other_streets(features, street)
    if not problems:
        codes_in_file = [str(f.properties["code"]).strip() for f in features if f.kind == GRID]
        held = GridCell.objects.filter(code__in=codes_in_file).exclude(community__street=street)
        problems = [
            _("grid cell %(code)s is a cell of another street (%(street)s)") % {"code": code, "street": other}
            for code, other in held.values_list("code", "community__street__name")
        ]
    if problems:
        raise _refuse(problems)
    is_demo = bool(isinstance(data, dict) and (data.get("properties") or {}).get("demo"))
    result = GeographyResult(is_demo=is_demo)
    with transaction.atomic():
        in_file = set()
        for feature in features:
            if feature.kind != COMMUNITY:
                continue
            CommunityArea.objects.update_or_create(
                community=communities[feature.name], defaults=_area_fields(feature, is_demo=is_demo, source=file_name)
            )
            in_file.add(communities[feature.name].pk)
            result.communities += 1
        CommunityArea.objects.filter(community__street=street).exclude(community_id__in=in_file).delete()
        codes = set()
        for feature in features:
            if feature.kind != GRID:
                continue
            code = str(feature.properties["code"]).strip()
            GridCell.objects.update_or_create(
                code=code,
                defaults={
                    **_area_fields(feature, is_demo=is_demo, source=file_name),
                    "name": feature.name,
                    "community": communities[str(feature.properties["community"]).strip()],
                    "grid_worker": str(feature.properties.get("grid_worker") or "")[:50],
                    "grid_worker_phone": str(feature.properties.get("grid_worker_phone") or "")[:40],
                },
            )
            codes.add(code)
            result.grid_cells += 1
        result.removed_grid_cells, _removed = (
            GridCell.objects.filter(community__street=street).exclude(code__in=codes).delete()
        )
    forget_index()
    return result


def as_feature_collection(street_ids: set[int] | None = None) -> dict:
    """The street's geography as GeoJSON, as ``load_geography`` reads it (the export and the map);
    with ``street_ids``, those streets' communities and cells only."""
    features = []
    is_demo = False
    areas = CommunityArea.objects.select_related("community")
    cells = GridCell.objects.select_related("community")
    if street_ids is not None:
        areas = areas.filter(community__street_id__in=street_ids)
        cells = cells.filter(community__street_id__in=street_ids)
    for area in areas:
        is_demo = is_demo or area.is_demo
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": COMMUNITY, "name": area.community.name, "id": area.community_id},
                "geometry": area.boundary,
            }
        )
    for cell in cells:
        is_demo = is_demo or cell.is_demo
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": GRID,
                    "code": cell.code,
                    "name": cell.name,
                    "community": cell.community.name,
                    "grid_worker": cell.grid_worker,
                    "grid_worker_phone": cell.grid_worker_phone,
                    "id": cell.pk,
                },
                "geometry": cell.boundary,
            }
        )
    collection: dict = {"type": "FeatureCollection", "features": features}
    if is_demo:
        collection["properties"] = {"demo": True}
    return collection


# --- where a point lies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    community_id: int | None
    grid_cell_id: int | None

    @property
    def in_street(self) -> bool:
        return self.community_id is not None


@dataclass
class _Index:
    version: tuple
    communities: list[tuple[int, Any]]  # (unit id, prepared geometry)
    cells: list[tuple[int, int, Any]]  # (cell id, community id, prepared geometry)
    cell_tree: Any
    cell_shapes: list[Any]


_index: _Index | None = None
_index_lock = threading.Lock()


def _version() -> tuple:
    a = CommunityArea.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    g = GridCell.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (a["n"], a["at"], g["n"], g["at"])


def forget_index() -> None:
    global _index
    with _index_lock:
        _index = None


def _current_index() -> _Index:
    global _index
    version = _version()
    with _index_lock:
        if _index is None or _index.version != version:
            communities = [(a.community_id, prep(shape(a.boundary))) for a in CommunityArea.objects.all()]
            cells = list(GridCell.objects.values_list("id", "community_id", "boundary"))
            shapes = [shape(boundary) for _id, _community, boundary in cells]
            _index = _Index(
                version,
                communities,
                [(cid, community, prep(s)) for (cid, community, _b), s in zip(cells, shapes, strict=True)],
                STRtree(shapes) if shapes else None,
                shapes,
            )
        return _index


def has_geography() -> bool:
    return CommunityArea.objects.exists()


def locate(lon: float, lat: float) -> Location:
    """The community and grid cell at a point; both None outside the street."""
    return _locate(_current_index(), lon, lat)


def locator():
    """``locate`` bound to the areas as they are now, for many points in a row (an import)."""
    index = _current_index()
    return lambda lon, lat: _locate(index, lon, lat)


def _locate(index: _Index, lon: float, lat: float) -> Location:
    point = Point(lon, lat)
    community_id = next((uid for uid, geom in index.communities if geom.covers(point)), None)
    cell_id = None
    if index.cell_tree is not None:
        for j in index.cell_tree.query(point):
            cid, cell_community, geom = index.cells[int(j)]
            if geom.covers(point):
                cell_id = cid
                community_id = community_id or cell_community
                break
    return Location(community_id, cell_id)

"""The demo street's territory and gazetteer: APPROXIMATE shapes, not surveyed (docs/geography.md).

Nine communities laid out as a slightly bent 3×3 patchwork around Jiuxianqiao (about 116.49°E,
39.97°N), each cut into four grid cells, and a gazetteer of the buildings the demo's callers name.
The shapes only resemble the street; a real street imports its own surveyed boundaries with
``manage.py import_geography``. ``scripts/make-demo-geography.py`` writes the two files under
``demo/data/`` from this module, and ``seed_demo`` loads them through the real import paths.
"""

from __future__ import annotations

import random
from pathlib import Path

from org.units import JIUXIANQIAO_COMMUNITIES

DATA = Path(__file__).resolve().parent / "data"
GEOJSON_FILE = DATA / "jiuxianqiao_demo.geojson"
GAZETTEER_FILE = DATA / "jiuxianqiao_demo_gazetteer.csv"

WEST, EAST = 116.476, 116.506
SOUTH, NORTH = 39.955, 39.985
# where each community sits in the 3×3 patchwork (row 0 is the north)
LAYOUT = [
    ["驼房营西里社区", "高家园社区", "怡思苑社区"],
    ["中北路社区", "电子球场路社区", "东路社区"],
    ["大山子社区", "红霞路社区", "南路社区"],
]
# buildings 1..GAZETTEER_BUILDINGS of each community are in the gazetteer; the demo's callers also
# name higher numbers, which stay unresolved until the center places them once
GAZETTEER_BUILDINGS = 30
WORKER_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林"


def _lattice(n: int, rng: random.Random) -> list[list[tuple[float, float]]]:
    """(n+1)×(n+1) corner points, inner ones nudged so that the shapes are not a plain chessboard."""
    points = []
    for row in range(n + 1):
        line = []
        for col in range(n + 1):
            lon = WEST + (EAST - WEST) * col / n
            lat = NORTH - (NORTH - SOUTH) * row / n
            if 0 < row < n:
                lat += rng.uniform(-0.0015, 0.0015)
            if 0 < col < n:
                lon += rng.uniform(-0.002, 0.002)
            line.append((round(lon, 6), round(lat, 6)))
        points.append(line)
    return points


def _mix(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _quad(nw, ne, se, sw, u0, u1, v0, v1):
    """The part [u0,u1]×[v0,v1] of the quadrilateral nw-ne-se-sw (bilinear), as a closed ring."""

    def at(u, v):
        top, bottom = _mix(nw, ne, u), _mix(sw, se, u)
        point = _mix(top, bottom, v)
        return [round(point[0], 6), round(point[1], 6)]

    # counter-clockwise (GeoJSON's right-hand rule for outer rings): sw, se, ne, nw
    ring = [at(u0, v1), at(u1, v1), at(u1, v0), at(u0, v0)]
    return [ring + [ring[0]]]


def demo_geography(seed: int = 16) -> dict:
    """The demo street as a GeoJSON FeatureCollection in ``import_geography``'s format."""
    assert sorted(name for row in LAYOUT for name in row) == sorted(JIUXIANQIAO_COMMUNITIES)
    rng = random.Random(seed)
    corners = _lattice(3, rng)
    features = []
    cells = []
    for row, names in enumerate(LAYOUT):
        for col, name in enumerate(names):
            nw, ne = corners[row][col], corners[row][col + 1]
            sw, se = corners[row + 1][col], corners[row + 1][col + 1]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"kind": "community", "name": name},
                    "geometry": {"type": "Polygon", "coordinates": _quad(nw, ne, se, sw, 0, 1, 0, 1)},
                }
            )
            number = 0
            for v0, v1 in ((0, 0.5), (0.5, 1)):
                for u0, u1 in ((0, 0.5), (0.5, 1)):
                    number += 1
                    short = name.removesuffix("社区")
                    worker = rng.choice(WORKER_SURNAMES) + rng.choice("建国秀英丽华志强海燕玉兰明")
                    cells.append(
                        {
                            "type": "Feature",
                            "properties": {
                                "kind": "grid",
                                "code": f"JXQ-{row * 3 + col + 1:02d}-{number}",
                                "name": f"{short}第{number}网格",
                                "community": name,
                                "grid_worker": worker,
                                "grid_worker_phone": f"1380000{row * 3 + col + 1:02d}{number:02d}",
                            },
                            "geometry": {"type": "Polygon", "coordinates": _quad(nw, ne, se, sw, u0, u1, v0, v1)},
                        }
                    )
    return {
        "type": "FeatureCollection",
        "properties": {
            "demo": True,
            "note": "DEMO DATA: approximate shapes around Jiuxianqiao, not surveyed boundaries",
        },
        "features": features + cells,
    }


def demo_gazetteer(collection: dict, seed: int = 16) -> list[dict]:
    """Rows of the gazetteer CSV: each community's buildings 1..30 at a point inside one of its cells,
    and the demo's hot spot places (``demo.content.HOT_SPOTS``)."""
    from shapely.geometry import shape

    from demo.content import HOT_SPOTS
    from intake.address_keys import address_key

    rng = random.Random(seed)
    cells: dict[str, list[tuple[str, object]]] = {}
    for feature in collection["features"]:
        props = feature["properties"]
        if props["kind"] == "grid":
            cells.setdefault(props["community"], []).append((props["code"], shape(feature["geometry"])))

    def point_in(geom) -> tuple[float, float]:
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        from shapely.geometry import Point

        while True:
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            if geom.buffer(-0.0002).contains(Point(lon, lat)):
                return round(lon, 6), round(lat, 6)

    rows = []
    for community in JIUXIANQIAO_COMMUNITIES:
        for building in range(1, GAZETTEER_BUILDINGS + 1):
            code, geom = cells[community][(building - 1) * len(cells[community]) // GAZETTEER_BUILDINGS]
            lon, lat = point_in(geom)
            rows.append(
                {
                    "address": f"朝阳区酒仙桥{community}{building}号楼",
                    "community": community,
                    "grid": code,
                    "lon": lon,
                    "lat": lat,
                }
            )
    known = {address_key(row["address"]) for row in rows}
    for spot in HOT_SPOTS:
        if address_key(spot["address"]) in known:  # a building listed above already
            continue
        code, geom = rng.choice(cells[spot["community"]])
        lon, lat = point_in(geom)
        rows.append({"address": spot["address"], "community": spot["community"], "grid": code, "lon": lon, "lat": lat})
    return rows

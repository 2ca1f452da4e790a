"""Write the test street's GeoJSON files: one good, and one per kind of bad input (docs/geography.md).

.venv/bin/python tests/data/geography/make_geography.py
"""

import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def box(west, south, east, north):
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def community(name, geometry):
    return {"type": "Feature", "properties": {"kind": "community", "name": name}, "geometry": geometry}


def grid(code, name, community_name, geometry, worker="王建国"):
    return {
        "type": "Feature",
        "properties": {
            "kind": "grid",
            "code": code,
            "name": name,
            "community": community_name,
            "grid_worker": worker,
            "grid_worker_phone": "13800000001",
        },
        "geometry": geometry,
    }


GOOD = {
    "type": "FeatureCollection",
    "features": [
        community("南路社区", box(116.48, 39.96, 116.49, 39.97)),
        community("东路社区", box(116.49, 39.96, 116.50, 39.97)),
        grid("NL-1", "南路第1网格", "南路社区", box(116.48, 39.96, 116.485, 39.97)),
        grid("NL-2", "南路第2网格", "南路社区", box(116.485, 39.96, 116.49, 39.97), worker="李秀英"),
        grid("DL-1", "东路第1网格", "东路社区", box(116.49, 39.96, 116.50, 39.97), worker="张海燕"),
    ],
}


def variant(change):
    data = copy.deepcopy(GOOD)
    change(data["features"])
    return data


BAD = {
    # a bow tie: the ring crosses itself
    "bad_self_intersecting.geojson": variant(
        lambda f: f[1].update(
            geometry={
                "type": "Polygon",
                "coordinates": [[[116.49, 39.96], [116.50, 39.97], [116.50, 39.96], [116.49, 39.97], [116.49, 39.96]]],
            }
        )
    ),
    # 东路社区 reaches into 南路社区
    "bad_overlapping.geojson": variant(lambda f: f[1].update(geometry=box(116.487, 39.96, 116.50, 39.97))),
    # latitude first
    "bad_swapped.geojson": variant(lambda f: f[1].update(geometry=box(39.96, 116.49, 39.97, 116.50))),
    # a grid cell far from both communities
    "bad_grid_outside.geojson": variant(
        lambda f: f.append(grid("XX-1", "飞地网格", "东路社区", box(116.60, 40.10, 116.61, 40.11)))
    ),
    # a community the street does not have
    "bad_unknown_community.geojson": variant(
        lambda f: f.append(community("月亮社区", box(116.50, 39.96, 116.51, 39.97)))
    ),
}

if __name__ == "__main__":
    for name, data in {"street.geojson": GOOD, **BAD}.items():
        (HERE / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

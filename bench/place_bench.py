"""How well and how fast addresses find their place (docs/geography.md).

Builds the matcher from the demo gazetteer (demo/data/, no database needed), then writes each known
building address the way callers do — full-width digits, Chinese numerals, 栋/幢/号楼, a unit and
room, a dropped 社区, one wrong character in the name — plus addresses the gazetteer does not know
(a building number beyond it), and prints how many found the right place, a wrong one, or none,
with the time per address.

    .venv/bin/python bench/place_bench.py [--seed 16]
"""

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")

import django  # noqa: E402

django.setup()

from demo.geography import GAZETTEER_FILE  # noqa: E402
from intake.address_keys import _Gazetteer, address_key  # noqa: E402

CN = "零一二三四五六七八九"
NEAR = {"路": "璐", "园": "圆", "营": "莹", "苑": "院", "山": "三", "南": "楠", "东": "冬", "里": "理", "北": "背"}


def chinese(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def variants(community: str, building: int, rng: random.Random) -> list[str]:
    name = community.removesuffix("社区")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in str(building))
    typo = "".join(NEAR.get(c, c) if i == rng.randrange(len(name)) else c for i, c in enumerate(name))
    return [
        f"朝阳区酒仙桥{community}{building}号楼{rng.randint(1, 6)}单元{rng.randint(1, 20)}0{rng.randint(1, 4)}",
        f"北京市朝阳区酒仙桥{community}{wide}号楼",
        f"酒仙桥{name}小区{chinese(building)}号楼",
        f"酒仙桥{community}{building}栋门口",
        f"酒仙桥{name}{building}-{rng.randint(1, 6)}-{rng.randint(101, 1802)}",
        f"朝阳区酒仙桥{typo}社区{building}号楼",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with GAZETTEER_FILE.open(encoding="utf-8") as f:
        entries = list(csv.DictReader(f))
    rows = [
        (i, address_key(e["address"]), e["community"], e["grid"], None, None, "imported") for i, e in enumerate(entries)
    ]
    book = _Gazetteer("bench", rows)
    by_id = {i: e for i, e in enumerate(entries)}
    cases = []  # (address, expected grid or None)
    for entry in entries:
        head, _sep, rest = entry["address"].removeprefix("朝阳区酒仙桥").partition("社区")
        if not rest.endswith("号楼"):
            continue
        building = int(rest.removesuffix("号楼"))
        cases += [(text, entry["grid"]) for text in variants(head + "社区", building, rng)]
        cases.append((f"朝阳区酒仙桥{head}社区{building + 40}号楼", None))  # beyond the gazetteer
    right = wrong = none = unknown_left = 0
    times = []
    for text, expected in cases:
        start = time.perf_counter()
        match = book.find(address_key(text))
        times.append(time.perf_counter() - start)
        got = by_id[match.entry_id]["grid"] if match else None
        if expected is None:
            unknown_left += got is None
            wrong += got is not None
        elif got == expected:
            right += 1
        elif got is None:
            none += 1
        else:
            wrong += 1
    known = sum(1 for _t, e in cases if e is not None)
    unknown = len(cases) - known
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"gazetteer: {len(entries)} addresses; {len(cases)} caller addresses", end=" ")
    print(f"({known} known places, {unknown} unknown)")
    print(f"known places: {right} right ({100 * right / known:.1f}%), {none} left for the center, wrong place: {wrong}")
    print(f"unknown places left unresolved: {unknown_left}/{unknown}")
    print(f"time per address: median {statistics.median(times) * 1e6:.0f} µs, max {max(times) * 1e3:.1f} ms")
    print(f"load: {load}")
    print("command: .venv/bin/python bench/place_bench.py --seed", args.seed)


if __name__ == "__main__":
    main()

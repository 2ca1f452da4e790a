"""Top-1 and top-3 accuracy of the triage assistant: trained on the earlier months, tested on the latest.

    DEBUG=1 .venv/bin/python bench/triage_bench.py [--months 6] [--per-day 37] [--routing street|demo] [--seed 7]

No database: the tickets are generated here, demo-like (the demo's categories and phrasings from
``demo/content.py``, the street's nine communities and departments from ``org/units.py``), and fed to
``proactive.triage_model.fit`` / ``rank`` exactly as the nightly job and the panel use them.

What the generated street looks like (written down so that the figures can be judged):

- each community has its own roads and courtyards; the address names one of them with a building
  (``酒仙桥南路12号院3号楼``), a crossing of two roads, or nothing (15 %); the upstream leaves the
  community out in 20 % and the category in 10 %; the caller's opening names the community in about
  half the tickets, a road in some others;
- ``--routing street`` (default): a rule a center could follow — requests about life inside a
  courtyard (property, neighbours, dogs, waste sorting, old-estate renovation, epidemic questions) go
  to the community when the address is a courtyard or building, everything else to the category's
  department (``demo/content.py``); 12 % of the tickets are routed otherwise by the clerk on duty (to
  a random department or the community): noise no model can learn. Co-handlers: the city management
  office helps with 40 % of illegal building and 30 % of unlicensed trading, a random department with
  3 % of the rest;
- ``--routing demo``: the played demo's own rule (``demo/stories.py``): the community leads 55 % of the
  tickets, the category's department 30 %, a department drawn at random 15 % — drawn per ticket,
  independent of what the request says, so no model can beat the rule's own odds (printed as the
  ceiling).
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")

import django  # noqa: E402

django.setup()

from demo.content import CALLER_OPENINGS, CATEGORIES, ROUTED_DEPARTMENTS  # noqa: E402
from org.units import CENTER_NAME, JIUXIANQIAO_COMMUNITIES, JIUXIANQIAO_DEPARTMENTS  # noqa: E402
from proactive.triage_model import Example, fit, rank  # noqa: E402

PLACES = {
    "大山子社区": ["大山子", "大山子环岛", "酒仙桥北路甲"],
    "中北路社区": ["酒仙桥中北路", "中北路小区"],
    "高家园社区": ["高家园小区", "高家园"],
    "红霞路社区": ["红霞路", "红霞路小区"],
    "南路社区": ["酒仙桥南路", "南路小区"],
    "电子球场路社区": ["电子球场路", "电子球场"],
    "东路社区": ["酒仙桥东路", "东路小区"],
    "怡思苑社区": ["怡思苑"],
    "驼房营西里社区": ["驼房营西里", "驼房营路"],
}
INSIDE = {"物业管理", "邻里纠纷", "养犬管理", "垃圾分类", "老旧小区改造", "疫情防控"}
CO_UNIT_RULES = {"违法建设": ("城市管理办公室", 0.4), "无照经营": ("城市管理办公室", 0.3)}
EXTRA = ["", "", "希望尽快处理。", "已经反映过多次了。", "请相关部门管一管。", "影响正常生活。"]
START = datetime(2026, 1, 1, tzinfo=UTC)


def ids():
    names = JIUXIANQIAO_COMMUNITIES + [d for d in JIUXIANQIAO_DEPARTMENTS if d != CENTER_NAME]
    units = {name: i + 1 for i, name in enumerate(names)}
    categories = {name: 100 + i for i, name in enumerate(CATEGORIES)}
    return units, categories


def generate(months: int, per_day: int, routing: str, seed: int) -> list[tuple[Example, dict]]:
    rng = random.Random(seed)
    units, categories = ids()
    departments = [d for d in JIUXIANQIAO_DEPARTMENTS if d != CENTER_NAME]
    out = []
    for day in range(months * 30):
        for _ in range(rng.randint(per_day // 2, per_day * 3 // 2)):
            community = rng.choice(JIUXIANQIAO_COMMUNITIES)
            stem = rng.choice(PLACES[community])
            category = rng.choice(list(CATEGORIES))
            department, phrasings = CATEGORIES[category]
            form = rng.random()
            if form < 0.55:
                address = f"朝阳区酒仙桥{stem}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
                inside = True
            elif form < 0.7:
                address = f"{stem}{rng.randint(1, 20)}号院"
                inside = True
            elif form < 0.85:
                other = rng.choice(PLACES[rng.choice(JIUXIANQIAO_COMMUNITIES)])
                address = f"{stem}与{other}交叉口"
                inside = False
            else:
                address, inside = "", rng.random() < 0.5
            opening = rng.choice(CALLER_OPENINGS).format(c=community if rng.random() < 0.6 else "")
            if rng.random() < 0.2:
                opening += f"家住{stem},"
            content = opening + rng.choice(phrasings) + rng.choice(EXTRA)
            if routing == "demo":
                draw = rng.random()
                if draw < 0.55:
                    lead, rule = community, "community"
                elif draw < 0.85:
                    lead, rule = department, "category"
                else:
                    lead, rule = rng.choice(ROUTED_DEPARTMENTS), "routed"
            else:
                lead = community if (category in INSIDE and inside) else department
                rule = "rule"
                if rng.random() < 0.12:
                    lead, rule = rng.choice([*departments, community]), "noise"
            co = []
            helper, share = CO_UNIT_RULES.get(category, (None, 0.0))
            if helper and helper != lead and rng.random() < share:
                co.append(units[helper])
            elif rng.random() < 0.03:
                co.append(units[rng.choice([d for d in departments if d != lead])])
            received = START + timedelta(days=day, minutes=rng.randint(0, 1439))
            example = Example(
                content=content,
                address=address,
                community_id=units[community] if rng.random() > 0.2 else None,
                category_id=categories[category] if rng.random() > 0.1 else None,
                lead_unit_id=units[lead],
                co_unit_ids=tuple(co),
                received_at=received,
            )
            out.append((example, {"community": units[community], "lead": units[lead], "rule": rule}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--per-day", type=int, default=37, help="mean tickets a day (the street: ~37)")
    parser.add_argument("--routing", choices=["street", "demo"], default="street")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = generate(args.months, args.per_day, args.routing, args.seed)
    cut = START + timedelta(days=(args.months - 1) * 30)
    train = [e for e, _t in data if e.received_at < cut]
    test = [(e, truth) for e, truth in data if e.received_at >= cut]
    # what the history holds: the community the center settled on, even where the upstream left it out
    train = [
        Example(e.content, e.address, truth["community"], e.category_id, e.lead_unit_id, e.co_unit_ids, e.received_at)
        for e, truth in ((e, t) for e, t in data if e.received_at < cut)
    ]
    started = time.perf_counter()
    fitted = fit(train)
    fitted_in = time.perf_counter() - started
    hits = {"lead": [0, 0], "community": [0, 0], "community_missing": [0, 0]}
    confident = [0, 0]
    started = time.perf_counter()
    for example, truth in test:
        ranked = rank(fitted, example)
        lead = [v for v, _p in ranked["lead_unit"].classes]
        hits["lead"][0] += lead[:1] == [truth["lead"]]
        hits["lead"][1] += truth["lead"] in lead[:3]
        community = [v for v, _p in ranked["community"].classes]
        hits["community"][0] += community[:1] == [truth["community"]]
        hits["community"][1] += truth["community"] in community[:3]
        if example.community_id is None:
            hits["community_missing"][0] += community[:1] == [truth["community"]]
            hits["community_missing"][1] += truth["community"] in community[:3]
        top_p = ranked["lead_unit"].classes[0][1]
        if top_p >= 0.3:
            confident[0] += 1
            confident[1] += lead[:1] == [truth["lead"]]
    per_ticket = (time.perf_counter() - started) * 1000 / len(test)
    missing = sum(1 for e, _t in test if e.community_id is None)
    n = len(test)
    load = os.getloadavg()[0]
    print(
        f"$ DEBUG=1 .venv/bin/python bench/triage_bench.py --months {args.months} --per-day {args.per_day} "
        f"--routing {args.routing} --seed {args.seed}"
    )
    print(
        f"generated {args.routing}-routed tickets: {len(train)} for training (months 1-{args.months - 1}), "
        f"{n} for testing (month {args.months})"
    )
    print(f"fit: {fitted_in:.1f} s; rank: {per_ticket:.1f} ms per ticket; load average {load:.1f}")
    print(f"lead unit  top-1 {hits['lead'][0] / n:.3f}  top-3 {hits['lead'][1] / n:.3f}")
    print(f"community  top-1 {hits['community'][0] / n:.3f}  top-3 {hits['community'][1] / n:.3f}  (all {n})")
    print(
        f"community  top-1 {hits['community_missing'][0] / missing:.3f}  "
        f"top-3 {hits['community_missing'][1] / missing:.3f}  (the {missing} the upstream sent without one)"
    )
    print(
        f"lead unit suggested (confidence >= 0.3) for {confident[0] / n:.1%} of the tickets, "
        f"right in {confident[1] / max(1, confident[0]):.1%} of those"
    )
    rules = {}
    for _e, truth in test:
        rules[truth["rule"]] = rules.get(truth["rule"], 0) + 1
    if args.routing == "demo":
        # the best any model can do: always the community (when known) first, then the department
        print(f"ceiling: the demo draws the lead unit per ticket; top-1 can reach ~0.55, top-3 ~0.89 ({rules})")
    else:
        print(f"ceiling: {rules.get('rule', 0) / n:.3f} of the test tickets follow the rule, the rest is noise")


if __name__ == "__main__":
    main()

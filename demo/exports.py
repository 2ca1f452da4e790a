"""Upstream exports made from the demo arrivals: a ticket export and a return-visit export as the city
platform sends them (docs/domain.md §8), for the sample files (tests/data/make_samples.py) and the
import benchmark (bench/import_bench.py). Nothing is written to the database.
"""

from __future__ import annotations

import csv
from datetime import datetime

from django.utils import timezone

from demo.arrivals import (
    DAY,
    LOCAL_OFFSET,
    DemoContext,
    LocalTimes,
    TicketNumbers,
    receive_times,
    upstream_fields,
    visit_outcome,
)

_ZH_LABELS = {
    "city": "市级直派", "district": "区级转派", "consult": "咨询", "help": "求助", "complaint": "投诉",
    "report": "举报", "suggestion": "建议", "normal": "一般", "urgent": "紧急",
}  # fmt: skip


def write_demo_exports(
    tickets_path,
    count: int,
    *,
    seed: int = 2023,
    days: int = 365,
    end_at: datetime | None = None,
    encoding: str = "gb18030",
    visits_path=None,
) -> int:
    """Write ``count`` tickets as an upstream ticket export (Chinese headers and labels, docs/domain.md §8) and,
    if ``visits_path`` is given, a return-visit export for ~90% of them. Returns the visit rows written.
    Reads the organisation but writes nothing to the database; deterministic for its arguments."""
    ctx = DemoContext(seed, create_categories=False)
    rng = ctx.rng
    end = int((end_at or timezone.now()).timestamp())
    times = receive_times(ctx, count, days, end)
    local = LocalTimes()
    visit_rows = 0
    with open(tickets_path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["工单编号", "来源", "受理时间", "诉求类型", "问题分类", "诉求内容", "诉求人", "联系电话",
                         "诉求地址", "所属社区", "紧急程度"])  # fmt: skip
        visits = open(visits_path, "w", encoding=encoding, newline="") if visits_path else None  # noqa: SIM115
        try:
            visit_writer = csv.writer(visits) if visits else None
            if visit_writer:
                visit_writer.writerow(["工单编号", "回访时间", "纳入考评", "响应", "解决", "满意"])
            numbers = TicketNumbers()
            for received, spot in times:
                core = upstream_fields(ctx, received, spot)
                number = numbers(received, core["source"])
                community = core["community"]
                writer.writerow([
                    number, _ZH_LABELS[core["source"]], local(received + LOCAL_OFFSET)[:16], _ZH_LABELS[core["kind"]],
                    core["category"], core["content"], core["name"], core["phone"], core["address"],
                    community[0] if community else "", _ZH_LABELS[core["urgency"]],
                ])  # fmt: skip
                if visit_writer and rng.random() < 0.9:
                    visited = min(received + rng.randint(2 * DAY, 9 * DAY), end - 60)
                    flags = ["是" if flag else "否" for flag in visit_outcome(rng, core["source"])]
                    visit_writer.writerow([number, local(visited + LOCAL_OFFSET), *flags])
                    visit_rows += 1
        finally:
            if visits:
                visits.close()
    return visit_rows

"""What a demo ticket is: the fields the upstream sends, and its walk through the eight steps.

Times are epoch seconds (ints) here, for speed; ``intake.demo`` turns them into database values.
Every draw comes from one seeded random source, so a (count, days, seed, end) gives the same tickets.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from intake.demo_content import CALLER_OPENINGS, CATEGORIES, HOT_SPOTS, PHONE_PREFIXES, SURNAMES
from intake.models import Category

HOUR, DAY = 3600, 86400
LOCAL_OFFSET = 8 * HOUR  # Asia/Shanghai has no daylight saving time
# acknowledge hours, contact hours, handle seconds (mirrors dispatch's default deadline rules)
RULES = {"urgent": (1, 2, 24 * HOUR), "normal": (4, 24, 7 * DAY), "consult": (4, 24, 24 * HOUR)}
DUE_SOON_FRACTION = 0.25
KINDS = [("complaint", 35), ("help", 25), ("consult", 20), ("report", 12), ("suggestion", 8)]
# calls per hour of the local day: quiet at night, peaks in the morning and afternoon
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 10, 8, 6, 7, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]
HOT_SPOT_SHARE = 0.004  # of all tickets, per hot spot


class Dice(random.Random):
    """random.Random with the integer draws done in one step from random(): the stdlib's exact
    integer sampling costs four Python calls per draw, which dominates at a million tickets."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, n: int) -> int:  # type: ignore[override]
        return int(self.random() * n)

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class DemoContext:
    """Names -> ids and the random source; built once per run."""

    def __init__(self, seed: int, *, create_categories: bool = True):
        from org.models import Unit, UnitKind

        self.rng = Dice(seed)
        units = dict(Unit.objects.values_list("name", "id"))
        self.communities = [
            (name, units[name]) for name in Unit.objects.filter(kind=UnitKind.COMMUNITY).values_list("name", flat=True)
        ]
        self.departments = [
            units[name]
            for name in Unit.objects.filter(kind="department", is_center=False).values_list("name", flat=True)
        ]
        if create_categories:
            for name in CATEGORIES:
                Category.objects.get_or_create(name=name)
        self.categories = dict(Category.objects.filter(name__in=list(CATEGORIES)).values_list("name", "id"))
        self.lead_department = {name: units[dept] for name, (dept, _p) in CATEGORIES.items()}
        self.category_names = list(CATEGORIES)
        self.kinds = [k for k, w in KINDS for _ in range(w)]


def receive_times(ctx: DemoContext, count: int, days: int, end: int) -> list[tuple[int, int]]:
    """(received_at epoch, hot spot index or -1), sorted by time."""
    rng = ctx.rng
    start = end - days * DAY
    hours = [h for h, w in enumerate(HOUR_WEIGHTS) for _ in range(w)]
    out = []
    spot_count = max(3, int(count * HOT_SPOT_SHARE)) if count >= 200 else 0
    remaining = count
    for spot in range(len(HOT_SPOTS)):
        if remaining <= spot_count:
            break
        window = min(days, rng.randint(14, 28)) * DAY
        window_start = rng.randint(start, max(start, end - window))
        for _ in range(spot_count):
            out.append((window_start + rng.randrange(window), spot))
        remaining -= spot_count
    first_day = (start + LOCAL_OFFSET) // DAY
    for _ in range(remaining):
        day = first_day + rng.randrange(days)
        moment = day * DAY - LOCAL_OFFSET + rng.choice(hours) * HOUR + rng.randrange(HOUR)
        out.append((min(moment, end - 60), -1))
    out.sort()
    return out


def upstream_fields(ctx: DemoContext, received: int, spot: int) -> dict:
    """The fields the upstream sends (docs/domain.md §8)."""
    rng = ctx.rng
    if spot >= 0:
        hot = HOT_SPOTS[spot]
        community = next(c for c in ctx.communities if c[0] == hot["community"])
        category = hot["category"]
        text = rng.choice(hot["phrasings"])
        address = hot["address"]
    else:
        community = rng.choice(ctx.communities) if rng.random() > 0.03 else None
        category = rng.choice(ctx.category_names)
        text = rng.choice(CATEGORIES[category][1])
        place = community[0] if community else "酒仙桥路"
        address = f"朝阳区酒仙桥{place}{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元"
    opening = rng.choice(CALLER_OPENINGS).format(c=community[0] if community else "")
    return {
        "source": "city" if rng.random() < 0.6 else "district",
        "kind": rng.choice(ctx.kinds),
        "category": category,
        "content": opening + text,
        "name": rng.choice(SURNAMES) + ("先生" if rng.random() < 0.5 else "女士"),
        "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        "address": address,
        "community": community,
        "urgency": "urgent" if rng.random() < 0.1 else "normal",
    }


class TicketNumbers:
    """``S``/``Q`` + local receive date (yymmdd) + a 5-digit sequence of that day; call in time order."""

    def __init__(self):
        self.per_day: dict[int, int] = {}
        self.stamps: dict[int, str] = {}

    def __call__(self, received: int, source: str) -> str:
        local_day = (received + LOCAL_OFFSET) // DAY
        seq = self.per_day.get(local_day, 0)
        self.per_day[local_day] = seq + 1
        stamp = self.stamps.get(local_day)
        if stamp is None:
            stamp = self.stamps[local_day] = datetime.fromtimestamp(local_day * DAY, UTC).strftime("%y%m%d")
        return f"{'S' if source == 'city' else 'Q'}{stamp}{seq:05d}"


def visit_outcome(rng: random.Random, source: str) -> tuple[bool, bool, bool, bool]:
    """(counted, responded, resolved, satisfied): ~90/97/90/93%, satisfaction follows resolution.

    Only the city's direct dispatches are counted in its evaluation (纳入考评), so a district ticket's
    visit is never counted: the work report's "counted share of the city's direct dispatches" then
    stays a share."""
    # tuned so that the latest visits, after the second handlings, land near 90% / 93%
    resolved = rng.random() < 0.85
    satisfied = rng.random() < (0.975 if resolved else 0.45)
    counted = rng.random() < 0.90 and source == "city"
    return counted, rng.random() < 0.97, resolved, satisfied


def walk_workflow(
    ctx: DemoContext, core: dict, received: int, end: int, cluster_first: int | None
) -> tuple[dict, list]:
    """The workflow fields of a ticket at ``end`` (epoch seconds) and its return visits."""
    rng = ctx.rng
    f: dict = {"status": "received", "is_key": False, "is_difficult": False, "supervision": "",
               "rehandling_count": 0, "next_due_kind": "", "is_excluded": False}  # fmt: skip
    visits: list = []
    local_hour = (received + LOCAL_OFFSET) % DAY // HOUR
    if core["urgency"] == "urgent" or 8 <= local_hour < 18:
        triaged = received + rng.randint(300, 2 * HOUR)
    else:  # a night call waits for the center's morning shift
        morning = (received + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET + (DAY if local_hour >= 18 else 0)
        triaged = morning + 8 * HOUR + rng.randint(0, 2 * HOUR)
    if end < triaged:
        return f, visits
    f.update(status="triaged", triaged_at=triaged)
    f["is_key"] = rng.random() < 0.05
    f["is_difficult"] = rng.random() < 0.02
    if rng.random() < 0.03:
        f["supervision"] = rng.choice(["street", "street", "street", "district", "district", "city"])
    roll = rng.random()
    if roll < 0.015:
        f["status"] = "sent_back"
        return f, visits
    if cluster_first is not None and roll < 0.08:
        f.update(status="merged", merged_into_id=cluster_first)
        return f, visits
    dispatched = triaged + rng.randint(300, HOUR)
    if end < dispatched:
        return f, visits
    community = core["community"]
    lead = community[1] if community and rng.random() < 0.5 else ctx.lead_department[core["category"]]
    rule = "urgent" if core["urgency"] == "urgent" else ("consult" if core["kind"] == "consult" else "normal")
    ack_h, contact_h, handle_s = RULES[rule]
    late = rng.random() < 0.06  # a unit that acknowledges, contacts and replies late
    ack = dispatched + rng.randint(300, int(ack_h * HOUR * (1.6 if late else 0.8)))
    f.update(
        status="dispatched", dispatched_at=dispatched, lead_unit_id=lead, acknowledge_due_at=dispatched + ack_h * HOUR
    )
    clock = ack if ack <= end else dispatched
    f.update(contact_due_at=clock + contact_h * HOUR, handle_due_at=clock + handle_s)
    if ack > end:
        return running_deadline(f, "acknowledge", dispatched, f["acknowledge_due_at"]), visits
    f.update(acknowledged_at=ack, handle_started_at=ack)
    contact = ack + rng.randint(600, int(contact_h * HOUR * (1.5 if late else 0.7)))
    if end < contact:
        return running_deadline(f, "contact", ack, f["contact_due_at"]), visits
    f.update(status="contacted", first_contact_at=contact)
    handling = contact + rng.randint(HOUR // 2, max(HOUR, min(DAY, handle_s // 4)))
    if end < handling:
        return running_deadline(f, "handle", ack, f["handle_due_at"]), visits
    f["status"] = "handling"
    factor = rng.uniform(1.05, 1.8) if late else rng.uniform(0.3, 0.95)
    replied = max(ack + int(handle_s * factor), handling + 3 * HOUR)
    reviewed = replied - rng.randint(HOUR, 2 * HOUR)
    if end < reviewed:
        return running_deadline(f, "handle", ack, f["handle_due_at"]), visits
    f.update(status="reviewed", reviewed_at=reviewed)
    if end < replied:
        return f, visits
    f.update(status="replied", replied_at=replied)
    visit = replied + rng.randint(DAY, 4 * DAY)
    if end < visit:
        return f, visits
    outcome = visit_outcome(rng, core["source"])
    visits.append((visit, *outcome))
    f["status"] = "visited"
    decided = visit + rng.randint(HOUR, DAY)
    if end < decided:
        return f, visits
    double_yes = outcome[2] and outcome[3]
    if double_yes or rng.random() < 0.6:  # 40% of the others get a second handling
        f.update(status="closed", closed_at=decided)
        f["is_excluded"] = not double_yes and rng.random() < 0.15
        return f, visits
    # second handling (二次办理): the clock restarts at the reopening
    f.update(status="rehandling", rehandling_count=1, handle_started_at=decided, handle_due_at=decided + handle_s)
    replied = decided + int(handle_s * rng.uniform(0.3, 0.9)) + HOUR
    if end < replied:
        return running_deadline(f, "handle", decided, f["handle_due_at"]), visits
    f.update(status="replied", reviewed_at=replied - HOUR, replied_at=replied)
    visit = replied + rng.randint(DAY, 3 * DAY)
    if end < visit:
        return f, visits
    visits.append((visit, *visit_outcome(rng, core["source"])))
    f["status"] = "visited"
    closed = visit + rng.randint(HOUR, DAY)
    if end >= closed:
        f.update(status="closed", closed_at=closed)
    return f, visits


def running_deadline(f: dict, kind: str, start: int, due: int) -> dict:
    """The deadline running now and when it becomes "due soon" (the last quarter of its time)."""
    f.update(next_due_kind=kind, next_due_at=due, next_warn_at=due - int((due - start) * DUE_SOON_FRACTION))
    return f

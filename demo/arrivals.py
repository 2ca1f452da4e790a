"""What the upstream sends the demo street: when calls arrive, and the fields of each ticket.

Times are epoch seconds (ints) here, for speed. Every draw comes from one seeded random source, so a
(count, days, seed, end) gives the same arrivals. What happens to a ticket after it arrives is not
decided here but by its story (``demo.stories``) played through the workflow.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from demo.content import CALLER_OPENINGS, CATEGORIES, HOT_SPOTS, PHONE_PREFIXES, SURNAMES, UPSTREAM_NEW_CATEGORIES
from intake.models import Category

HOUR, DAY = 3600, 86400
LOCAL_OFFSET = 8 * HOUR  # Beijing time has no daylight saving time
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


class Deck:
    """Draws ``cards`` without replacement and reshuffles when they are used up: the proportions of a
    random choice, with far less spread over a few hundred draws (a small street's month)."""

    def __init__(self, rng: random.Random, cards: list):
        self.rng, self.cards, self.left = rng, list(cards), []

    def draw(self):
        if not self.left:
            self.left = list(self.cards)
            self.rng.shuffle(self.left)
        return self.left.pop()


class DemoContext:
    """Names -> ids and the random source; built once per run. ``even``: communities and sources are
    dealt from decks (the played demo, whose every unit must have a month to rank); without it,
    drawn independently (the exports, whose bytes the committed samples pin)."""

    def __init__(self, seed: int, *, create_categories: bool = True, even: bool = False):
        from org.models import Unit, UnitKind

        self.rng = Dice(seed)
        self.even = even
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
                if name not in UPSTREAM_NEW_CATEGORIES:  # those come in through the intake, unconfirmed
                    Category.objects.get_or_create(name=name)
        self.categories = dict(Category.objects.filter(name__in=list(CATEGORIES)).values_list("name", "id"))
        self.lead_department = {name: units[dept] for name, (dept, _p) in CATEGORIES.items()}
        self.category_names = list(CATEGORIES)
        self.kinds = [k for k, w in KINDS for _ in range(w)]
        self.community_deck = Deck(self.rng, self.communities)
        self.source_deck = Deck(self.rng, ["city"] * 3 + ["district"] * 2)


def receive_times(
    ctx: DemoContext, count: int, days: int, end: int, *, min_per_spot: int = 3, through_today: bool = False
) -> list[tuple[int, int]]:
    """(received_at epoch, hot spot index or -1), sorted by time. From 200 tickets on, each hot spot
    gets ``HOT_SPOT_SHARE`` of them (at least ``min_per_spot``) within a 2-4 week window.

    The calls fall on the ``days`` local days before the end's day, or with ``through_today`` on the
    ``days`` days up to and including it, today's calls within its hours so far."""
    rng = ctx.rng
    start = end - days * DAY
    hours = [h for h, w in enumerate(HOUR_WEIGHTS) for _ in range(w)]
    out = []
    spot_count = max(min_per_spot, int(count * HOT_SPOT_SHARE)) if count >= 200 else 0
    remaining = count
    for spot in range(len(HOT_SPOTS)):
        if remaining <= spot_count:
            break
        window = min(days, rng.randint(14, 28)) * DAY
        window_start = rng.randint(start, max(start, end - window))
        for _ in range(spot_count):
            out.append((window_start + rng.randrange(window), spot))
        remaining -= spot_count
    first_day = (start + LOCAL_OFFSET) // DAY + through_today
    for _ in range(remaining):
        day = first_day + rng.randrange(days)
        moment = day * DAY - LOCAL_OFFSET + rng.choice(hours) * HOUR + rng.randrange(HOUR)
        if through_today and moment > end - 60:
            midnight = day * DAY - LOCAL_OFFSET
            moment = midnight + (moment - midnight) * (end - 60 - midnight) // DAY
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
        if rng.random() > 0.03:
            community = ctx.community_deck.draw() if ctx.even else rng.choice(ctx.communities)
        else:
            community = None
        category = rng.choice(ctx.category_names)
        text = rng.choice(CATEGORIES[category][1])
        place = community[0] if community else "酒仙桥路"
        address = f"朝阳区酒仙桥{place}{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元"
    opening = rng.choice(CALLER_OPENINGS).format(c=community[0] if community else "")
    return {
        "source": ctx.source_deck.draw() if ctx.even else ("city" if rng.random() < 0.6 else "district"),
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


class LocalTimes:
    """Epoch seconds -> "YYYY-MM-DD HH:MM:SS", fast: the "YYYY-MM-DD HH:" part is formatted once per
    hour and "MM:SS" comes from a table of the 3,600 seconds of an hour (a million rows carry millions
    of times)."""

    def __init__(self):
        self.hours: dict[int, str] = {}
        self.seconds = [f"{m:02d}:{s:02d}" for m in range(60) for s in range(60)]

    def __call__(self, seconds: int) -> str:
        hour, rest = divmod(seconds, HOUR)
        base = self.hours.get(hour)
        if base is None:
            base = self.hours[hour] = datetime.fromtimestamp(hour * HOUR, UTC).strftime("%Y-%m-%d %H:")
        return base + self.seconds[rest]


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

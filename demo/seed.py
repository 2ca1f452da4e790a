"""Demo data for a street that has just installed the product: accounts, tickets with their history
and visits, the similarity index and hot spots, and the reporting snapshots, so that every page has
something real to show.

Every ticket's history is made by the product's own code: the tickets arrive through the intake path
and their stories (``demo.stories``) are played through the workflow on a simulated clock
(``demo.play``). For benchmark sizes, ``stories=`` plays that many of them and fills the rest with
exact copies of the played ones (``demo.copies``, PostgreSQL).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from demo.accounts import create_demo_accounts
from demo.arrivals import DAY, Deck, DemoContext, TicketNumbers, receive_times, upstream_fields
from demo.cast import Cast
from demo.copies import RECENT_DAYS, check_copies_possible, copy_stories
from demo.play import PlayResult, play
from demo.scenes import SCENES
from demo.stories import Plot
from intake.models import Kind, Ticket, Urgency
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import User

# `make run` loads this much (~50 s on SQLite, docs/architecture.md "Demo data"): 62 days hold the
# last complete month whatever today's date, and ~15 tickets a day give every handling unit about
# ten counted tickets in it, twice the ranking's minimum.
DEFAULT_TICKETS = 900
DEFAULT_DAYS = 62
MIN_PER_SPOT = 8  # tickets of each hot spot, however few tickets in all


@dataclass
class LoadResult:
    tickets: int
    played: int
    copied: int
    play: PlayResult
    sample: list[tuple[int, int, int]]  # copies: (copy id, template id, days moved), 1,000 spread over all


@dataclass
class DemoSeedResult:
    accounts: int
    tickets: int
    played: int
    copied: int
    visits: int
    events: int
    hotspots: int
    snapshots: int
    warnings: dict


def plan_plots(tickets: int, days: int, *, seed: int, end: int, cast: Cast, live: int | None = None):
    """The arrivals of ``tickets`` tickets over ``days`` days before ``end``, and the plots of those whose
    stories are played: all of them, or ``live`` of them (the scenes, the most recent third, and an
    even sample of the rest with a few of every hot spot). Returns (plots, all arrivals)."""
    ctx = DemoContext(seed, even=True)
    arrivals = receive_times(ctx, tickets, days, end, min_per_spot=MIN_PER_SPOT, through_today=True)
    chosen = range(len(arrivals)) if live is None or live >= len(arrivals) else _sample(arrivals, live, end)
    numbers = TicketNumbers()
    # who leads: the community, the category's department, or a department chosen by the matter
    routes = Deck(random.Random(f"{seed}:routes"), ["community"] * 11 + ["category"] * 6 + ["routed"] * 3)
    plots: list[Plot] = []
    first_of_spot: dict[int, str] = {}
    for index in chosen:
        received, spot = arrivals[index]
        fields = upstream_fields(ctx, received, spot)
        number = numbers(received, fields["source"])
        merge_into = first_of_spot.setdefault(spot, number) if spot >= 0 else None
        plots.append(
            Plot(
                index=index,
                ticket_no=number,
                received=received,
                fields=fields,
                spot=spot,
                lead_department=ctx.lead_department[fields["category"]],
                route=routes.draw(),
                merge_into=merge_into if merge_into != number else None,
            )
        )
    _cast_scenes(plots, end=end, cast=cast)
    return plots, arrivals, numbers


def _sample(arrivals: list[tuple[int, int]], live: int, end: int) -> list[int]:
    """Indices of the arrivals to play: a few of each hot spot, the last arrivals (for the scenes), half
    of the rest spread evenly over the last ``RECENT_DAYS`` (every age of an open ticket has stories
    to copy) and half over the days before."""
    chosen = set(range(max(len(arrivals) - len(SCENES) * 4, 0), len(arrivals)))
    per_spot: dict[int, int] = {}
    for index, (_received, spot) in enumerate(arrivals):
        if spot >= 0 and per_spot.get(spot, 0) < 4:
            per_spot[spot] = per_spot.get(spot, 0) + 1
            chosen.add(index)
    recent_from = bisect.bisect_left(arrivals, (end - RECENT_DAYS * DAY, -1))
    rest = max(live - len(chosen), 0)
    for first, last, share in ((recent_from, len(arrivals), rest - rest // 2), (0, recent_from, rest // 2)):
        span = last - first
        if share > 0 and span > 0:
            stride = max(span / share, 1)
            chosen.update(first + int(i * stride) for i in range(min(share, span)))
    return sorted(chosen)


def _cast_scenes(plots: list[Plot], *, end: int, cast: Cast) -> None:
    """Give each scene the plot that arrived closest to its age before the end (not a hot spot ticket)."""
    if len(plots) < len(SCENES) * 3:
        return  # too few tickets for scenes: a test's small street
    users = {u.username: u for u in User.objects.filter(username__in={s.lead for s in SCENES if s.lead})}
    for scene in SCENES:
        candidates = [
            p
            for p in plots
            if p.scene is None
            and p.spot < 0
            and not (scene.normal and (p.fields["urgency"] == Urgency.URGENT or p.fields["kind"] == Kind.CONSULT))
        ]
        if not candidates:
            continue
        plot = min(candidates, key=lambda p: (abs(p.received - (end - scene.age)), p.index))
        forced = dict(scene.draws)
        if scene.lead:
            user = users.get(scene.lead)
            if user is None:
                continue
            units = [u for u in cast.units_of(user) if not u.is_center]  # a leader also oversees the center
            if not units:
                continue
            forced["lead_unit"] = units[plot.index % len(units)].pk
        plot.scene = scene
        plot.forced = forced


def load_tickets(
    tickets: int, days: int, *, seed: int = 2023, end_at: dt.datetime | None = None, stories: int | None = None
) -> LoadResult:
    """Tickets received over the ``days`` days before ``end_at`` (default now), with everything the
    workflow records about them. The demo accounts must exist (they play the stories).

    ``stories=None`` plays every ticket's story; ``stories=N`` (PostgreSQL) plays N and copies them
    to reach ``tickets`` (``demo.copies``). Deterministic for its arguments. Refused (409, nothing
    written) when demo ticket numbers of the period exist already.
    """
    if tickets < 1 or days < 1:
        raise DomainError(ErrorCode.INVALID, "tickets and days must be at least 1")
    live = stories if stories is not None and stories < tickets else None
    if live is not None:
        check_copies_possible(live)
    end = int((end_at or timezone.now()).timestamp())
    cast = Cast()
    plots, arrivals, numbers = plan_plots(tickets, days, seed=seed, end=end, cast=cast, live=live)
    played = play(plots, cast=cast, seed=seed, end=end)
    copied, sample = 0, []
    if live is not None:
        result = copy_stories(played, arrivals, numbers, end=end, seed=seed)
        copied, sample = result.copies, result.sample
    return LoadResult(tickets=len(plots) + copied, played=len(plots), copied=copied, play=played, sample=sample)


def seed_demo(
    *,
    tickets: int = DEFAULT_TICKETS,
    days: int = DEFAULT_DAYS,
    seed: int = 2023,
    end_at: dt.datetime | None = None,
    stories: int | None = None,
) -> DemoSeedResult:
    """Create the demo accounts, the tickets (``load_tickets``), and what the nightly jobs would have
    made of them by now: deadline warnings, the similarity index, hot spots and report snapshots."""
    from dispatch.early_warning import mark_deadline_warnings
    from dispatch.models import TicketEvent
    from intake.models import ReturnVisit
    from intake.places import learn_from_history
    from proactive.hotspots import find_hotspots
    from proactive.indexing import index_pending
    from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis
    from reporting.nightly import take_nightly_snapshot

    accounts = create_demo_accounts()
    load_demo_geography()
    end_at = (end_at or timezone.now()).replace(microsecond=0)
    loaded = load_tickets(tickets, days, seed=seed, end_at=end_at, stories=stories)
    learn_from_history()
    warnings = mark_deadline_warnings(now=end_at)
    index_pending()
    today = clock.local_date(end_at)
    hotspot_run = find_hotspots(today)
    # the reports beat would have produced by now: tonight's snapshot and ranking, last week's and
    # this week's analysis, last month's bulletin
    snapshots = [
        take_nightly_snapshot(today),
        take_daily_ranking(today),
        take_weekly_analysis(clock.week_start(today - dt.timedelta(days=7))),
        take_weekly_analysis(clock.week_start(today)),
        take_monthly_bulletin(today.replace(day=1) - dt.timedelta(days=1)),
    ]
    return DemoSeedResult(
        accounts=len(accounts),
        tickets=loaded.tickets,
        played=loaded.played,
        copied=loaded.copied,
        visits=ReturnVisit.objects.count(),
        events=TicketEvent.objects.count(),
        hotspots=hotspot_run.hotspot_count,
        snapshots=len(snapshots),
        warnings=warnings,
    )


def load_demo_geography() -> bool:
    """The demo street's approximate territory and gazetteer (``demo.geography``), through the real
    import paths, unless the street has a geography of its own already."""
    from django.conf import settings

    from demo.geography import GAZETTEER_FILE, GEOJSON_FILE
    from intake.places import import_gazetteer
    from org.geography import has_geography, load_geography
    from org.streets import only_street

    if has_geography():
        return False
    # the demo's territory is Jiuxianqiao's: the only street, or the configured one among several
    street = only_street() or settings.REPORTING_STREET_NAME
    load_geography(GEOJSON_FILE, street=street)
    import_gazetteer(GAZETTEER_FILE, street=street)
    return True


def has_tickets() -> bool:
    return Ticket.objects.exists()

"""Hot spots (热点): clusters of similar recent tickets in one place, found by a batch job.

``find_hotspots(end_on)`` clusters the tickets of the ``PROACTIVE_HOTSPOT_DAYS`` days ending on
``end_on`` (the street's dates, Beijing time):

1. the window's tickets are indexed if they are not yet (``proactive.indexing``);
2. a ticket's LSH buckets are its community with two neighbouring MinHash values (32 overlapping
   bands over the 32 values), so a match needs two of its words' minima to agree at once, which
   keeps the buckets of common words small;
3. in time order, each ticket joins the most similar cluster met in its buckets, at or above
   ``PROACTIVE_HOTSPOT_THRESHOLD``, or starts one (``cluster_signatures``);
4. groups of at least ``PROACTIVE_HOTSPOT_MIN_TICKETS`` tickets become hot spots with a topic (their
   most telling shared words), a place and the weekly trend (one SQL query for all hot spots).

A run is keyed by its window: running it again replaces that run's hot spots. Runs whose window
ended more than ``PROACTIVE_HOTSPOT_KEEP_DAYS`` before this one are deleted.

``hotspots_between`` is the interface the weekly analysis (reporting) and the leadership dashboard
read; its signature is stable.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from time import perf_counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from intake.models import GONE, Ticket
from jxq_cases.lib import clock
from org.models import Unit
from proactive.indexing import index_tickets, profile_from_signature
from proactive.models import HotSpot, HotSpotRun, HotSpotTicket, TicketSignature
from proactive.similarity import Weights, score

log = logging.getLogger(__name__)
_REPRESENTATIVES = 4  # tickets of a cluster that later tickets are compared with
_PER_BUCKET = 6  # the most recent representatives of a bucket that a ticket is compared with
_PER_SINGLE_BUCKET = 2  # the same for buckets of one MinHash value (one shared word), which are big
_SURE_MATCH = 0.9  # a score only retellings of one matter reach: no need to look further


def _index_window(since: datetime, until: datetime, version: int) -> int:
    missing = Ticket.objects.filter(received_at__gte=since, received_at__lt=until).exclude(
        id__in=TicketSignature.objects.filter(
            received_at__gte=since, received_at__lt=until, measure_version=version
        ).values("ticket_id")
    )
    done = 0
    batch: list[Ticket] = []
    for ticket in missing.only("id", "content", "address", "category_id", "community_id", "received_at").iterator(
        chunk_size=2000
    ):
        batch.append(ticket)
        if len(batch) == 1000:
            index_tickets(batch)
            done += len(batch)
            batch = []
    if batch:
        index_tickets(batch)
        done += len(batch)
    return done


def cluster_signatures(signatures: list) -> list[list[int]]:
    """Groups (positions into ``signatures``, which are in time order) of probably-one-matter tickets.

    Leader clustering in time order: each ticket is scored against the clusters met in its LSH
    buckets (through up to ``_REPRESENTATIVES`` representatives each: the first call and the next
    ones that joined) and joins the best one at or above the threshold, or starts a cluster. A
    member is always similar to a representative, and representatives to the first call, so a chain
    of near-misses (噪音 -> 广场舞噪音 -> 广场舞场地 ...) cannot glue a whole community into one hot
    spot, and a burst of identical calls costs one comparison per call.
    """
    threshold = settings.PROACTIVE_HOTSPOT_THRESHOLD
    weights = Weights.from_settings()
    cluster_of: list[int] = []
    members: dict[int, list[int]] = defaultdict(list)
    representatives: dict[int, int] = defaultdict(int)
    buckets: dict[tuple, list[int]] = defaultdict(list)  # bucket -> representative positions
    profiles: dict[int, object] = {}
    for pos, sig in enumerate(signatures):
        values = sig.minhash
        keys = [(sig.community_id, band, values[band], values[band - 1]) for band in range(len(values))]
        single = [(sig.community_id, band, values[band]) for band in range(len(values))]
        best, best_score = None, threshold
        mine = None
        seen: set[int] = set()
        # two-value buckets first; the big one-value buckets only when no sure match was found
        for bucket_keys, per_bucket in ((keys, _PER_BUCKET), (single, _PER_SINGLE_BUCKET)):
            if best_score >= _SURE_MATCH:
                break
            candidates: set[int] = set()
            for key in bucket_keys:
                candidates.update(buckets.get(key, ())[-per_bucket:])
            candidates -= seen
            if not candidates:
                continue
            seen |= candidates
            if mine is None:
                mine = profiles[pos] = profile_from_signature(sig)
            for rep in candidates:
                value = score(mine, profiles[rep], weights)
                if value >= best_score and (best is None or value > best_score or cluster_of[rep] < cluster_of[best]):
                    best, best_score = rep, value
        cluster = cluster_of[best] if best is not None else pos
        cluster_of.append(cluster)
        members[cluster].append(pos)
        if representatives[cluster] < _REPRESENTATIVES:
            representatives[cluster] += 1
            if pos not in profiles:
                profiles[pos] = profile_from_signature(sig)
            for key in keys + single:
                buckets[key].append(pos)
    minimum = settings.PROACTIVE_HOTSPOT_MIN_TICKETS
    return [group for group in members.values() if len(group) >= minimum]


def _topic(signatures: list) -> list[str]:
    """The words most of the group uses, the rarer the better: up to four, in weight order."""
    weight: Counter = Counter()
    present: Counter = Counter()
    for sig in signatures:
        for word, idf in sig.profile["w"].items():
            present[word] += 1
            weight[word] += idf
    floor = max(2, len(signatures) * 0.3)
    common = [w for w, c in present.items() if c >= floor] or [w for w, _c in present.most_common(4)]
    return sorted(common, key=lambda w: -weight[w])[:4]


def find_hotspots(end_on: date | None = None, *, days: int | None = None) -> HotSpotRun:
    """Cluster the window's tickets into hot spots and store them, replacing an earlier run of the
    same window."""
    from proactive.indexing import MEASURE_VERSION

    end_on = end_on or clock.today()
    days = days or settings.PROACTIVE_HOTSPOT_DAYS
    start_on = end_on - timedelta(days=days - 1)
    since, until = clock.range_bounds(start_on, end_on)
    started_at = timezone.now()
    lap = perf_counter()
    phases = {}
    _index_window(since, until, MEASURE_VERSION)
    phases["index"], lap = perf_counter() - lap, perf_counter()
    # named tuples, not model instances: a third of the job's time at 100,000 tickets went to __init__
    signatures = list(
        TicketSignature.objects.filter(received_at__gte=since, received_at__lt=until)
        .order_by("received_at", "ticket_id")
        .values_list("ticket_id", "community_id", "category_id", "received_at", "profile", "minhash", named=True)
    )
    phases["load"], lap = perf_counter() - lap, perf_counter()
    groups = cluster_signatures(signatures)
    phases["cluster"], lap = perf_counter() - lap, perf_counter()
    communities = Unit.objects.in_bulk({signatures[g[0]].community_id for g in groups} - {None})
    # the window's addresses in one range scan (an IN list of every clustered ticket costs more)
    addresses = dict(
        Ticket.objects.filter(received_at__gte=since, received_at__lt=until)
        .exclude(address="")
        .values_list("id", "address")
    )
    with transaction.atomic():
        _delete_runs(HotSpotRun.objects.filter(start_on=start_on, end_on=end_on))
        run = HotSpotRun.objects.create(start_on=start_on, end_on=end_on, started_at=started_at)
        hotspots = []
        for group in groups:
            members = [signatures[p] for p in group]
            words = _topic(members)
            common_address = Counter(addresses[s.ticket_id] for s in members if s.ticket_id in addresses)
            place = common_address.most_common(1)[0][0] if common_address else ""
            category = Counter(s.category_id for s in members if s.category_id).most_common(1)
            hotspots.append(
                HotSpot(
                    run=run,
                    topic=" ".join(words)[:200],
                    keywords=words,
                    community=communities.get(members[0].community_id),
                    place=place[:255],
                    category_id=category[0][0] if category else None,
                    ticket_count=len(members),
                    first_received_at=members[0].received_at,
                    last_received_at=members[-1].received_at,
                )
            )
        HotSpot.objects.bulk_create(hotspots, batch_size=1000)
        _insert_links(
            [
                (hotspot.id, signatures[p].ticket_id)
                for hotspot, group in zip(hotspots, groups, strict=True)
                for p in group
            ]
        )
        _store_trends(run, start_on, end_on)
        run.ticket_count = len(signatures)
        run.hotspot_count = len(groups)
        run.finished_at = timezone.now()
        run.save(update_fields=["ticket_count", "hotspot_count", "finished_at"])
        # nightly runs would otherwise pile up: one window's links per night
        _delete_runs(
            HotSpotRun.objects.filter(end_on__lt=end_on - timedelta(days=settings.PROACTIVE_HOTSPOT_KEEP_DAYS))
        )
    phases["store"] = perf_counter() - lap
    log.info(
        "hot spots %s..%s: %d tickets, %d hot spots (%s)",
        start_on,
        end_on,
        len(signatures),
        len(groups),
        ", ".join(f"{name} {seconds:.1f}s" for name, seconds in phases.items()),
    )
    return run


def _insert_links(links: list[tuple[int, int]]) -> None:
    if connection.vendor == "postgresql":
        # one array insert per chunk instead of a model instance per (hot spot, ticket) row
        with connection.cursor() as cursor:
            for start in range(0, len(links), 20000):
                chunk = links[start : start + 20000]
                cursor.execute(
                    f"INSERT INTO {HotSpotTicket._meta.db_table} (hotspot_id, ticket_id) "
                    "SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
                    [[h for h, _t in chunk], [t for _h, t in chunk]],
                )
    else:
        HotSpotTicket.objects.bulk_create([HotSpotTicket(hotspot_id=h, ticket_id=t) for h, t in links], batch_size=2000)


def _delete_runs(runs) -> None:
    """Delete runs with set-based statements: the ORM's cascade would load every ticket link first."""
    from proactive.models import ProactiveCase

    HotSpotTicket.objects.filter(hotspot__run__in=runs).delete()
    ProactiveCase.objects.filter(hotspot__run__in=runs).update(hotspot=None)
    HotSpot.objects.filter(run__in=runs).delete()
    runs.delete()


def _store_trends(run: HotSpotRun, start_on: date, end_on: date) -> None:
    """Weekly ticket counts of every hot spot of the run, in one grouped query (the street's ISO weeks)."""
    rows = (
        HotSpotTicket.objects.filter(hotspot__run=run)
        .annotate(week=clock.trunc_week("ticket__received_at"))
        .values("hotspot_id", "week")
        .annotate(count=Count("id"))
    )
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    for row in rows:
        counts[row["hotspot_id"]][clock.period_start(row["week"])] = row["count"]
    weeks = clock.weeks_between(start_on, end_on)
    changed = []
    for hotspot in run.hotspots.all():
        hotspot.trend = [{"week_on": w.isoformat(), "count": counts[hotspot.id].get(w, 0)} for w in weeks]
        changed.append(hotspot)
    HotSpot.objects.bulk_update(changed, ["trend"], batch_size=500)


def hotspots_between(start_on: date, end_on: date) -> list[dict]:
    """The stored hot spots with tickets received between ``start_on`` and ``end_on`` (inclusive,
    local dates), biggest first: dicts with ``id``, ``topic``, ``community``,
    ``ticket_count`` and ``trend`` (weekly counts, oldest first), plus ``place``, ``keywords`` and
    ``total_count`` (tickets of the hot spot over its whole run window).

    They come from the most recent run whose window overlaps the dates; ``ticket_count`` counts only
    the hot spot's tickets received within the dates.
    """
    run = (
        HotSpotRun.objects.filter(start_on__lte=end_on, end_on__gte=start_on, finished_at__isnull=False)
        .order_by("-end_on", "-finished_at")
        .first()
    )
    if run is None:
        return []
    since, until = clock.range_bounds(start_on, end_on)
    in_window = Q(hotspotticket__ticket__received_at__gte=since, hotspotticket__ticket__received_at__lt=until)
    hotspots = (
        run.hotspots.annotate(in_window=Count("hotspotticket", filter=in_window))
        .filter(in_window__gt=0)
        .select_related("community")
        .order_by("-in_window", "-ticket_count", "id")
    )
    return [
        {
            "id": h.id,
            "topic": h.topic,
            "community": h.community.name if h.community else "",
            "ticket_count": h.in_window,
            "trend": h.trend,
            "place": h.place,
            "keywords": h.keywords,
            "total_count": h.ticket_count,
        }
        for h in hotspots
    ]


# --- hot spots by place: a cluster of requests in one grid cell -----------------------------------

# A grid cell is a hot spot when its tickets of the last PLACE_WEEKS weeks number at least
# PLACE_MIN_TICKETS and at least PLACE_RATIO times what the cell had in an equally long window on
# average over the PLACE_BASELINE windows before (a cell that is always busy is not a new hot spot).
PLACE_WEEKS = 3
PLACE_MIN_TICKETS = 5
PLACE_RATIO = 2.0
PLACE_BASELINE = 3


def place_hotspots(
    end_on: date | None = None,
    *,
    weeks: int = PLACE_WEEKS,
    category_id: int | None = None,
    base: QuerySet[Ticket] | None = None,
) -> list[dict]:
    """The grid cells with a cluster of requests in the ``weeks`` weeks ending on ``end_on`` (the
    street's dates), busiest first: one aggregate query over the window and its baseline. Sent-back
    and merged tickets do not count. ``base`` limits the count to those tickets (the map passes the
    ones its user may see, ``dispatch.access.visible_tickets``); without it, the whole street's."""
    end_on = end_on or clock.today()
    start_on = end_on - timedelta(weeks=weeks, days=-1)
    since, until = clock.range_bounds(start_on, end_on)
    baseline_since = since - timedelta(weeks=weeks * PLACE_BASELINE)
    base = base if base is not None else Ticket.objects.all()
    tickets = base.filter(grid_cell__isnull=False, received_at__gte=baseline_since, received_at__lt=until)
    tickets = tickets.exclude(status__in=GONE)
    if category_id is not None:
        tickets = tickets.filter(category_id=category_id)
    rows = (
        tickets.values("grid_cell", "grid_cell__code", "grid_cell__name", "grid_cell__community__name")
        .annotate(
            recent=Count("id", filter=Q(received_at__gte=since)),
            before=Count("id", filter=Q(received_at__lt=since)),
        )
        .filter(recent__gte=PLACE_MIN_TICKETS)
    )
    found = []
    for row in rows:
        baseline = row["before"] / PLACE_BASELINE
        if row["recent"] < PLACE_RATIO * baseline:
            continue
        found.append(
            {
                "grid_cell": row["grid_cell"],
                "code": row["grid_cell__code"],
                "name": row["grid_cell__name"],
                "community": row["grid_cell__community__name"],
                "tickets": row["recent"],
                "baseline": round(baseline, 1),
                "start_on": start_on.isoformat(),
                "end_on": end_on.isoformat(),
                "filter": {
                    "received_from": start_on.isoformat(),
                    "received_to": end_on.isoformat(),
                    "grid_cell": row["grid_cell"],
                    **({"category": category_id} if category_id is not None else {}),
                },
            }
        )
    # the most frequent category among exactly the tickets counted in the window
    top = _top_categories(tickets.filter(received_at__gte=since), [h["grid_cell"] for h in found], category_id)
    for hotspot in found:
        hotspot["top_category"] = top.get(hotspot["grid_cell"], "")
    found.sort(key=lambda h: (-h["tickets"], h["code"]))
    return found


def _top_categories(window: QuerySet[Ticket], cells: list[int], category_id: int | None) -> dict[int, str]:
    """The most frequent category of each cell's tickets in the window (one query): ``window`` is the
    queryset the window's count was made of (sent-back and merged tickets already left out)."""
    if not cells or category_id is not None:
        return {}
    counts = (
        window.filter(grid_cell__in=cells, category__isnull=False)
        .values("grid_cell", "category__name")
        .annotate(n=Count("id"))
        .order_by("grid_cell", "-n", "category__name")
    )
    top: dict[int, str] = {}
    for row in counts:
        top.setdefault(row["grid_cell"], row["category__name"])
    return top

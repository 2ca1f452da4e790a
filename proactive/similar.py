"""Earlier tickets that are probably the same matter as a given one (the triage "similar" list).

Candidates come from indexed sources, all restricted to ``PROACTIVE_SIMILAR_WINDOW_DAYS`` before the
ticket: tickets sharing LSH band keys (the most recent of each key, ranked by how many keys they share;
at most ``PROACTIVE_CANDIDATES``), and, each up to a quarter of that number, the most recent of the same
community, of the same community and category, and of the same grid cell — these catch a retelling that
shares no word (电梯停运 / 我们楼的电梯又困人了), which the word signature cannot. They are re-ranked
exactly with the documented score; those at or above ``PROACTIVE_SAME_MATTER_THRESHOLD`` are returned,
best first, among the tickets the user may see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection

from dispatch.access import visible_tickets
from intake.models import Ticket
from proactive.indexing import profile_from_signature, signature_for
from proactive.models import SignatureBand, TicketSignature
from proactive.similarity import Similarity, Weights, band_keys, score, similarity


@dataclass(frozen=True)
class SimilarTicket:
    ticket: Ticket
    similarity: Similarity


def _recent_by_key(keys: list[int], since, until, per_key: int) -> list[int]:
    """Ticket ids of the most recent ``per_key`` rows of each band key in the window (an index range
    scan on (key, received_at) each): a key of a very common word would otherwise drag tens of
    thousands of rows into the count at city scale. No keys (a text too short for any feature): none."""
    if not keys:
        return []
    if connection.vendor == "postgresql":
        # one round trip for the 16 scans instead of 16
        table = SignatureBand._meta.db_table
        part = (
            f"(SELECT ticket_id FROM {table} WHERE key = %s AND received_at >= %s AND received_at <= %s "
            "ORDER BY received_at DESC LIMIT %s)"
        )
        params: list = []
        for key in keys:
            params += [key, since, until, per_key]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([part] * len(keys)), params)
            return [row[0] for row in cursor.fetchall()]
    ids: list[int] = []
    for key in keys:
        ids += (
            SignatureBand.objects.filter(key=key, received_at__gte=since, received_at__lte=until)
            .order_by("-received_at")
            .values_list("ticket_id", flat=True)[:per_key]
        )
    return ids


def _candidate_ids(ticket: Ticket, signature, since, until) -> set[int]:
    cap = settings.PROACTIVE_CANDIDATES
    keys = band_keys(signature.minhash)
    shared = Counter(_recent_by_key(keys, since, until, max(10, 2 * cap // max(1, len(keys)))))
    shared.pop(signature.ticket_id, None)
    ids = {ticket_id for ticket_id, _n in shared.most_common(cap)}
    recent = max(10, cap // 4)
    in_window = {"received_at__gte": since, "received_at__lte": until}
    sources = []
    if signature.community_id is not None:
        # index (community, received_at); the category is filtered on the community's recent rows
        of_community = TicketSignature.objects.filter(community_id=signature.community_id, **in_window)
        sources.append(of_community.order_by("-received_at").values_list("ticket_id")[:recent])
        if signature.category_id is not None:
            of_category = of_community.filter(category_id=signature.category_id)
            sources.append(of_category.order_by("-received_at").values_list("ticket_id")[:recent])
    if ticket.grid_cell_id is not None:
        # index (grid_cell, received_at) on the tickets
        of_cell = Ticket.objects.filter(grid_cell_id=ticket.grid_cell_id, **in_window)
        sources.append(of_cell.order_by("-received_at").values_list("id")[:recent])
    if sources and connection.features.supports_slicing_ordering_in_compound:
        # one round trip (UNION ALL of the sliced queries) on PostgreSQL
        ids.update(tid for (tid,) in sources[0].union(*sources[1:], all=True))
    else:
        for source in sources:
            ids.update(tid for (tid,) in source)
    ids.discard(signature.ticket_id)
    return ids


def similar_tickets(ticket: Ticket, *, user, limit: int | None = None) -> list[SimilarTicket]:
    """Earlier tickets visible to ``user`` that are probably the same matter, best first."""
    limit = limit or settings.PROACTIVE_SIMILAR_LIMIT
    signature = signature_for(ticket)
    since = ticket.received_at - timedelta(days=settings.PROACTIVE_SIMILAR_WINDOW_DAYS)
    ids = _candidate_ids(ticket, signature, since, ticket.received_at)
    if not ids:
        return []
    mine = profile_from_signature(signature)
    threshold = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    weights = Weights.from_settings()
    # the candidates' signatures, only those of tickets the user may see (one query)
    others = TicketSignature.objects.filter(
        ticket_id__in=visible_tickets(user).filter(id__in=ids).values("id")
    ).values_list("ticket_id", "community_id", "category_id", "received_at", "profile", named=True)
    scored = []
    for other in others:
        profile = profile_from_signature(other)
        if score(mine, profile, weights) >= threshold:
            scored.append((similarity(mine, profile, weights), other.ticket_id))
    scored.sort(key=lambda pair: (-pair[0].score, -pair[1]))
    scored = scored[:limit]
    tickets = Ticket.objects.select_related("community", "category").in_bulk([tid for _r, tid in scored])
    return [SimilarTicket(ticket=tickets[tid], similarity=result) for result, tid in scored if tid in tickets]

"""Earlier tickets that are probably the same matter as a given one (the triage "similar" list).

Candidates come from two indexed sources, both restricted to ``PROACTIVE_SIMILAR_WINDOW_DAYS`` before
the ticket: tickets sharing LSH band keys (the most recent of each key, ranked by how many keys they
share), and the most recent
tickets of the same community (which catches a paraphrase that shares few words). At most
``PROACTIVE_CANDIDATES`` of each are re-ranked exactly with the documented score; those at or above
``PROACTIVE_SAME_MATTER_THRESHOLD`` are returned, best first, among the tickets the user may see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from dispatch.access import visible_tickets
from intake.models import Ticket
from proactive.indexing import profile_from_signature, signature_for
from proactive.models import SignatureBand, TicketSignature
from proactive.similarity import Similarity, Weights, band_keys, similarity


@dataclass(frozen=True)
class SimilarTicket:
    ticket: Ticket
    similarity: Similarity


def _candidate_ids(signature: TicketSignature, since, until) -> set[int]:
    cap = settings.PROACTIVE_CANDIDATES
    # Per band key only its most recent tickets (an index range scan on (key, received_at)): a key of a
    # very common word would otherwise drag tens of thousands of rows into the count at city scale.
    shared: Counter = Counter()
    per_key = max(10, cap // 2)
    for key in band_keys(signature.minhash):
        shared.update(
            SignatureBand.objects.filter(key=key, received_at__gte=since, received_at__lte=until)
            .order_by("-received_at")
            .values_list("ticket_id", flat=True)[:per_key]
        )
    shared.pop(signature.ticket_id, None)
    ids = {ticket_id for ticket_id, _n in shared.most_common(cap)}
    if signature.community_id is not None:
        ids.update(
            TicketSignature.objects.filter(
                community_id=signature.community_id, received_at__gte=since, received_at__lte=until
            )
            .order_by("-received_at")
            .values_list("ticket_id", flat=True)[:cap]
        )
    ids.discard(signature.ticket_id)
    return ids


def similar_tickets(ticket: Ticket, *, user, limit: int | None = None) -> list[SimilarTicket]:
    """Earlier tickets visible to ``user`` that are probably the same matter, best first."""
    limit = limit or settings.PROACTIVE_SIMILAR_LIMIT
    signature = signature_for(ticket)
    since = ticket.received_at - timedelta(days=settings.PROACTIVE_SIMILAR_WINDOW_DAYS)
    ids = _candidate_ids(signature, since, ticket.received_at)
    if not ids:
        return []
    visible_ids = set(visible_tickets(user).filter(id__in=ids).values_list("id", flat=True))
    mine = profile_from_signature(signature)
    threshold = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    weights = Weights.from_settings()
    scored = []
    for other in TicketSignature.objects.filter(ticket_id__in=visible_ids):
        result = similarity(mine, profile_from_signature(other), weights)
        if result.score >= threshold:
            scored.append((result, other.ticket_id))
    scored.sort(key=lambda pair: (-pair[0].score, -pair[1]))
    scored = scored[:limit]
    tickets = Ticket.objects.select_related("community", "category").in_bulk([tid for _r, tid in scored])
    return [SimilarTicket(ticket=tickets[tid], similarity=result) for result, tid in scored if tid in tickets]

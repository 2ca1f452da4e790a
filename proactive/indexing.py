"""The similarity index: one ``TicketSignature`` and its LSH ``SignatureBand`` keys per ticket.

Filled by the Celery task ``index_signatures`` (beat every few minutes) for tickets not yet indexed
or changed since, and on lookup for the ticket asked about. Indexing a ticket twice replaces its rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from intake.models import Ticket
from proactive.models import SignatureBand, TicketSignature
from proactive.similarity import Profile, band_keys, minhash, profile_of_ticket

# Bump when the measure (normalisation, dictionary, features, hashing) changes: every ticket is then
# indexed again by the periodic task.
MEASURE_VERSION = 1

_TICKET_FIELDS = ("id", "content", "address", "category_id", "community_id", "received_at")


def profile_to_json(profile: Profile) -> dict:
    return {"w": profile.words, "g": sorted(profile.grams), "p": sorted(profile.place_grams)}


def profile_from_signature(signature: TicketSignature) -> Profile:
    data = signature.profile
    words = data["w"]
    return Profile(
        words=words,
        grams=frozenset(data["g"]),
        place_grams=frozenset(data["p"]),
        category_id=signature.category_id,
        community_id=signature.community_id,
        received_at=signature.received_at,
        norm=sum(v * v for v in words.values()) ** 0.5,
    )


def index_tickets(tickets: Iterable[Ticket]) -> list[TicketSignature]:
    """Compute and store the signatures and band keys of these tickets (replacing older ones)."""
    now = timezone.now()
    signatures: list[TicketSignature] = []
    bands: list[SignatureBand] = []
    for ticket in tickets:
        profile = profile_of_ticket(ticket)
        values = minhash(profile.features())
        signatures.append(
            TicketSignature(
                ticket_id=ticket.id,
                received_at=ticket.received_at,
                community_id=ticket.community_id,
                category_id=ticket.category_id,
                profile=profile_to_json(profile),
                minhash=values,
                measure_version=MEASURE_VERSION,
                indexed_at=now,
            )
        )
        bands.extend(
            SignatureBand(ticket_id=ticket.id, key=k, received_at=ticket.received_at) for k in band_keys(values)
        )
    if not signatures:
        return []
    ids = [s.ticket_id for s in signatures]
    with transaction.atomic():
        # delete-then-insert keeps one row set per ticket, whoever indexed it first (task or lookup)
        SignatureBand.objects.filter(ticket_id__in=ids).delete()
        TicketSignature.objects.filter(ticket_id__in=ids).delete()
        TicketSignature.objects.bulk_create(signatures, batch_size=1000)
        SignatureBand.objects.bulk_create(bands, batch_size=5000)
    return signatures


def pending_tickets(limit: int):
    """Tickets without a current signature, newest first: never indexed, changed since, or indexed by
    an older measure."""
    stale = TicketSignature.objects.filter(
        Q(measure_version__lt=MEASURE_VERSION) | Q(indexed_at__lt=F("ticket__updated_at"))
    ).values("ticket_id")
    never = Ticket.objects.exclude(id__in=TicketSignature.objects.values("ticket_id"))
    again = Ticket.objects.filter(id__in=stale)
    return (never | again).order_by("-received_at").only(*_TICKET_FIELDS)[:limit]


def index_pending(limit: int | None = None) -> int:
    """Index up to ``limit`` pending tickets in batches; returns how many were indexed."""
    limit = limit or settings.PROACTIVE_INDEX_BATCH
    done = 0
    while done < limit:
        batch = list(pending_tickets(min(1000, limit - done)))
        if not batch:
            break
        index_tickets(batch)
        done += len(batch)
    return done


def signature_for(ticket: Ticket) -> TicketSignature:
    """The ticket's current signature, computing it now when it is missing or stale."""
    signature = TicketSignature.objects.filter(ticket_id=ticket.id, measure_version=MEASURE_VERSION).first()
    if signature is None or signature.indexed_at < ticket.updated_at:
        signature = index_tickets([ticket])[0]
    return signature

"""The similarity index: one ``TicketSignature`` and its LSH ``SignatureBand`` keys per ticket.

Filled by the Celery task ``index_signatures`` (beat every few minutes) for tickets not yet indexed
or changed since, and on lookup for the ticket asked about. Indexing a ticket twice replaces its rows.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from intake.models import Ticket
from proactive.models import IndexState, SignatureBand, TicketSignature
from proactive.similarity import Profile, band_keys, minhash, profile_of_ticket

# Bump when the measure (normalisation, dictionary, features, hashing) changes: every ticket is then
# indexed again by the periodic task.
MEASURE_VERSION = 4

_TICKET_FIELDS = ("id", "content", "address", "category_id", "community_id", "grid_cell_id", "received_at")


def profile_to_json(profile: Profile) -> dict:
    return {
        "w": profile.words,
        # n-grams as one space-separated string: a third of the decoding time of a JSON list
        "c": " ".join(sorted(profile.chars)),
        "s": " ".join(sorted(profile.sounds)),
        "p": sorted(profile.place_grams),
        "ps": " ".join(sorted(profile.place_sounds)),
        "grid": profile.grid_cell_id,
        # the weighted lengths, so that a lookup does not weigh every n-gram of every candidate again
        "cn": round(profile.chars_norm, 6),
        "sn": round(profile.sounds_norm, 6),
        "mn": round(profile.matter_norm, 6),
        "mcn": round(profile.matter_chars_norm, 6),
        "msn": round(profile.matter_sounds_norm, 6),
    }


def profile_from_signature(signature: TicketSignature) -> Profile:
    data = signature.profile
    words = data["w"]
    place_grams = frozenset(data["p"])
    norm = math.sqrt(sum(v * v for v in words.values()))
    return Profile(
        words=words,
        chars=frozenset(data["c"].split(" ")) if data["c"] else frozenset(),
        sounds=frozenset(data["s"].split(" ")) if data["s"] else frozenset(),
        place_grams=place_grams,
        # signatures of an older measure (until the periodic task indexes them again) lack the matter part:
        # their whole text counts as matter
        place_sounds=frozenset(data["ps"].split(" ")) if data.get("ps") else frozenset(),
        place_chars=frozenset(c for gram in place_grams for c in gram),
        category_id=signature.category_id,
        community_id=signature.community_id,
        grid_cell_id=data.get("grid"),
        received_at=signature.received_at,
        norm=norm,
        chars_norm=data["cn"],
        sounds_norm=data["sn"],
        matter_norm=data.get("mn", norm),
        matter_chars_norm=data.get("mcn", data["cn"]),
        matter_sounds_norm=data.get("msn", data["sn"]),
    )


def index_tickets(tickets: Iterable[Ticket]) -> list[TicketSignature]:
    """Compute and store the signatures and band keys of these tickets (replacing older ones)."""
    now = timezone.now()
    signatures: list[TicketSignature] = []
    bands: list[tuple[int, int, datetime]] = []
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
                fingerprint=fingerprint(ticket),
                indexed_at=now,
            )
        )
        bands.extend((ticket.id, key, ticket.received_at) for key in band_keys(values))
    if not signatures:
        return []
    ids = [s.ticket_id for s in signatures]
    with transaction.atomic():
        # The tickets' rows are locked first, in id order: two indexers of one ticket (the similar-tickets
        # and the suggestions lookups of one panel, or a lookup and the beat task) take turns instead of
        # both inserting its signature. Then delete-then-insert keeps one row set per ticket.
        list(Ticket.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id", flat=True))
        _delete_bands(TicketSignature.objects.filter(ticket_id__in=ids))
        TicketSignature.objects.filter(ticket_id__in=ids).delete()
        TicketSignature.objects.bulk_create(signatures, batch_size=1000)
        _insert_bands(bands)
    return signatures


def _delete_bands(old: QuerySet) -> None:
    """Delete the band rows of already indexed tickets, found by their stored keys and received_at (as
    they were written; the table has no index on the ticket alone), in one statement."""
    rows = [
        (ticket_id, key, received_at)
        for ticket_id, values, received_at in old.values_list("ticket_id", "minhash", "received_at")
        for key in band_keys(values)
    ]
    if not rows:
        return
    if connection.vendor == "postgresql":
        # the (key, received_at) index finds each row; one DELETE joined to the arrays of the rows
        table = SignatureBand._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} AS b "
                "USING unnest(%s::bigint[], %s::bigint[], %s::timestamptz[]) AS v(ticket_id, key, received_at) "
                "WHERE b.key = v.key AND b.received_at = v.received_at AND b.ticket_id = v.ticket_id",
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
            )
        return
    # the embedded SQLite: one DELETE per 200 tickets (its limits on bound parameters and expression depth)
    by_ticket: dict[tuple[int, datetime], list[int]] = {}
    for ticket_id, key, received_at in rows:
        by_ticket.setdefault((ticket_id, received_at), []).append(key)
    items = list(by_ticket.items())
    for start in range(0, len(items), 200):
        match = Q()
        for (ticket_id, received_at), keys in items[start : start + 200]:
            match |= Q(key__in=keys, received_at=received_at, ticket_id=ticket_id)
        SignatureBand.objects.filter(match).delete()


def _insert_bands(bands: list[tuple[int, int, datetime]]) -> None:
    if connection.vendor == "postgresql":
        # 16 rows per ticket: one array insert per chunk instead of a model instance per row
        table = SignatureBand._meta.db_table
        with connection.cursor() as cursor:
            for start in range(0, len(bands), 20000):
                chunk = bands[start : start + 20000]
                cursor.execute(
                    f"INSERT INTO {table} (ticket_id, key, received_at) "
                    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[])",
                    [[b[0] for b in chunk], [b[1] for b in chunk], [b[2] for b in chunk]],
                )
    else:
        SignatureBand.objects.bulk_create(
            [SignatureBand(ticket_id=t, key=k, received_at=r) for t, k, r in bands], batch_size=2000
        )


def fingerprint(ticket: Ticket) -> str:
    source = "\x1f".join(
        str(v)
        for v in (
            ticket.content,
            ticket.address,
            ticket.category_id,
            ticket.community_id,
            ticket.grid_cell_id,
            ticket.received_at,
        )
    )
    return hashlib.blake2b(source.encode(), digest_size=16).hexdigest()


def _state() -> IndexState:
    # select_for_update: two workers running the periodic task would otherwise index the same batch
    state, _created = IndexState.objects.select_for_update().get_or_create(pk=1)
    if state.measure_version != MEASURE_VERSION:
        # a new measure: every ticket again, from the first
        state.measure_version, state.last_ticket_id, state.checked_at = MEASURE_VERSION, 0, None
    return state


def index_pending(limit: int | None = None) -> int:
    """Index up to ``limit`` tickets not yet indexed (by id, above the stored mark), then those
    changed since the last check; returns how many were indexed."""
    limit = limit or settings.PROACTIVE_INDEX_BATCH
    done = 0
    while done < limit:
        with transaction.atomic():
            state = _state()
            batch = list(
                Ticket.objects.filter(id__gt=state.last_ticket_id)
                .order_by("id")
                .only(*_TICKET_FIELDS)[: min(1000, limit - done)]
            )
            if not batch:
                state.save()
                break
            index_tickets(batch)
            state.last_ticket_id = batch[-1].id
            state.save()
            done += len(batch)
    if done < limit:
        done += _index_changed()
    return done


def _index_changed() -> int:
    """Re-index tickets whose text, place, category or time changed since the last check (a scan of
    the tickets updated since then; the first check only sets the mark, as everything below it was
    just indexed)."""
    with transaction.atomic():
        state = _state()
        started_at = timezone.now()
        stale: list[Ticket] = []
        if state.checked_at is not None:
            updated = list(
                Ticket.objects.filter(id__lte=state.last_ticket_id, updated_at__gte=state.checked_at).only(
                    *_TICKET_FIELDS
                )
            )
            prints = dict(
                TicketSignature.objects.filter(ticket_id__in=[t.id for t in updated]).values_list(
                    "ticket_id", "fingerprint"
                )
            )
            stale = [t for t in updated if prints.get(t.id) != fingerprint(t)]
            for start in range(0, len(stale), 1000):
                index_tickets(stale[start : start + 1000])
        state.checked_at = started_at
        state.save()
    return len(stale)


def signature_for(ticket: Ticket) -> TicketSignature:
    """The ticket's current signature, computing it now when it is missing or stale."""
    signature = TicketSignature.objects.filter(ticket_id=ticket.id, measure_version=MEASURE_VERSION).first()
    if signature is None or signature.fingerprint != fingerprint(ticket):
        signature = index_tickets([ticket])[0]
    return signature

"""Step 1 again: the upstream sends a ticket number the street already has (docs/intake.md).

Intake applies the rule (``intake.upstream_changes``): a ticket still ``received`` is updated, one
past receipt is refused when the upstream's own fields differ. What an update changed is written
here as an ``upstream_update`` event on the ticket's timeline, in the import's own transaction, so
that nothing the upstream sends is applied without a trace. Every way tickets come in (the
``import_tickets`` command, the CSV upload, the JSON ticket) goes through these two functions.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import EventKind, TicketEvent
from intake.importers import ImportResult, import_tickets
from intake.models import ImportBatch, PlaceOrigin, Status, Ticket
from intake.places import place_tickets
from intake.receiving import ReceiveResult, receive_ticket
from intake.upstream_changes import TicketChange
from jxq_cases.lib import clock

if TYPE_CHECKING:
    from org.models import User

EVENT_BATCH = 1000


def record_upstream_updates(batch: ImportBatch, changes: list[TicketChange], *, actor: User | None) -> None:
    """One ``upstream_update`` event per changed ticket: the fields, old -> new except personal data.
    A ticket whose address changed is looked up again (its place is reset; placed after the import)."""
    now = timezone.now()
    moved = [change.ticket_id for change in changes if "address" in change.fields]
    if moved:
        Ticket.objects.filter(id__in=moved).update(
            place_origin=PlaceOrigin.PENDING, place_community=None, grid_cell=None, place_lon=None, place_lat=None
        )
    TicketEvent.objects.bulk_create(
        (
            TicketEvent(
                ticket_id=change.ticket_id,
                kind=EventKind.UPSTREAM_UPDATE,
                actor=actor,
                at=now,
                from_status=Status.RECEIVED,
                to_status=Status.RECEIVED,
                data={**change.as_data(), "import_batch": batch.pk, "row": change.row},
            )
            for change in changes
        ),
        batch_size=EVENT_BATCH,
    )


def import_tickets_and_record(stream_or_path: Any, *, actor: User | None = None, file_name: str = "") -> ImportResult:
    """A ticket export, whole or not at all, with every update recorded on its ticket's timeline."""
    record = partial(record_upstream_updates, actor=actor)
    result = import_tickets(stream_or_path, actor=actor, file_name=file_name, record_updates=record)
    place_tickets()
    return result


def receive_ticket_and_record(data: dict[str, Any], *, actor: User | None = None) -> ReceiveResult:
    """One ticket as JSON, with an update recorded on its timeline."""
    received = receive_ticket(data, actor=actor, record_updates=partial(record_upstream_updates, actor=actor))
    place_tickets(Ticket.objects.filter(pk=received.ticket.pk))
    return received


def change_details(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The timeline lines of an ``upstream_update`` event: which fields changed, then old -> new for
    those that are not personal data (the event never stores those values)."""
    if not data.get("fields"):
        return []
    labels = {f.name: f.verbose_name for f in Ticket._meta.get_fields() if hasattr(f, "verbose_name")}
    lines = [(_("Changed by the upstream"), "、".join(str(labels.get(code, code)) for code in data["fields"]))]
    for code, change in (data.get("changes") or {}).items():
        old, new = (_shown(code, change.get(key)) for key in ("from", "to"))
        lines.append((str(labels.get(code, code)), f"{old} → {new}"))
    return lines


def _shown(code: str, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    if code == "received_at":
        try:
            return clock.local(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    try:
        choices = dict(Ticket._meta.get_field(code).flatchoices)  # type: ignore[union-attr]
    except FieldDoesNotExist:  # a field renamed since the event was written: show the code
        return value
    return str(choices.get(value, value))

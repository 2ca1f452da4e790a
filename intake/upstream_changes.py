"""The rule for a ticket number that is received again (CSV row or JSON), shared by both ways in.

- While the ticket is ``received`` (nobody has triaged it yet) it is still the upstream's: the
  fields that differ are updated, and the change is handed to the caller as a ``TicketChange``, which
  the caller must record (``dispatch.upstream`` writes it on the ticket's timeline).
- From triage on, the ticket is the street's. Its classification (category, urgency, community)
  is the center's triage and the upstream's values for it are not compared. Any other difference
  (content, complainant, address, source, kind, receive time) is refused: the whole file, or the
  JSON request with 409, naming the ticket and the fields. Nothing is rewritten behind the back of
  the people handling it.

An identical re-send is "unchanged" in both cases and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from intake.formats import RowError
from intake.models import Status

# Column codes in the order of the export (docs/domain.md §8).
TICKET_FIELDS = (
    "source",
    "received_at",
    "kind",
    "category",
    "content",
    "complainant_name",
    "complainant_phone",
    "address",
    "community",
    "urgency",
)
# Set by triage: after it, the center's values stand and the upstream's are not compared.
CLASSIFICATION_FIELDS = frozenset({"category", "urgency", "community"})
# Personal data (docs/domain.md §7): an event names the field, never the old or the new value.
PERSONAL_FIELDS = frozenset({"complainant_name", "complainant_phone", "address"})
OPEN_TO_UPDATES = Status.RECEIVED


def compared_fields(status: str) -> tuple[str, ...]:
    """The fields compared with what the upstream sends again, for a ticket in ``status``."""
    if status == OPEN_TO_UPDATES:
        return TICKET_FIELDS
    return tuple(f for f in TICKET_FIELDS if f not in CLASSIFICATION_FIELDS)


def as_text(value) -> str | None:
    """A field's value as an event stores it: codes and names as they are, times in ISO 8601."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@dataclass
class TicketChange:
    """What re-receiving changed on one ticket: the fields, and old -> new for the non-personal ones."""

    ticket_id: int
    ticket_no: str
    row: int | None  # the CSV row (None for JSON)
    fields: list[str] = field(default_factory=list)
    values: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def add(self, code: str, old, new) -> None:
        self.fields.append(code)
        if code not in PERSONAL_FIELDS:
            self.values[code] = (as_text(old), as_text(new))

    def as_data(self) -> dict:
        return {
            "fields": list(self.fields),
            "changes": {code: {"from": old, "to": new} for code, (old, new) in self.values.items()},
        }


def past_receipt_reason(status: str, fields: list[str]) -> str:
    return _(
        "the ticket is past receipt (%(status)s): the upstream may no longer change its %(fields)s; "
        "record the change as a handling note if it matters"
    ) % {"status": Status(status).label, "fields": ", ".join(fields)}


def past_receipt_error(row: int | None, ticket_no: str, status: str, fields: list[str]) -> RowError:
    return RowError(row, ",".join(fields), ticket_no, past_receipt_reason(status, fields))

"""Step 1 of the workflow for one ticket (接单): the upstream platform or the center sends it as JSON.

The fields and the rules are those of a CSV row (docs/domain.md §8, ``intake.formats``): the same names
(English, or the Chinese headers), the same values, the same validator. A ticket number seen before
is never doubled; it follows ``intake.upstream_changes``: a received ticket is updated when a field
differs (the caller records the change), a ticket past receipt is refused with 409 when one of the
upstream's fields differs, and an identical re-send is "unchanged".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.formats import TICKET_COLUMNS, RowError, RowValidator
from intake.models import Category, CategoryAlias, ImportBatch, Status, Ticket
from intake.staging import number_lock
from intake.upstream_changes import TicketChange, compared_fields, past_receipt_reason
from jxq_cases.lib.errors import DomainError, ErrorCode

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_FIELDS = {
    "source": "source",
    "received_at": "received_at",
    "kind": "kind",
    "category": "category_id",
    "content": "content",
    "complainant_name": "complainant_name",
    "complainant_phone": "complainant_phone",
    "address": "address",
    "community": "community_id",
    "urgency": "urgency",
}


@dataclass
class ReceiveResult:
    ticket: Ticket
    outcome: str  # created / updated / unchanged


def receive_ticket(
    data: dict, *, actor=None, record_updates: Callable[[ImportBatch, list[TicketChange]], None], street=None
) -> ReceiveResult:
    """Create the ticket, or apply the re-receive rule to the one with the same ticket number; refuse
    bad fields all together. ``record_updates`` gets the batch and the change of an update, in the
    same transaction. The ticket is ``street``'s (a Street or a name; default: the actor's own
    street, else the only one): an actor bound to other streets is refused (403), and so is a number
    another street holds (docs/district.md)."""
    from org.streets import intake_street

    if isinstance(data, dict) and "street" in data:
        data = dict(data)
        street = str(data.pop("street") or "") or street
    target = intake_street(street, actor)
    raw, errors = _raw_fields(data)
    clean, row_errors = RowValidator(TICKET_COLUMNS, street=target).validate(raw, None)
    errors += row_errors
    if errors:
        raise DomainError(
            ErrorCode.INVALID,
            _("The ticket was not received: %(errors)s") % {"errors": "; ".join(str(e) for e in errors)},
            errors=[e.as_dict() for e in errors],
        )
    try:
        with transaction.atomic():
            return _store(clean, actor=actor, record_updates=record_updates, street=target)
    except IntegrityError as exc:
        # Two requests created the same ticket number at the same instant; the loser may simply retry.
        raise DomainError(
            ErrorCode.CONFLICT,
            _("The ticket %(no)s was received twice at once; try again.") % {"no": clean["ticket_no"]},
        ) from exc


def _raw_fields(data: dict) -> tuple[dict[str, str], list[RowError]]:
    """Field name (English or Chinese) -> text; unknown names and non-scalar values are errors."""
    names = {}
    for column in TICKET_COLUMNS:
        names[column.code] = column.code
        names[column.header_zh] = column.code
    raw: dict[str, str] = {}
    errors: list[RowError] = []
    seen: set[str] = set()
    if not isinstance(data, dict):
        return raw, [RowError(None, "-", str(data)[:100], _("expected a JSON object with the ticket's fields"))]
    for key, value in data.items():
        code = names.get(key)
        if code is None:
            errors.append(RowError(None, str(key), str(value), _("is not a ticket field")))
        elif code in seen:
            errors.append(RowError(None, code, str(value), _("is given twice (English and Chinese names)")))
        elif isinstance(value, bool) or not isinstance(value, str | int | float | None):
            errors.append(RowError(None, code, str(value), _("must be text")))
        else:
            raw[code] = "" if value is None else str(value)
        if code is not None:
            seen.add(code)
    for column in TICKET_COLUMNS:
        if column.required and column.code not in raw and not any(e.column == column.code for e in errors):
            errors.append(RowError(None, column.code, "", _("is required")))
    return raw, errors


def _store(clean: dict, *, actor, record_updates, street) -> ReceiveResult:
    values = {}
    for code in _FIELDS:
        if code not in clean:
            continue
        value = clean[code]
        if code == "category" and value is not None:
            # a name the center mapped goes where it was mapped; one we do not know yet waits for the
            # center's confirmation (intake.categories)
            alias = CategoryAlias.objects.filter(name=value).values_list("category_id", flat=True).first()
            value = alias or Category.objects.get_or_create(name=value, defaults={"confirmed": False})[0].pk
        values[code] = value
    number_lock(clean["ticket_no"])
    # the lock orders two updates of the same ticket number; a create races only on the unique index
    ticket = Ticket.objects.select_for_update().filter(ticket_no=clean["ticket_no"]).first()
    if ticket is not None and ticket.street_id != street.pk:
        reason = _("is held by another street (%(street)s)") % {"street": ticket.street.name}
        raise DomainError(
            ErrorCode.CONFLICT,
            _("Ticket %(no)s was not received: %(reason)s.") % {"no": clean["ticket_no"], "reason": reason},
            errors=[RowError(None, "ticket_no", clean["ticket_no"], reason).as_dict()],
        )
    batch = ImportBatch(kind=ImportBatch.Kind.TICKETS, file_name="API", imported_by=actor, rows=1)
    if ticket is None:
        batch.created = 1
        batch.save()
        fields = {_FIELDS[code]: value for code, value in values.items()}
        ticket = Ticket.objects.create(ticket_no=clean["ticket_no"], import_batch=batch, street=street, **fields)
        return ReceiveResult(ticket, CREATED)
    compared = compared_fields(ticket.status)
    changed = [code for code in compared if code in values and getattr(ticket, _FIELDS[code]) != values[code]]
    if not changed:
        batch.unchanged = 1
        batch.save()
        return ReceiveResult(ticket, UNCHANGED)
    if ticket.status != Status.RECEIVED:
        reason = past_receipt_reason(ticket.status, changed)
        raise DomainError(
            ErrorCode.CONFLICT,
            _("Ticket %(no)s was not changed: %(reason)s.") % {"no": ticket.ticket_no, "reason": reason},
            errors=[RowError(None, code, str(clean[code] or ""), reason).as_dict() for code in changed],
        )
    change = TicketChange(ticket.pk, ticket.ticket_no, None)
    new_names = _names(values)
    for code in changed:
        change.add(code, _shown(ticket, code), new_names.get(code, values[code]))
        setattr(ticket, _FIELDS[code], values[code])
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*(_FIELDS[code] for code in changed), "updated_at"])
    batch.updated = 1
    batch.save()
    record_updates(batch, [change])
    return ReceiveResult(ticket, UPDATED)


def _shown(ticket: Ticket, code: str):
    """The current value as an event shows it: the category and the community by name."""
    if code in ("category", "community"):
        related = getattr(ticket, code)
        return related.name if related else None
    return getattr(ticket, _FIELDS[code])


def _names(values: dict) -> dict:
    from org.models import Unit

    names = {}
    if values.get("category") is not None:
        names["category"] = Category.objects.get(pk=values["category"]).name
    if values.get("community") is not None:
        names["community"] = Unit.objects.get(pk=values["community"]).name
    return names

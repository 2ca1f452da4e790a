"""The frame every workflow action shares: lock the ticket, finish the step (save, one event, notices
after commit), and the small helpers the step functions use.

``finish`` and ``finish_many`` are the only two places in the code base that write a ticket's
status: one row (every framed action), or a set of rows in one statement (a visit import moving
hundreds of replied tickets on at once). Both write one event per ticket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from dispatch import access, deadlines
from dispatch.models import TicketEvent
from dispatch.notifications import notify_after_commit
from intake.models import CLOCK_RUNNING, Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from org.models import User


@dataclass
class Step:
    """What a step function did, for ``finish`` to save, record and announce."""

    to_status: str | None = None  # None: the ticket keeps its state
    fields: set[str] = field(default_factory=set)  # ticket columns the step changed
    data: dict = field(default_factory=dict)  # the event's data (codes and values, never labels)
    notices: list[dict] = field(default_factory=list)  # for notify_after_commit
    actor_unit_id: int | None = None  # default: the actor's unit on this ticket
    # undone when finishing fails (files already written to storage are not in the transaction)
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def invalid(detail: str, **errors: Any) -> DomainError:
    return DomainError(ErrorCode.INVALID, detail, errors=errors or None)


def conflict(detail: str) -> DomainError:
    return DomainError(ErrorCode.ILLEGAL_TRANSITION, detail)


def lock(ticket: Ticket | int) -> Ticket:
    """The ticket, re-read under its row lock: the lock serialises two actors acting on one ticket at
    once (two sign-offs, two dispatches); the second waits, then sees the new state and gets 409."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    try:
        return Ticket.objects.select_for_update().get(pk=pk)
    except Ticket.DoesNotExist:
        raise DomainError(ErrorCode.NOT_FOUND, _("ticket not found")) from None


def actor_unit_id(actor: User, ticket: Ticket) -> int | None:
    """The unit the actor acts for on this ticket: the lead unit if theirs, else their first unit."""
    unit_ids = list(actor.units.order_by("id").values_list("id", flat=True)) if actor else []
    if ticket.lead_unit_id in unit_ids:
        return ticket.lead_unit_id
    return unit_ids[0] if unit_ids else None


def finish(ticket: Ticket, actor: User, kind: str, step: Step, now: datetime) -> Ticket:
    """Save what the step changed (and the deadlines that follow from it), write exactly one event of
    ``kind``, and queue the step's notices for after the commit."""
    try:
        from_status = ticket.status
        to_status = step.to_status or from_status
        if to_status != from_status:
            ticket.status = to_status  # one of the two writes of a ticket's status (see the module)
            step.fields.add("status")
        step.fields |= set(deadlines.apply_deadlines(ticket))
        step.fields.add("updated_at")
        ticket.save(update_fields=sorted(step.fields))
        TicketEvent.objects.create(
            ticket=ticket,
            kind=kind,
            actor=actor,
            actor_unit_id=step.actor_unit_id or actor_unit_id(actor, ticket),
            at=now,
            from_status=from_status,
            to_status=to_status,
            data=step.data,
        )
    except Exception:
        for undo in step.cleanup:
            undo()
        raise
    for notice in step.notices:
        notify_after_commit(ticket_id=ticket.pk, exclude_user_id=getattr(actor, "pk", None), **notice)
    return ticket


# States without a running clock: a set-based move between them changes no deadline.
_NO_CLOCK = frozenset(Status) - frozenset(CLOCK_RUNNING)


@transaction.atomic
def finish_many(
    moves: dict[str, list[int]],
    *,
    from_status: str,
    kind: str,
    actor: User | None,
    now: datetime,
    data: dict[int, dict],
    also_set: dict[str, dict[str, Any]] | None = None,
) -> int:
    """Move many tickets from ``from_status`` in one statement per target state, writing one event of
    ``kind`` per ticket (``data`` by ticket id). Only between states where no deadline runs, so the
    stored deadlines stay what ``dispatch.deadlines`` would compute. Rows no longer in ``from_status``
    (moved meanwhile) are left alone. Returns how many moved."""
    if from_status not in _NO_CLOCK or not set(moves) <= _NO_CLOCK:
        raise ValueError("finish_many moves tickets only between states without a running deadline")
    moved = 0
    events = []
    for to_status, ids in moves.items():
        if not ids:
            continue
        locked = list(
            Ticket.objects.select_for_update().filter(pk__in=ids, status=from_status).order_by("id").values_list("id")
        )
        locked_ids = [row[0] for row in locked]
        columns = {"status": to_status, "updated_at": now, **(also_set or {}).get(to_status, {})}
        moved += Ticket.objects.filter(pk__in=locked_ids).update(**columns)
        events += [
            TicketEvent(
                ticket_id=i, kind=kind, actor=actor, at=now, from_status=from_status, to_status=to_status, data=data[i]
            )
            for i in locked_ids
        ]
    TicketEvent.objects.bulk_create(events, batch_size=2000)
    return moved


def text(value: str | None, name: str, *, required: bool = True, max_length: int = 5000) -> str:
    """A free-text input, stripped; 400 naming the field when required and empty, or too long."""
    value = (value or "").strip()
    if required and not value:
        raise invalid(_("%(name)s is required") % {"name": name}, **{name: "required"})
    if len(value) > max_length:
        raise invalid(
            _("%(name)s is longer than %(max_length)s characters") % {"name": name, "max_length": max_length},
            **{name: "too long"},
        )
    return value


# --- who hears about a step ---


def lead_notice(ticket: Ticket, kind: str, message: str) -> dict:
    """The handlers of the ticket's lead unit."""
    return {"kind": kind, "text": message, "unit_ids": [ticket.lead_unit_id]}


def units_notice(unit_ids: Iterable[int], kind: str, message: str) -> dict:
    return {"kind": kind, "text": message, "unit_ids": list(unit_ids)}


def center_notice(ticket: Ticket, kind: str, message: str) -> dict:
    """The complaint center of the ticket's street."""
    return {"kind": kind, "text": message, **access.center_recipients(ticket)}


def person_notice(user_id: int | None, kind: str, message: str) -> dict:
    return {"kind": kind, "text": message, "user_ids": [user_id] if user_id else []}


def leaders_notice(ticket: Ticket, kind: str, message: str) -> dict:
    """The lead unit's section leader and the principal leaders (supervised and key tickets)."""
    return {"kind": kind, "text": message, **access.leader_recipients(ticket)}


def signer_notice(ticket: Ticket, chain_role: str, kind: str, message: str) -> dict:
    """Whoever signs the ticket's documents in ``chain_role`` (the lead unit's section leader, or the
    principal leaders)."""
    return {"kind": kind, "text": message, **access.signer_recipients(ticket, chain_role)}

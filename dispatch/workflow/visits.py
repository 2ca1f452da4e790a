"""Step 8: our own pre-visit (回访前自查), the city's return visit (回访), then second handling (二次办理)
or closing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.models import PreVisit
from dispatch.notifications import notify_after_commit
from dispatch.workflow import conditions, core
from dispatch.workflow.core import Step
from dispatch.workflow.registry import action
from intake.models import ReturnVisit, Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Role

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = [
    "apply_imported_visits",
    "close_ticket",
    "import_visits_and_advance",
    "record_pre_visit",
    "record_return_visit",
    "reopen_for_second_handling",
]

if TYPE_CHECKING:
    from intake.importers import ImportResult
    from org.models import User


def _after_visit(resolved: bool | None, satisfied: bool | None) -> str:
    # A double-yes visit ends the ticket; anything else waits for the center's decision (reopen/close).
    return Status.CLOSED if (resolved and satisfied) else Status.VISITED


def _visit_data(
    visited_at: datetime, counted: bool | None, contacted: bool | None, resolved: bool | None, satisfied: bool | None
) -> dict[str, Any]:
    return {
        "visited_at": visited_at.isoformat(),
        "counted": counted,
        "contacted": contacted,
        "resolved": resolved,
        "satisfied": satisfied,
    }


@action(
    "record_pre_visit",
    label=gettext_lazy("Record our pre-visit"),
    verb=gettext_lazy("record a pre-visit"),
    runs_from={Status.REPLIED},
    who={access.CENTER, access.LEAD_UNIT},
    ready=[conditions.NO_PRE_VISIT_THIS_ROUND],
    serializer="dispatch.serializers.PreVisitAction",
    form="dispatch.forms.PreVisitForm",
    event_label=gettext_lazy("Pre-visit recorded"),
    moves_to={Status.REHANDLING},
)
def record_pre_visit(
    ticket: Ticket,
    *,
    actor: Any,
    now: datetime,
    responded: bool,
    resolved: bool,
    satisfied: bool,
    note: str = "",
    called_at: datetime | None = None,
) -> Step:
    """Our own call before the city's return visit (回访前自查): the center or the lead unit asks the
    complainant the city's questions after the reply. Double-yes (resolved and satisfied): the ticket
    stays replied and waits for the city. Anything else: straight to second handling — the way
    ``reopen_for_second_handling`` takes after a city visit — before the city counts it."""
    called_at = called_at or now
    if called_at > now + timedelta(minutes=5):
        raise core.invalid(_("the call cannot be in the future"), called_at="in the future")
    if ticket.replied_at and called_at < ticket.replied_at:
        raise core.invalid(_("the call cannot be before the reply"), called_at="before the reply")
    note = core.text(note, "note", required=not (resolved and satisfied))
    PreVisit.objects.create(
        ticket=ticket,
        round=ticket.rehandling_count,
        called_at=called_at,
        responded=responded,
        resolved=resolved,
        satisfied=satisfied,
        note=note,
        caller=actor,
        caller_unit_id=core.actor_unit_id(actor, ticket),
    )
    data = {
        "called_at": called_at.isoformat(),
        "contacted": responded,
        "resolved": resolved,
        "satisfied": satisfied,
        "note": note,
    }
    if resolved and satisfied:
        return Step(data=data)
    reason = _("our pre-visit was not double-yes: %(note)s") % {"note": note}
    return _second_handling(ticket, now, reason=reason, data=data)


@action(
    "record_return_visit",
    label=gettext_lazy("Record the return visit"),
    verb=gettext_lazy("record a return visit"),
    runs_from={Status.REPLIED},
    who={access.CENTER},
    serializer="dispatch.serializers.VisitAction",
    form="dispatch.forms.VisitForm",
    event_label=gettext_lazy("Return visit recorded"),
    moves_to={Status.VISITED, Status.CLOSED},
    aliases=("visit",),
)
def record_return_visit(
    ticket: Ticket,
    *,
    actor: User,
    now: datetime,
    visited_at: datetime,
    counted: bool,
    contacted: bool,
    resolved: bool,
    satisfied: bool,
) -> Step:
    """The center enters the city's return-visit result: kept in the history and copied to the ticket."""
    if visited_at is None or visited_at > now + timedelta(minutes=5):
        raise core.invalid(_("visited_at is required and may not be in the future"), visited_at="invalid")
    if ticket.replied_at and visited_at < ticket.replied_at:
        raise core.invalid(_("the visit cannot be before the reply"), visited_at="before the reply")
    try:
        with transaction.atomic():
            ReturnVisit.objects.create(
                ticket=ticket,
                visited_at=visited_at,
                counted=counted,
                contacted=contacted,
                resolved=resolved,
                satisfied=satisfied,
                origin=ReturnVisit.Origin.CENTER,
                recorded_by=actor,
            )
    except IntegrityError:
        raise DomainError(ErrorCode.CONFLICT, _("a visit at this time is already recorded")) from None
    ticket.visited_at = visited_at
    ticket.visit_counted, ticket.visit_contacted = counted, contacted
    ticket.visit_resolved, ticket.visit_satisfied = resolved, satisfied
    to_status = _after_visit(resolved, satisfied)
    fields = {"visited_at", "visit_counted", "visit_contacted", "visit_resolved", "visit_satisfied"}
    if to_status == Status.CLOSED:
        ticket.closed_at = now
        fields.add("closed_at")
    step = Step(
        to_status=to_status, fields=fields, data=_visit_data(visited_at, counted, contacted, resolved, satisfied)
    )
    if to_status == Status.VISITED:
        message = _("The return visit of ticket %(ticket_no)s was not double-yes; decide on second handling.")
        step.notices.append(core.center_notice(ticket, "not_double_yes", message % {"ticket_no": ticket.ticket_no}))
    return step


@transaction.atomic
def apply_imported_visits(ticket_ids: Iterable[int], *, actor: User | None, now: datetime | None = None) -> int:
    """After a visit import: move the replied tickets whose latest visit is now known to visited, or
    to closed when double-yes — set-based (``core.finish_many``: one statement per target state, one
    ``record_return_visit`` event per ticket). Tickets in any other state keep it (a visit of a closed
    ticket only updates its columns). Returns how many tickets moved."""
    now = now or timezone.now()
    rows = list(
        Ticket.objects.filter(pk__in=list(ticket_ids), status=Status.REPLIED, visited_at__isnull=False)
        .values("id", "visit_counted", "visit_contacted", "visit_resolved", "visit_satisfied", "visited_at")
        .order_by("id")
    )
    if not rows:
        return 0
    moves: dict[str, list[int]] = {Status.CLOSED: [], Status.VISITED: []}
    data = {}
    for r in rows:
        moves[_after_visit(r["visit_resolved"], r["visit_satisfied"])].append(r["id"])
        assert r["visited_at"] is not None  # filtered above
        visit = (r["visited_at"], r["visit_counted"], r["visit_contacted"], r["visit_resolved"], r["visit_satisfied"])
        data[r["id"]] = {**_visit_data(*visit), "imported": True}
    moved = core.finish_many(
        moves,
        from_status=Status.REPLIED,
        kind=record_return_visit.action.event_kind,
        actor=actor,
        now=now,
        data=data,
        also_set={Status.CLOSED: {"closed_at": now}},
    )
    if moves[Status.VISITED]:
        message = _("Imported visits: %(count)s ticket(s) not double-yes; decide on second handling.")
        # each street's center hears of its own tickets (an import is one street's: one notice)
        streets = Counter(Ticket.objects.filter(pk__in=moves[Status.VISITED]).values_list("street_id", flat=True))
        for street_id, count in sorted(streets.items()):
            notify_after_commit(
                ticket_id=None,
                kind="not_double_yes",
                text=message % {"count": count},
                roles=[Role.CENTER_STAFF],
                street_id=street_id,
            )
    return moved


def import_visits_and_advance(
    stream_or_path: Any, *, actor: User | None = None, file_name: str = "", street: Any = None
) -> ImportResult:
    """Step 8 from the city's results: store the visits (intake.importers, all or nothing) and move the
    replied tickets whose latest visit changed on to visited/closed — in one transaction. The visits
    are of ``street``'s tickets (default: the actor's or the only street)."""
    from intake.importers import import_visits

    with transaction.atomic():
        result = import_visits(stream_or_path, actor=actor, file_name=file_name, street=street)
        apply_imported_visits(result.changed_ticket_ids, actor=actor)
    return result


@action(
    "reopen_for_second_handling",
    label=gettext_lazy("Reopen for second handling"),
    verb=gettext_lazy("reopen for second handling"),
    runs_from={Status.VISITED},
    who={access.CENTER},
    ready=[conditions.NOT_DOUBLE_YES],
    serializer="dispatch.serializers.ReasonAction",
    form="dispatch.forms.ReasonForm",
    event_label=gettext_lazy("Reopened for second handling"),
    moves_to={Status.REHANDLING},
    aliases=("reopen",),
)
def reopen_for_second_handling(ticket: Ticket, *, actor: User, now: datetime, reason: str) -> Step:
    """A not-double-yes ticket goes back to its lead unit with a new handling deadline (二次办理)."""
    reason = core.text(reason, "reason")
    return _second_handling(ticket, now, reason=reason)


def _second_handling(ticket: Ticket, now: datetime, *, reason: str, data: dict | None = None) -> Step:
    """The one way into second handling (二次办理), after the city's visit or our own pre-visit: the
    next round, a new handling clock from now, the reply of the last round undone."""
    ticket.rehandling_count += 1
    ticket.handle_started_at = now
    ticket.handle_paused_for = timedelta(0)
    ticket.extended_handle_due_at = None
    ticket.reviewed_at = None
    ticket.replied_at = None
    step = Step(
        to_status=Status.REHANDLING,
        fields={"rehandling_count", "handle_started_at", "handle_paused_for", "extended_handle_due_at"}
        | {"reviewed_at", "replied_at"},
        data={**(data or {}), "reason": reason, "round": ticket.rehandling_count},
    )
    message = _("Ticket %(ticket_no)s needs second handling: %(reason)s")
    step.notices.append(
        core.lead_notice(ticket, "reopened", message % {"ticket_no": ticket.ticket_no, "reason": reason})
    )
    return step


@action(
    "close_ticket",
    label=gettext_lazy("Close without second handling"),
    verb=gettext_lazy("close"),
    runs_from={Status.VISITED},
    who={access.CENTER},
    serializer="dispatch.serializers.ReasonAction",
    form="dispatch.forms.ReasonForm",
    event_label=gettext_lazy("Closed"),
    moves_to={Status.CLOSED},
    aliases=("close",),
)
def close_ticket(ticket: Ticket, *, actor: User, now: datetime, reason: str) -> Step:
    """Close a visited, not-double-yes ticket without second handling (the center's decision, with why)."""
    reason = core.text(reason, "reason")
    ticket.closed_at = now
    return Step(to_status=Status.CLOSED, fields={"closed_at"}, data={"reason": reason})

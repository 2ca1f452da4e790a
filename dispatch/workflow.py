"""The eight-step workflow (docs/domain.md §3): one function per action, the only code that changes a
ticket's status.

Every action function:
1. runs in ``transaction.atomic`` and re-reads the ticket with ``select_for_update`` — the row lock
   serialises concurrent actions on one ticket (two sign-offs, two dispatches): the second waits,
   then sees the new state and is refused with 409;
2. checks the actor with ``dispatch.access.require`` (404 invisible, 403 not theirs), then the state
   against ``dispatch.transitions.ALLOWED`` (409), then the action's own preconditions (409) and data
   (400);
3. saves the ticket with ``update_fields``, writes exactly one TicketEvent, and queues notifications
   with ``transaction.on_commit``.

Step 1 (receive) is the import (intake); the timeline shows it from the ticket's created_at.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import access, deadlines, signoff
from dispatch.attachments import check_uploads
from dispatch.models import (
    Attachment,
    EventKind,
    ExclusionReason,
    ExclusionRequest,
    ExclusionStatus,
    ExtensionRequest,
    Note,
    ReplyDraft,
    RequestStatus,
    SendBackRequest,
    SignOffStatus,
    TicketEvent,
)
from dispatch.notifications import notify_after_commit
from intake.models import Category, ReturnVisit, Status, Supervision, Ticket, Urgency
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Role, Unit, UnitKind

CONTACT_METHODS = ("phone", "visit", "sms", "other")


@dataclass
class Step:
    """What an action did, for ``_finish`` to save, record and announce."""

    to_status: str | None = None
    fields: set[str] = field(default_factory=set)
    data: dict = field(default_factory=dict)
    notices: list[dict] = field(default_factory=list)
    actor_unit_id: int | None = None  # default: the actor's unit on this ticket


def _invalid(detail: str, **errors) -> DomainError:
    return DomainError(ErrorCode.INVALID, detail, errors=errors or None)


def _conflict(detail: str) -> DomainError:
    return DomainError(ErrorCode.ILLEGAL_TRANSITION, detail)


def _lock(ticket: Ticket | int) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    try:
        # The row lock names the race it prevents: two actors acting on one ticket at once.
        return Ticket.objects.select_for_update().get(pk=pk)
    except Ticket.DoesNotExist:
        raise DomainError(ErrorCode.NOT_FOUND, _("ticket not found")) from None


def _begin(ticket: Ticket | int, actor, action: str) -> Ticket:
    """Lock the ticket and check, on the locked row, that the action can succeed now: the same
    ``access.require_available`` the API and the pages ask first (404, 403, then 409 for the state
    and the action's readiness from ``transitions.READY``)."""
    locked = _lock(ticket)
    access.require_available(actor, action, locked)
    return locked


def _actor_unit_id(actor, ticket: Ticket) -> int | None:
    unit_ids = list(actor.units.order_by("id").values_list("id", flat=True)) if actor else []
    if ticket.lead_unit_id in unit_ids:
        return ticket.lead_unit_id
    return unit_ids[0] if unit_ids else None


def _finish(ticket: Ticket, actor, kind: str, step: Step, now: datetime) -> Ticket:
    from_status = ticket.status
    to_status = step.to_status or from_status
    if to_status != from_status:
        ticket.status = to_status  # the one assignment of a ticket's status in the code base
        step.fields.add("status")
    step.fields |= set(deadlines.apply_deadlines(ticket))
    step.fields.add("updated_at")
    ticket.save(update_fields=sorted(step.fields))
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_unit_id=step.actor_unit_id or _actor_unit_id(actor, ticket),
        at=now,
        from_status=from_status,
        to_status=to_status,
        data=step.data,
    )
    for notice in step.notices:
        notify_after_commit(ticket_id=ticket.pk, exclude_user_id=getattr(actor, "pk", None), **notice)
    return ticket


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _text(value: str | None, name: str, *, required: bool = True, max_length: int = 5000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(_("%(name)s is required") % {"name": name}, **{name: "required"})
    if len(value) > max_length:
        raise _invalid(
            _("%(name)s is longer than %(max_length)s characters") % {"name": name, "max_length": max_length},
            **{name: "too long"},
        )
    return value


def _lead_notice(ticket: Ticket, kind: str, text: str) -> dict:
    return {"kind": kind, "text": text, "unit_ids": [ticket.lead_unit_id]}


def _center_notice(kind: str, text: str) -> dict:
    return {"kind": kind, "text": text, "roles": [Role.CENTER_STAFF]}


def _signer_notice(ticket: Ticket, role: str, kind: str, text: str) -> dict:
    if role == Role.SECTION_LEADER:
        lead = Unit.objects.filter(pk=ticket.lead_unit_id).values_list("section_leader_id", flat=True).first()
        return {"kind": kind, "text": text, "user_ids": [lead] if lead else []}
    return {"kind": kind, "text": text, "roles": [Role.PRINCIPAL_LEADER]}


# --- step 2: triage (研判) ---


@transaction.atomic
def triage_ticket(
    ticket: Ticket,
    *,
    actor,
    category: Category | None = None,
    urgency: str | None = None,
    community: Unit | None = None,
    is_key: bool | None = None,
    is_difficult: bool | None = None,
    supervision: str | None = None,
    related: list[str] | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Classify and flag a received ticket (or correct an earlier triage); records related tickets."""
    now = _now(now)
    ticket = _begin(ticket, actor, "triage")
    step = Step(to_status=Status.TRIAGED, fields={"triaged_at"})
    ticket.triaged_at = now
    changes = {}
    if category is not None:
        ticket.category = category
        changes["category"] = category.name
    if urgency is not None:
        if urgency not in Urgency.values:
            raise _invalid(_("unknown urgency %(urgency)s") % {"urgency": repr(urgency)}, urgency="unknown")
        ticket.urgency = urgency
        changes["urgency"] = urgency
    if community is not None:
        if community.kind != UnitKind.COMMUNITY:
            raise _invalid(
                _("%(community)s is not a community") % {"community": community.name}, community="not a community"
            )
        ticket.community = community
        changes["community"] = community.name
    for name, value in (("is_key", is_key), ("is_difficult", is_difficult)):
        if value is not None:
            setattr(ticket, name, bool(value))
            changes[name] = bool(value)
    if supervision is not None:
        if supervision not in Supervision.values:
            raise _invalid(
                _("unknown supervision %(supervision)s") % {"supervision": repr(supervision)}, supervision="unknown"
            )
        ticket.supervision = supervision
        changes["supervision"] = supervision
    step.fields |= set(changes)
    related = [r.strip() for r in (related or []) if r and r.strip()]
    if related:
        found = set(Ticket.objects.filter(ticket_no__in=related).values_list("ticket_no", flat=True))
        missing = [r for r in related if r not in found]
        if missing:
            raise _invalid(_("related ticket(s) not found: %(items)s") % {"items": ", ".join(missing)}, related=missing)
        if ticket.ticket_no in related:
            raise _invalid(_("a ticket cannot be related to itself"), related="self")
        changes["related"] = related
    step.data = changes
    return _finish(ticket, actor, EventKind.TRIAGE, step, now)


# --- step 3: dispatch (派单), acknowledge (签收), refuse (改派) ---


@transaction.atomic
def dispatch_ticket(
    ticket: Ticket, *, actor, lead_unit: Unit, co_units: list[Unit] | None = None, now: datetime | None = None
) -> Ticket:
    """Assign the lead unit and co-handlers; the acknowledge/contact/handle deadlines start running."""
    now = _now(now)
    ticket = _begin(ticket, actor, "dispatch")
    if lead_unit is None or lead_unit.is_center or not lead_unit.is_active:
        raise _invalid(_("the lead unit must be an active handling unit, not the center"), lead_unit="invalid")
    co_units = [u for u in (co_units or []) if u.pk != lead_unit.pk]
    if any(u.is_center or not u.is_active for u in co_units):
        raise _invalid(_("co-handling units must be active handling units"), co_units="invalid")
    ticket.lead_unit = lead_unit
    ticket.dispatched_at = now
    ticket.acknowledged_at = None
    ticket.handle_started_at = None
    ticket.handle_paused_for = timedelta(0)
    ticket.extended_handle_due_at = None
    ticket.co_units.set(co_units)
    ticket._jxq_co_unit_ids = {u.pk for u in co_units}
    step = Step(
        to_status=Status.DISPATCHED,
        fields={"lead_unit", "dispatched_at", "acknowledged_at", "handle_started_at", "handle_paused_for"}
        | {"extended_handle_due_at"},
        data={"lead_unit": lead_unit.name, "co_units": [u.name for u in co_units]},
    )
    text = _("Ticket %(ticket_no)s was dispatched to %(unit)s; please acknowledge it.") % {
        "ticket_no": ticket.ticket_no,
        "unit": lead_unit.name,
    }
    step.notices.append(_lead_notice(ticket, "dispatched", text))
    if co_units:
        step.notices.append(
            {
                "kind": "co_dispatched",
                "text": _("Please help with ticket %(ticket_no)s as a co-handling unit.")
                % {"ticket_no": ticket.ticket_no},
                "unit_ids": [u.pk for u in co_units],
            }
        )
    return _finish(ticket, actor, EventKind.DISPATCH, step, now)


@transaction.atomic
def acknowledge_ticket(ticket: Ticket, *, actor, now: datetime | None = None) -> Ticket:
    """The lead unit takes the ticket (签收): its handling clock starts now."""
    now = _now(now)
    ticket = _begin(ticket, actor, "acknowledge")
    ticket.acknowledged_at = now
    ticket.handle_started_at = now
    step = Step(
        fields={"acknowledged_at", "handle_started_at"},
        data={"late": bool(ticket.acknowledge_due_at and now > ticket.acknowledge_due_at)},
    )
    return _finish(ticket, actor, EventKind.ACKNOWLEDGE, step, now)


@transaction.atomic
def refuse_dispatch(ticket: Ticket, *, actor, reason: str, now: datetime | None = None) -> Ticket:
    """The lead unit refuses a misrouted dispatch (改派): back to the center for re-dispatch.

    Refusals are counted per unit from these events (see ``refusal_counts``).
    """
    now = _now(now)
    ticket = _begin(ticket, actor, "refuse")
    reason = _text(reason, "reason")
    unit = ticket.lead_unit
    step = Step(
        to_status=Status.TRIAGED,
        fields={"lead_unit", "dispatched_at", "handle_started_at"},
        data={"reason": reason, "unit": unit.name, "unit_id": unit.pk},
        actor_unit_id=unit.pk,  # the refusing unit, counted per unit; it is no longer the lead after this
    )
    step.notices.append(
        _center_notice(
            "refused",
            _("%(unit)s refused ticket %(ticket_no)s (re-dispatch needed): %(reason)s")
            % {"unit": unit.name, "ticket_no": ticket.ticket_no, "reason": reason},
        )
    )
    ticket.lead_unit = None
    ticket.dispatched_at = None
    ticket.handle_started_at = None
    ticket.co_units.clear()
    return _finish(ticket, actor, EventKind.REFUSE, step, now)


def refusal_counts(*, since: datetime | None = None, until: datetime | None = None) -> dict[int, int]:
    """How many dispatches each unit refused (改派), by unit id, from the event history."""
    from django.db.models import Count

    events = TicketEvent.objects.filter(kind=EventKind.REFUSE)
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    return dict(events.values_list("actor_unit").annotate(n=Count("id")).values_list("actor_unit", "n"))


# --- step 4: first contact (联系) ---


@transaction.atomic
def record_first_contact(
    ticket: Ticket,
    *,
    actor,
    method: str,
    outcome: str,
    note: str = "",
    contacted_at: datetime | None = None,
    now: datetime | None = None,
) -> Ticket:
    """When and how the complainant was reached, and what was agreed."""
    now = _now(now)
    ticket = _begin(ticket, actor, "contact")
    if method not in CONTACT_METHODS:
        raise _invalid(
            _("method must be one of %(choices)s") % {"choices": ", ".join(CONTACT_METHODS)}, method="unknown"
        )
    outcome = _text(outcome, "outcome")
    contacted_at = contacted_at or now
    if contacted_at > now + timedelta(minutes=5):
        raise _invalid(_("the contact time is in the future"), contacted_at="in the future")
    if contacted_at < ticket.received_at:
        raise _invalid(_("the contact time is before the ticket was received"), contacted_at="too early")
    ticket.first_contact_at = contacted_at
    step = Step(
        to_status=Status.CONTACTED,
        fields={"first_contact_at"},
        data={
            "method": method,
            "outcome": outcome,
            "note": _text(note, "note", required=False),
            "contacted_at": contacted_at.isoformat(),
            "late": bool(ticket.contact_due_at and contacted_at > ticket.contact_due_at),
        },
    )
    return _finish(ticket, actor, EventKind.CONTACT, step, now)


# --- step 5: handling (办理) ---


@transaction.atomic
def add_handling_note(
    ticket: Ticket, *, actor, text: str, files: list | None = None, now: datetime | None = None
) -> Ticket:
    """A progress note with optional images/PDFs (checked by content and size before anything is stored)."""
    now = _now(now)
    ticket = _begin(ticket, actor, "note")
    text = _text(text, "text")
    checked = check_uploads(list(files or []))
    note = Note.objects.create(
        ticket=ticket, author=actor, author_unit_id=_actor_unit_id(actor, ticket), text=text, created_at=now
    )
    stored = []
    try:
        # Nothing half-written: if anything below fails, the files already stored are removed too.
        for item in checked:
            attachment = Attachment(
                note=note,
                stored_name=item["stored_name"],
                original_name=item["original_name"],
                content_type=item["content_type"],
                size=item["size"],
            )
            attachment.file.save(item["stored_name"], item["upload"], save=False)
            stored.append(attachment.file)
            attachment.save()
        step = Step(
            to_status=Status.HANDLING if ticket.status == Status.CONTACTED else None,
            data={"note_id": note.pk, "text": text, "attachments": [i["original_name"] for i in checked]},
        )
        return _finish(ticket, actor, EventKind.NOTE, step, now)
    except Exception:
        for f in stored:
            f.delete(save=False)
        raise


# --- step 6: review and sign-off (审核) ---


@transaction.atomic
def submit_reply_draft(ticket: Ticket, *, actor, text: str, now: datetime | None = None) -> Ticket:
    """A new version of the reply goes to the sign-off chain (section leader, then principal if key)."""
    now = _now(now)
    ticket = _begin(ticket, actor, "submit_reply")
    text = _text(text, "text", max_length=10000)
    last = ReplyDraft.objects.filter(ticket=ticket).order_by("-version").values_list("version", flat=True).first()
    chain = signoff.reply_chain(ticket)
    draft = ReplyDraft.objects.create(
        ticket=ticket,
        version=(last or 0) + 1,
        text=text,
        author=actor,
        author_unit_id=_actor_unit_id(actor, ticket),
        created_at=now,
        chain=chain,
    )
    step = Step(
        to_status=Status.HANDLING if ticket.status == Status.CONTACTED else None,
        data={"version": draft.version, "chain": chain},
    )
    step.notices.append(
        _signer_notice(
            ticket,
            chain[0],
            "sign_off_needed",
            _("The reply draft of ticket %(ticket_no)s (version %(version)s) waits for your sign-off.")
            % {"ticket_no": ticket.ticket_no, "version": draft.version},
        )
    )
    return _finish(ticket, actor, EventKind.SUBMIT_REPLY, step, now)


def _sign(document: ReplyDraft | ExclusionRequest, actor, comment: str, now: datetime) -> Step:
    """Add the actor's signature to a reply draft or an exclusion request and advance its chain."""
    document.signatures = [*document.signatures, {"role": actor.role, "user": actor.pk, "at": now.isoformat()}]
    document.step += 1
    comment = _text(comment, "comment", required=False)
    return Step(data={"version": document.version, "step": document.step, "comment": comment})


def _return_to_author(
    document: ReplyDraft | ExclusionRequest, status: str, reason: str, now: datetime, kind: str, text: str, ticket
) -> Step:
    """Close a document's sign-off as returned, with the reason, and tell its author."""
    document.status, document.return_reason, document.decided_at = status, reason, now
    document.save(update_fields=["status", "return_reason", "decided_at"])
    step = Step(data={"version": document.version, "reason": reason})
    notice_text = text % {"ticket_no": ticket.ticket_no, "reason": reason}
    step.notices.append({"kind": kind, "text": notice_text, "user_ids": [document.author_id]})
    return step


def _pending(model: type[ReplyDraft] | type[ExclusionRequest], ticket: Ticket):
    """The document of ``model`` waiting for sign-off on this ticket, locked (``_begin`` checked that
    there is one: ``transitions.READY``)."""
    return model.objects.select_for_update().get(ticket=ticket, status="pending")


def _pending_draft(ticket: Ticket) -> ReplyDraft:
    return _pending(ReplyDraft, ticket)


@transaction.atomic
def sign_off_reply(ticket: Ticket, *, actor, comment: str = "", now: datetime | None = None) -> Ticket:
    """The current signer approves the pending draft; after the last step the ticket is reviewed."""
    now = _now(now)
    ticket = _begin(ticket, actor, "approve_reply")
    draft = _pending_draft(ticket)
    step = _sign(draft, actor, comment, now)
    if draft.step >= len(draft.chain):
        draft.status = SignOffStatus.SIGNED_OFF
        draft.decided_at = now
        ticket.reviewed_at = now
        step.to_status = Status.REVIEWED
        step.fields.add("reviewed_at")
        step.notices.append(
            _center_notice(
                "reviewed",
                _("The reply of ticket %(ticket_no)s is signed off; please send it upstream.")
                % {"ticket_no": ticket.ticket_no},
            )
        )
        step.notices.append(
            {
                "kind": "reviewed",
                "text": _("The reply of ticket %(ticket_no)s is signed off.") % {"ticket_no": ticket.ticket_no},
                "user_ids": [draft.author_id],
            }
        )
    else:
        step.notices.append(
            _signer_notice(
                ticket,
                draft.chain[draft.step],
                "sign_off_needed",
                _("The reply draft of ticket %(ticket_no)s waits for your sign-off.") % {"ticket_no": ticket.ticket_no},
            )
        )
    draft.save(update_fields=["signatures", "step", "status", "decided_at"])
    return _finish(ticket, actor, EventKind.APPROVE_REPLY, step, now)


@transaction.atomic
def return_reply_draft(ticket: Ticket, *, actor, reason: str, now: datetime | None = None) -> Ticket:
    """The current signer returns the draft with a reason; the unit submits a new version."""
    now = _now(now)
    ticket = _begin(ticket, actor, "return_reply")
    reason = _text(reason, "reason")
    draft = _pending_draft(ticket)
    text = _("The reply draft of ticket %(ticket_no)s was returned: %(reason)s")
    step = _return_to_author(draft, SignOffStatus.RETURNED, reason, now, "reply_returned", text, ticket)
    return _finish(ticket, actor, EventKind.RETURN_REPLY, step, now)


# --- step 7: reply upstream (回复) ---


@transaction.atomic
def send_reply(ticket: Ticket, *, actor, text: str = "", now: datetime | None = None) -> Ticket:
    """The center sends the signed reply upstream (办结); by default the signed draft's text."""
    now = _now(now)
    ticket = _begin(ticket, actor, "reply")
    draft = ReplyDraft.objects.filter(ticket=ticket, status=SignOffStatus.SIGNED_OFF).order_by("-version").first()
    ticket.replied_at = now
    step = Step(
        to_status=Status.REPLIED,
        fields={"replied_at"},
        data={"version": draft.version, "text": _text(text, "text", required=False, max_length=10000) or draft.text},
    )
    return _finish(ticket, actor, EventKind.REPLY, step, now)


# --- step 8: return visit (回访), second handling (二次办理), close ---


def _visit_target(resolved: bool, satisfied: bool) -> str:
    # A double-yes visit ends the ticket; anything else waits for the center's decision (reopen/close).
    return Status.CLOSED if (resolved and satisfied) else Status.VISITED


@transaction.atomic
def record_return_visit(
    ticket: Ticket,
    *,
    actor,
    visited_at: datetime,
    counted: bool,
    contacted: bool,
    resolved: bool,
    satisfied: bool,
    now: datetime | None = None,
) -> Ticket:
    """The center enters the city's return-visit result: kept in the history and copied to the ticket."""
    now = _now(now)
    ticket = _begin(ticket, actor, "visit")
    if visited_at is None or visited_at > now + timedelta(minutes=5):
        raise _invalid(_("visited_at is required and may not be in the future"), visited_at="invalid")
    if ticket.replied_at and visited_at < ticket.replied_at:
        raise _invalid(_("the visit cannot be before the reply"), visited_at="before the reply")
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
    to_status = _visit_target(resolved, satisfied)
    fields = {"visited_at", "visit_counted", "visit_contacted", "visit_resolved", "visit_satisfied"}
    if to_status == Status.CLOSED:
        ticket.closed_at = now
        fields.add("closed_at")
    step = Step(
        to_status=to_status,
        fields=fields,
        data={
            "visited_at": visited_at.isoformat(),
            "counted": counted,
            "contacted": contacted,
            "resolved": resolved,
            "satisfied": satisfied,
        },
    )
    if to_status == Status.VISITED:
        step.notices.append(
            _center_notice(
                "not_double_yes",
                _("The return visit of ticket %(ticket_no)s was not double-yes; decide on second handling.")
                % {"ticket_no": ticket.ticket_no},
            )
        )
    return _finish(ticket, actor, EventKind.VISIT, step, now)


@transaction.atomic
def apply_imported_visits(ticket_ids, *, actor, now: datetime | None = None) -> int:
    """After a visit import: move the replied tickets whose latest visit is now known to visited, or
    to closed when double-yes — set-based (a lock on the rows, two UPDATEs, one event per ticket).
    Tickets in any other state keep it (a visit of a closed ticket only updates its columns).
    Returns how many tickets moved.
    """
    now = _now(now)
    rows = list(
        Ticket.objects.select_for_update()
        .filter(pk__in=list(ticket_ids), status=Status.REPLIED, visited_at__isnull=False)
        .values("id", "visit_counted", "visit_contacted", "visit_resolved", "visit_satisfied", "visited_at")
        .order_by("id")
    )
    if not rows:
        return 0
    closed = [r["id"] for r in rows if r["visit_resolved"] and r["visit_satisfied"]]
    visited = [r["id"] for r in rows if not (r["visit_resolved"] and r["visit_satisfied"])]
    Ticket.objects.filter(pk__in=closed).update(status=Status.CLOSED, closed_at=now, updated_at=now)
    Ticket.objects.filter(pk__in=visited).update(status=Status.VISITED, updated_at=now)
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=r["id"],
                kind=EventKind.VISIT,
                actor=actor,
                at=now,
                from_status=Status.REPLIED,
                to_status=Status.CLOSED if r["id"] in closed else Status.VISITED,
                data={
                    "visited_at": r["visited_at"].isoformat(),
                    "counted": r["visit_counted"],
                    "contacted": r["visit_contacted"],
                    "resolved": r["visit_resolved"],
                    "satisfied": r["visit_satisfied"],
                    "imported": True,
                },
            )
            for r in rows
        ]
    )
    if visited:
        notify_after_commit(
            ticket_id=None,
            kind="not_double_yes",
            text=_("Imported visits: %(count)s ticket(s) not double-yes; decide on second handling.")
            % {"count": len(visited)},
            roles=[Role.CENTER_STAFF],
        )
    return len(rows)


def import_visits_and_advance(stream_or_path, *, actor=None, file_name: str = ""):
    """Step 8 from the city's results: store the visits (intake.importers, all or nothing) and move the
    replied tickets whose latest visit changed on to visited/closed — in one transaction."""
    from intake.importers import import_visits

    with transaction.atomic():
        result = import_visits(stream_or_path, actor=actor, file_name=file_name)
        apply_imported_visits(result.changed_ticket_ids, actor=actor)
    return result


@transaction.atomic
def reopen_for_second_handling(ticket: Ticket, *, actor, reason: str, now: datetime | None = None) -> Ticket:
    """A not-double-yes ticket goes back to its lead unit with a new handling deadline (二次办理)."""
    now = _now(now)
    ticket = _begin(ticket, actor, "reopen")
    reason = _text(reason, "reason")
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
        data={"reason": reason, "round": ticket.rehandling_count},
    )
    step.notices.append(
        _lead_notice(
            ticket,
            "reopened",
            _("Ticket %(ticket_no)s needs second handling: %(reason)s")
            % {"ticket_no": ticket.ticket_no, "reason": reason},
        )
    )
    return _finish(ticket, actor, EventKind.REOPEN, step, now)


@transaction.atomic
def close_ticket(ticket: Ticket, *, actor, reason: str, now: datetime | None = None) -> Ticket:
    """Close a visited, not-double-yes ticket without second handling (the center's decision, with why)."""
    now = _now(now)
    ticket = _begin(ticket, actor, "close")
    reason = _text(reason, "reason")
    ticket.closed_at = now
    step = Step(to_status=Status.CLOSED, fields={"closed_at"}, data={"reason": reason})
    return _finish(ticket, actor, EventKind.CLOSE, step, now)


# --- other exits: send-back (退单) and merge ---


@transaction.atomic
def send_back_ticket(ticket: Ticket, *, actor, reason: str, now: datetime | None = None) -> Ticket:
    """The center returns a misrouted ticket upstream; a lead-unit handler asks the center to."""
    now = _now(now)
    ticket = _begin(ticket, actor, "send_back")
    reason = _text(reason, "reason")
    pending = SendBackRequest.objects.select_for_update().filter(ticket=ticket, status=RequestStatus.PENDING).first()
    if actor.role == Role.CENTER_STAFF:
        if pending is not None:
            pending.status, pending.decided_by, pending.decided_at = RequestStatus.APPROVED, actor, now
            pending.decision_reason = reason
            pending.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        step = Step(to_status=Status.SENT_BACK, data={"reason": reason, "direct": True})
        return _finish(ticket, actor, EventKind.SEND_BACK, step, now)
    request = SendBackRequest.objects.create(ticket=ticket, reason=reason, requested_by=actor, requested_at=now)
    step = Step(data={"reason": reason, "request_id": request.pk})
    step.notices.append(
        _center_notice(
            "send_back_requested",
            _("A send-back of ticket %(ticket_no)s is requested: %(reason)s")
            % {"ticket_no": ticket.ticket_no, "reason": reason},
        )
    )
    return _finish(ticket, actor, EventKind.SEND_BACK, step, now)


@transaction.atomic
def decide_send_back(ticket: Ticket, *, actor, approved: bool, reason: str = "", now: datetime | None = None) -> Ticket:
    """The center approves (the ticket leaves the street) or refuses a unit's send-back request."""
    now = _now(now)
    ticket = _begin(ticket, actor, "approve_send_back")
    request = SendBackRequest.objects.select_for_update().get(ticket=ticket, status=RequestStatus.PENDING)
    reason = _text(reason, "reason", required=not approved)
    request.status = RequestStatus.APPROVED if approved else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_reason = actor, now, reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    step = Step(
        to_status=Status.SENT_BACK if approved else None,
        data={"approved": approved, "reason": reason, "request_id": request.pk},
    )
    verdict = _("approved") if approved else _("refused")
    step.notices.append(
        {
            "kind": "send_back_decided",
            "text": _("Send-back request of ticket %(ticket_no)s: %(verdict)s. %(reason)s")
            % {"ticket_no": ticket.ticket_no, "verdict": verdict, "reason": reason},
            "user_ids": [request.requested_by_id],
        }
    )
    return _finish(ticket, actor, EventKind.APPROVE_SEND_BACK, step, now)


@transaction.atomic
def merge_ticket(ticket: Ticket, *, actor, into: str, now: datetime | None = None) -> Ticket:
    """Fold a duplicate into another ticket of the street (the duplicate leaves the workflow)."""
    now = _now(now)
    access.require(actor, "merge", ticket)
    target_no = _text(into, "into", max_length=64)
    target = Ticket.objects.filter(ticket_no=target_no).first()
    if target is None or not access.is_visible(actor, target):
        raise _invalid(_("ticket %(ticket_no)s not found") % {"ticket_no": target_no}, into="not found")
    if target.pk == ticket.pk:
        raise _invalid(_("a ticket cannot be merged into itself"), into="self")
    # Lock both rows in id order: A->B and B->A merged at once must neither deadlock nor both succeed.
    list(Ticket.objects.select_for_update().filter(pk__in=[ticket.pk, target.pk]).order_by("pk").values_list("pk"))
    ticket = _begin(ticket, actor, "merge")
    target.refresh_from_db(fields=["status", "merged_into"])
    if target.status in (Status.MERGED, Status.SENT_BACK):
        raise _invalid(
            _("ticket %(ticket_no)s is %(status)s") % {"ticket_no": target_no, "status": target.get_status_display()},
            into="not open",
        )
    ticket.merged_into = target
    step = Step(to_status=Status.MERGED, fields={"merged_into"}, data={"into": target.ticket_no})
    return _finish(ticket, actor, EventKind.MERGE, step, now)


# --- extensions (延期) ---


@transaction.atomic
def request_extension(ticket: Ticket, *, actor, days: int, reason: str, now: datetime | None = None) -> Ticket:
    """Ask the section leader for more time; the handling clock stops until the decision."""
    now = _now(now)
    ticket = _begin(ticket, actor, "request_extension")
    reason = _text(reason, "reason")
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise _invalid(_("days must be a whole number from 1 to 60"), days="out of range")
    request = ExtensionRequest.objects.create(
        ticket=ticket, days=days, reason=reason, requested_by=actor, requested_at=now
    )
    step = Step(data={"days": days, "reason": reason, "request_id": request.pk})
    step.notices.append(
        _signer_notice(
            ticket,
            Role.SECTION_LEADER,
            "extension_requested",
            _("An extension of %(days)s day(s) is requested for ticket %(ticket_no)s: %(reason)s")
            % {"ticket_no": ticket.ticket_no, "days": days, "reason": reason},
        )
    )
    return _finish(ticket, actor, EventKind.REQUEST_EXTENSION, step, now)


@transaction.atomic
def decide_extension(ticket: Ticket, *, actor, approved: bool, reason: str = "", now: datetime | None = None) -> Ticket:
    """The section leader approves (the handling deadline moves) or refuses; either way the clock runs
    again, and the time it stood still is added to the handling deadline."""
    now = _now(now)
    ticket = _begin(ticket, actor, "approve_extension")
    request = ExtensionRequest.objects.select_for_update().get(ticket=ticket, status=RequestStatus.PENDING)
    reason = _text(reason, "reason", required=not approved)
    waited = max(now - request.requested_at, timedelta(0))
    ticket.handle_paused_for = (ticket.handle_paused_for or timedelta(0)) + waited
    if ticket.extended_handle_due_at is not None:
        ticket.extended_handle_due_at += waited
    request.status = RequestStatus.APPROVED if approved else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_reason = actor, now, reason
    step = Step(fields={"handle_paused_for", "extended_handle_due_at"})
    if approved:
        # The current handling deadline (with the pause added), then the granted days on top of it:
        # working days under a working-days rule, calendar days otherwise.
        step.fields |= set(deadlines.apply_deadlines(ticket, extension_pending=False))
        rule = deadlines.load_rules()[deadlines.rule_key(ticket.urgency, ticket.kind)]
        unit = "working_days" if rule.handle_unit == "working_days" else "calendar_days"
        ticket.extended_handle_due_at = deadlines.add_period(
            ticket.handle_due_at, request.days, unit, deadlines.load_overrides()
        )
        request.new_due_at = ticket.extended_handle_due_at
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "new_due_at"])
    step.data = {
        "approved": approved,
        "reason": reason,
        "days": request.days,
        "waited_seconds": int(waited.total_seconds()),
        "new_due_at": request.new_due_at.isoformat() if request.new_due_at else None,
    }
    verdict = _("approved") if approved else _("refused")
    step.notices.append(
        {
            "kind": "extension_decided",
            "text": _("Extension request of ticket %(ticket_no)s: %(verdict)s. %(reason)s")
            % {"ticket_no": ticket.ticket_no, "verdict": verdict, "reason": reason},
            "user_ids": [request.requested_by_id],
        }
    )
    return _finish(ticket, actor, EventKind.APPROVE_EXTENSION, step, now)


# --- exclusions (剔除) ---


@transaction.atomic
def request_exclusion(
    ticket: Ticket, *, actor, reason_category: str, reason: str, evidence: str = "", now: datetime | None = None
) -> Ticket:
    """The handler drafts an exclusion request; it goes to the exclusion sign-off chain."""
    now = _now(now)
    ticket = _begin(ticket, actor, "request_exclusion")
    if reason_category not in ExclusionReason.values:
        raise _invalid(
            _("reason_category must be one of %(choices)s") % {"choices": ", ".join(ExclusionReason.values)},
            reason_category="unknown",
        )
    reason = _text(reason, "reason")
    last = ExclusionRequest.objects.filter(ticket=ticket).order_by("-version").values_list("version", flat=True).first()
    chain = signoff.exclusion_chain(ticket)
    request = ExclusionRequest.objects.create(
        ticket=ticket,
        version=(last or 0) + 1,
        reason_category=reason_category,
        reason=reason,
        evidence=_text(evidence, "evidence", required=False, max_length=10000),
        author=actor,
        author_unit_id=_actor_unit_id(actor, ticket),
        created_at=now,
        chain=chain,
    )
    step = Step(data={"version": request.version, "reason_category": reason_category, "chain": chain})
    step.notices.append(
        _signer_notice(
            ticket,
            chain[0],
            "exclusion_sign_off_needed",
            _("The exclusion request of ticket %(ticket_no)s waits for your sign-off.")
            % {"ticket_no": ticket.ticket_no},
        )
    )
    return _finish(ticket, actor, EventKind.REQUEST_EXCLUSION, step, now)


def _pending_exclusion(ticket: Ticket) -> ExclusionRequest:
    return _pending(ExclusionRequest, ticket)


@transaction.atomic
def sign_off_exclusion(ticket: Ticket, *, actor, comment: str = "", now: datetime | None = None) -> Ticket:
    now = _now(now)
    ticket = _begin(ticket, actor, "approve_exclusion")
    request = _pending_exclusion(ticket)
    step = _sign(request, actor, comment, now)
    if request.step >= len(request.chain):
        request.status = ExclusionStatus.SIGNED_OFF
        step.notices.append(
            _center_notice(
                "exclusion_signed_off",
                _(
                    "The exclusion request of ticket %(ticket_no)s is signed off; "
                    "submit it upstream and record the decision."
                )
                % {"ticket_no": ticket.ticket_no},
            )
        )
    else:
        step.notices.append(
            _signer_notice(
                ticket,
                request.chain[request.step],
                "exclusion_sign_off_needed",
                _("The exclusion request of ticket %(ticket_no)s waits for your sign-off.")
                % {"ticket_no": ticket.ticket_no},
            )
        )
    request.save(update_fields=["signatures", "step", "status"])
    return _finish(ticket, actor, EventKind.APPROVE_EXCLUSION, step, now)


@transaction.atomic
def return_exclusion(ticket: Ticket, *, actor, reason: str, now: datetime | None = None) -> Ticket:
    now = _now(now)
    ticket = _begin(ticket, actor, "return_exclusion")
    reason = _text(reason, "reason")
    request = _pending_exclusion(ticket)
    text = _("The exclusion request of ticket %(ticket_no)s was returned: %(reason)s")
    step = _return_to_author(request, ExclusionStatus.RETURNED, reason, now, "exclusion_returned", text, ticket)
    return _finish(ticket, actor, EventKind.RETURN_EXCLUSION, step, now)


@transaction.atomic
def record_exclusion_decision(
    ticket: Ticket, *, actor, approved: bool, note: str = "", now: datetime | None = None
) -> Ticket:
    """The center records the upstream decision; an approved exclusion takes the ticket out of the rates."""
    now = _now(now)
    ticket = _begin(ticket, actor, "exclusion_decision")
    request = ExclusionRequest.objects.select_for_update().get(ticket=ticket, status=ExclusionStatus.SIGNED_OFF)
    request.status = ExclusionStatus.APPROVED if approved else ExclusionStatus.REFUSED
    request.decided_at = now
    request.save(update_fields=["status", "decided_at"])
    step = Step(data={"version": request.version, "approved": approved, "note": _text(note, "note", required=False)})
    if approved:
        ticket.is_excluded = True
        step.fields.add("is_excluded")
    step.notices.append(
        {
            "kind": "exclusion_decided",
            "text": _("The exclusion of ticket %(ticket_no)s was %(verdict)s upstream.")
            % {"ticket_no": ticket.ticket_no, "verdict": _("approved") if approved else _("refused")},
            "user_ids": [request.author_id],
        }
    )
    return _finish(ticket, actor, EventKind.EXCLUSION_DECISION, step, now)


# --- supervision (督办) and taking a ticket personally ---


@transaction.atomic
def set_supervision(ticket: Ticket, *, actor, level: str, note: str = "", now: datetime | None = None) -> Ticket:
    """Flag (or unflag, with "") a ticket as supervised by the city, the district or the street."""
    now = _now(now)
    ticket = _begin(ticket, actor, "supervise")
    if level not in Supervision.values:
        raise _invalid(_("level must be one of: city, district, street, or empty"), level="unknown")
    if level == ticket.supervision:
        raise _conflict(_("ticket %(ticket_no)s already has this supervision") % {"ticket_no": ticket.ticket_no})
    previous = ticket.supervision
    ticket.supervision = level
    step = Step(
        fields={"supervision"}, data={"level": level, "previous": previous, "note": _text(note, "note", required=False)}
    )
    if level and ticket.lead_unit_id:
        step.notices.append(
            _lead_notice(
                ticket, "supervised", _("Ticket %(ticket_no)s is now supervised.") % {"ticket_no": ticket.ticket_no}
            )
        )
    return _finish(ticket, actor, EventKind.SUPERVISE, step, now)


@transaction.atomic
def take_ticket(ticket: Ticket, *, actor, note: str = "", now: datetime | None = None) -> Ticket:
    """A principal leader takes a (difficult) ticket personally."""
    now = _now(now)
    ticket = _begin(ticket, actor, "take")
    ticket.taken_by = actor
    step = Step(fields={"taken_by"}, data={"note": _text(note, "note", required=False)})
    if ticket.lead_unit_id:
        step.notices.append(
            _lead_notice(
                ticket,
                "taken",
                _("Ticket %(ticket_no)s was taken personally by %(actor)s.")
                % {"ticket_no": ticket.ticket_no, "actor": actor},
            )
        )
    return _finish(ticket, actor, EventKind.TAKE, step, now)


# The action names of the API (POST .../actions/ {"action": NAME}) -> the function that performs it.
ACTION_FUNCTIONS: dict[str, Callable[..., Ticket]] = {
    "triage": triage_ticket,
    "dispatch": dispatch_ticket,
    "acknowledge": acknowledge_ticket,
    "refuse": refuse_dispatch,
    "contact": record_first_contact,
    "note": add_handling_note,
    "submit_reply": submit_reply_draft,
    "approve_reply": sign_off_reply,
    "return_reply": return_reply_draft,
    "reply": send_reply,
    "visit": record_return_visit,
    "reopen": reopen_for_second_handling,
    "close": close_ticket,
    "send_back": send_back_ticket,
    "approve_send_back": decide_send_back,
    "merge": merge_ticket,
    "request_extension": request_extension,
    "approve_extension": decide_extension,
    "request_exclusion": request_exclusion,
    "approve_exclusion": sign_off_exclusion,
    "return_exclusion": return_exclusion,
    "exclusion_decision": record_exclusion_decision,
    "supervise": set_supervision,
    "take": take_ticket,
}

"""The ticket page: the request, the complainant (masked, "show" logged), deadlines, the timeline,
and the one view every action posts to (exactly one workflow function per action)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access
from dispatch.forms import ContactForm, PlaceForm, consume_form_token
from dispatch.models import ExclusionReason, Note, SendBackRequest
from dispatch.upstream import change_details
from dispatch.views.common import (
    DUE_LABELS,
    clock_paused,
    error_text,
    is_htmx,
    left_text,
    running_due,
    safe_next,
    visible_ticket,
    visible_ticket_or_404,
)
from dispatch.views.workbench import list_rows, panel_context
from dispatch.workflow import add_handling_note, registry
from intake.models import Status, Supervision, Ticket, Urgency
from jxq_cases.lib.errors import HTTP_STATUS, DomainError, ErrorCode

if TYPE_CHECKING:
    from dispatch.access import SignedInRequest


def _timeline(ticket: Ticket) -> list[dict]:
    """Every event of the ticket in order, the receipt first (step 1 is the import: created_at)."""
    entries = [
        {
            "at": ticket.received_at,
            "kind": "receive",
            "label": _("Received"),
            "actor": ticket.get_source_display(),
            "to_status": Status.RECEIVED.label,
            "details": [],
            "note": None,
        }
    ]
    events = list(ticket.events.select_related("actor", "actor_unit").order_by("at", "id"))
    note_kind = add_handling_note.action.event_kind
    note_ids = [e.data.get("note_id") for e in events if e.kind == note_kind and e.data.get("note_id")]
    notes = {n.pk: n for n in Note.objects.filter(pk__in=note_ids).prefetch_related("attachments") if note_ids}
    for event in events:
        label = registry.event_label(event.kind)
        to_status = Status(event.to_status).label if event.to_status in Status.values else ""
        entries.append(
            {
                "at": event.at,
                "kind": event.kind,
                "label": label,
                "actor": " · ".join(str(x) for x in (event.actor, event.actor_unit) if x),
                "to_status": to_status,
                # "→ state" only when the state changed and the label does not already say it
                # (triage's label and the triaged state are both 已研判: never "已研判 → 已研判")
                "moved": event.from_status != event.to_status and str(label) != str(to_status),
                "details": _event_details(event.data),
                "note": notes.get(event.data.get("note_id")),
            }
        )
    return entries


DETAIL_LABELS = {
    "lead_unit": _("Lead unit"),
    "co_units": _("Co-handling units"),
    "category": _("Category"),
    "urgency": _("Urgency"),
    "community": _("Community"),
    "supervision": _("Supervision"),
    "related": _("Related tickets"),
    "method": _("How"),
    "outcome": _("What was agreed"),
    "reason": _("Reason"),
    "comment": _("Comment"),
    "version": _("Draft version"),
    "days": _("Days"),
    "approved": _("Approved"),
    "text": pgettext_lazy("written text of a note or reply", "Text"),  # not the search box's "Text" (关键词)
    "note": _("Note"),
    "into": _("Merged into"),
    "level": _("Supervision"),
    "counted": _("Counted"),
    "contacted": _("Responded"),
    "resolved": _("Resolved"),
    "satisfied": _("Satisfied"),
    "new_due_at": _("New deadline"),
    "late": _("Late"),
    "is_key": _("Key ticket"),
    "reason_category": _("Reason for exclusion"),
    "is_difficult": _("Difficult ticket"),
    "grid_cell": _("Grid cell"),
    "lon": _("Longitude"),
    "lat": _("Latitude"),
}


def _code_labels() -> dict[str, dict]:
    """Event data stores codes (never translated text); these are their labels on the page."""
    return {
        "urgency": dict(Urgency.choices),
        "supervision": dict(Supervision.choices),
        "level": dict(Supervision.choices),
        "method": dict(ContactForm.METHODS) | dict(PlaceForm.METHODS),
        "reason_category": dict(ExclusionReason.choices),
    }


def _event_details(data: dict) -> list[tuple]:
    details = []
    codes = _code_labels()
    for key, label in DETAIL_LABELS.items():
        if key not in data or data[key] in ("", None, [], False) and key not in ("approved", "resolved", "satisfied"):
            continue
        value = data[key]
        if key in codes:
            value = codes[key].get(value, value)
        elif isinstance(value, bool):
            value = gettext("Yes") if value else gettext("No")
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        details.append((label, value))
    return details + change_details(data)


def _deadlines(ticket: Ticket, now: datetime) -> list[dict]:
    rows = []
    for kind, at, done_at in (
        ("acknowledge", ticket.acknowledge_due_at, ticket.acknowledged_at),
        ("contact", ticket.contact_due_at, ticket.first_contact_at),
        ("handle", ticket.handle_due_at, ticket.reviewed_at or ticket.replied_at),
    ):
        if at is None:
            continue
        row = {"label": DUE_LABELS[kind], "at": at, "done_at": done_at}
        if done_at is None and clock_paused(ticket):
            row["state"] = "paused"  # no clock runs while an extension request waits
        elif done_at is None:
            row["state"] = "late" if now >= at else "ok"
            running = running_due(ticket, now) if ticket.next_due_kind == kind else None
            if running is not None:
                row["state"] = running["state"]
            row["left_text"] = left_text(at - now)
        else:
            row["state"] = "late" if done_at > at else "done"
        rows.append(row)
    return rows


def _ticket_context(
    request: HttpRequest, ticket: Ticket, *, bound: dict[str, Any] | None = None, reveal: bool = False
) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    bound = bound or {}
    actions = []
    for declared in registry.available_actions(user, ticket):
        name = declared.name
        form = bound.get(name) or declared.form(ticket=ticket, auto_id=f"{name}-%s")
        actions.append({"action": name, "label": declared.label, "form": form, "open": name in bound})
    return {
        "ticket": ticket,
        "co_units": list(ticket.co_units.all()),
        "person": access.personal_data(user, ticket, context="ticket page", reveal=reveal),
        "may_reveal": access.may_see_personal_data(user, ticket),
        "due": running_due(ticket, now),
        "deadlines": _deadlines(ticket, now),
        "timeline": _timeline(ticket),
        "drafts": list(ticket.reply_drafts.select_related("author").prefetch_related("files").order_by("-version")),
        "exclusions": list(
            ticket.exclusion_requests.select_related("author").prefetch_related("files").order_by("-version")
        ),
        "extensions": list(ticket.extension_requests.select_related("requested_by").order_by("-requested_at")),
        "send_backs": list(
            SendBackRequest.objects.filter(ticket=ticket).select_related("requested_by").order_by("-requested_at")
        ),
        "actions": actions,
        "place_map": any(item["action"] == "confirm_place" for item in actions),
    }


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_no: str) -> HttpResponse:
    ticket = visible_ticket_or_404(request.user, ticket_no)
    return render(request, "dispatch/ticket.html", _ticket_context(request, ticket))


@login_required
@require_POST
def reveal_complainant(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """ "Show" the complainant in full: only for those allowed, and every display is logged."""
    ticket = visible_ticket_or_404(request.user, ticket_no)
    if not access.may_see_personal_data(request.user, ticket):
        messages.error(request, gettext("You may not see this complainant's personal data."))
        return redirect("ticket", ticket_no=ticket.ticket_no)
    context = _ticket_context(request, ticket, reveal=True)
    if is_htmx(request):
        return render(request, "dispatch/_complainant.html", context)
    return render(request, "dispatch/ticket.html", context)


class _AlreadyDone(Exception):
    """The form's one-time token was used: this post repeats one that already acted."""


@login_required
@require_POST
def ticket_action(request: SignedInRequest, ticket_no: str, action: str) -> HttpResponse:
    """One workflow step from a page, in the API's order: who (404/403), then when (409: the state and
    what the action needs, ``registry.require_available``), then the form (400); then the one workflow
    function — all in one transaction with the form's one-time token, so a form sent twice acts once."""
    declared = registry.find(action)
    if declared is None:
        raise Http404(gettext("Unknown action."))
    action, label = declared.name, declared.label
    user = request.user
    ticket = visible_ticket_or_404(user, ticket_no)
    from_panel = request.POST.get("from") == "panel"
    form = declared.form(request.POST, request.FILES, ticket=ticket, auto_id=f"{action}-%s")
    error = None
    try:
        with transaction.atomic():
            if not consume_form_token(request.POST.get("form_token"), user):
                raise _AlreadyDone
            registry.require_available(user, declared, ticket)
            if not form.is_valid():
                raise DomainError(ErrorCode.INVALID, gettext("check the highlighted fields"))
            declared.function(ticket, actor=user, **form.arguments())
    except _AlreadyDone:
        return _already_done(request, ticket, from_panel)
    except DomainError as refused:
        error = refused
        for field, why in refused.errors.items() if isinstance(refused.errors, dict) else ():
            if field in form.fields:
                form.add_error(field, str(why))
    if error is None:
        done = gettext("%(action)s: done.") % {"action": label}
        # read again: the action may have moved the ticket out of this user's sight (a refused dispatch)
        still_visible = visible_ticket(user, ticket_no)
        if from_panel and is_htmx(request) and still_visible is not None:
            return _panel_after(request, still_visible, done=done)
        messages.success(request, done)
        if still_visible is None:
            return redirect("home")
        return redirect(safe_next(request, reverse("ticket", args=[still_visible.ticket_no])))
    status = HTTP_STATUS.get(error.code, 400)
    if from_panel and is_htmx(request):
        context = panel_context(request, ticket, bound={action: form})
        context["error"] = error_text(error)
        return render(request, "dispatch/_panel.html", context, status=status)
    back = request.POST.get("next")
    if back and error.code in (ErrorCode.ILLEGAL_TRANSITION, ErrorCode.CONFLICT):
        # a queue page (inbox, sign-off) sent a one-click action that someone else's step overtook:
        # tell why it failed, back there
        messages.error(request, error_text(error))
        return redirect(safe_next(request, reverse("ticket", args=[ticket.ticket_no])))
    messages.error(request, error_text(error))
    context = _ticket_context(request, ticket, bound={action: form})
    return render(request, "dispatch/ticket.html", context, status=status)


def _panel_after(request: HttpRequest, ticket: Ticket, *, done: str) -> HttpResponse:
    """The workbench's side panel after an action, with the ticket's list row swapped out of band."""
    user = request.user
    context = panel_context(request, ticket)
    context["done"] = done
    context["row"] = list_rows(user, [ticket], timezone.now())[0]
    context["oob"] = True
    context["can_bulk_dispatch"] = access.may(user, "tickets.bulk_dispatch")
    return render(request, "dispatch/_panel.html", context)


def _already_done(request: HttpRequest, ticket: Ticket, from_panel: bool) -> HttpResponse:
    """A repeated post (double click, reload): say it was done already, and show the ticket as it is."""
    done = gettext("This was already done: the form was sent twice and acted once.")
    current = visible_ticket(request.user, ticket.ticket_no)
    if from_panel and is_htmx(request) and current is not None:
        return _panel_after(request, current, done=done)
    messages.info(request, done)
    if current is None:
        return redirect("home")
    return redirect(safe_next(request, reverse("ticket", args=[current.ticket_no])))

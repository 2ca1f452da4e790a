"""The queues: the unit inbox, the sign-off queue, notifications, and the return-visit upload."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dispatch import access
from dispatch.forms import (
    VisitFileForm,
)
from dispatch.models import (
    ExclusionRequest,
    ExclusionStatus,
    ExtensionRequest,
    Notification,
    ReplyDraft,
    RequestStatus,
    SignOffStatus,
)
from dispatch.notifications import mark_read
from dispatch.views.common import MAX_PAGE, PAGE_SIZE, error_text, read_paused_clocks, requested_page, running_due
from dispatch.workflow import acknowledge_ticket, apply_imported_visits, registry
from intake.importers import import_visits
from intake.models import AWAITING_REPLY, Status, Urgency
from jxq_cases.lib.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dispatch.access import AnyUser, SignedInRequest
    from dispatch.models import SignedDocument

# --- the unit inbox (承办单位待办) ---


@login_required
@require_GET
def inbox(request: SignedInRequest) -> HttpResponse:
    """My units' tickets by urgency and deadline: what to acknowledge, contact, handle and answer."""
    user = request.user
    if not access.may(user, "inbox.read"):
        raise Http404(gettext("The inbox is for the handlers of units."))
    tickets = (
        access.visible_tickets_in_states(user, AWAITING_REPLY)
        .select_related("category", "community", "lead_unit")
        .prefetch_related(
            "co_units",
            Prefetch(
                "reply_drafts",
                queryset=ReplyDraft.objects.filter(status=SignOffStatus.PENDING),
                to_attr="pending_drafts",
            ),
        )
        .order_by(
            Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()),
            F("next_due_at").asc(nulls_last=True),
            "received_at",
        )
    )
    page, too_deep = requested_page(request)
    start = (page - 1) * PAGE_SIZE
    # one card more than a page tells whether there is a next page, without counting
    found = [] if too_deep else list(tickets[start : start + PAGE_SIZE + 1])
    now = timezone.now()
    my_units = {u.pk for u in user.units.all()}
    cards = []
    read_paused_clocks(found[:PAGE_SIZE])
    for ticket in found[:PAGE_SIZE]:
        is_lead = ticket.lead_unit_id in my_units
        if ticket.status == Status.DISPATCHED and ticket.acknowledged_at is None:
            next_step = _("Acknowledge")
        elif ticket.status == Status.DISPATCHED:
            next_step = _("Record first contact")
        elif ticket.pending_drafts:
            next_step = _("Reply waiting for sign-off")
        elif ticket.status == Status.REVIEWED:
            next_step = _("Signed off: the center replies")
        else:
            next_step = _("Handle and draft the reply")
        cards.append(
            {
                "ticket": ticket,
                "due": running_due(ticket, now),
                "is_lead": is_lead,
                "next_step": next_step,
                "can_acknowledge": registry.is_available(user, acknowledge_ticket.action, ticket),
            }
        )
    context = {
        "cards": cards,
        "title": _("My unit's tickets"),
        "page": page,
        "has_next": len(found) > PAGE_SIZE and page < MAX_PAGE,
        "page_error": too_deep,
    }
    return render(request, "dispatch/inbox.html", context, status=400 if too_deep else 200)


# --- the sign-off queue (领导审核) ---


# how many documents of each kind the sign-off queue shows at once, oldest first
SIGNOFF_SHOWN = 50
Doc = TypeVar("Doc", bound="SignedDocument")


def _waiting_for_me(user: AnyUser, documents: QuerySet[Doc], *related: str) -> tuple[list[Doc], int]:
    """The oldest SIGNOFF_SHOWN ``documents`` waiting for this user's signature, read whole (with
    ``related`` and their files), and how many wait in all. Which ones wait is decided from the chain
    and the step alone, read for every pending document; only the shown ones are then read with
    their ticket, author and files (a leader with hundreds pending read them all whole before).
    ``documents`` are ordered to the end (the id after the time): both reads keep the same order."""
    signs_as = access.chain_role(user)
    if not signs_as:
        return [], 0
    waiting = [d.pk for d in documents.only("pk", "status", "chain", "step") if d.waiting_for == signs_as]
    if not waiting:
        return [], 0
    shown = documents.filter(pk__in=waiting[:SIGNOFF_SHOWN]).select_related(*related).prefetch_related("files")
    return list(shown), len(waiting)


@login_required
@require_GET
def signoff_queue(request: SignedInRequest) -> HttpResponse:
    """Reply drafts, exclusion requests and extension requests waiting for this leader."""
    user = request.user
    if not access.may(user, "signoffs.read"):
        raise Http404(gettext("The sign-off queue is for leaders."))
    visible = access.visible_tickets(user)
    drafts, drafts_count = _waiting_for_me(
        user,
        ReplyDraft.objects.filter(status=SignOffStatus.PENDING, ticket__in=visible).order_by("created_at", "id"),
        *("ticket", "ticket__lead_unit", "ticket__category", "author"),
    )
    exclusions, exclusions_count = _waiting_for_me(
        user,
        ExclusionRequest.objects.filter(status=ExclusionStatus.PENDING, ticket__in=visible).order_by(
            "created_at", "id"
        ),
        *("ticket", "ticket__lead_unit", "author"),
    )
    # extensions are decided by the section leader overseeing the lead unit (decide_extension)
    extensions = list(
        ExtensionRequest.objects.filter(
            status=RequestStatus.PENDING, ticket__lead_unit_id__in=access.overseen_unit_ids(user)
        )
        .select_related("ticket", "ticket__lead_unit", "requested_by")
        .order_by("requested_at")
    )
    # each section shows its oldest SIGNOFF_SHOWN and says how many more wait: the page stays a page
    # whatever the backlog (843 documents for one leader in the 1M bench rendered in ~300 ms)
    context = {
        "title": _("Sign-off queue"),
        "drafts": drafts,
        "drafts_count": drafts_count,
        "exclusions": exclusions,
        "exclusions_count": exclusions_count,
        "extensions": extensions[:SIGNOFF_SHOWN],
        "extensions_count": len(extensions),
        "shown": SIGNOFF_SHOWN,
        "total": drafts_count + exclusions_count + len(extensions),
    }
    return render(request, "dispatch/signoff.html", context)


# --- notifications ---


@login_required
def notifications(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        ids = request.POST.getlist("ids")
        try:
            count = mark_read(request.user, [int(i) for i in ids] if ids else None)
        except ValueError:
            return HttpResponseBadRequest(gettext("Bad notification id."))
        messages.success(request, ngettext("%(n)d marked read.", "%(n)d marked read.", count) % {"n": count})
        return redirect("notifications")
    items = Notification.objects.filter(user=request.user).select_related("ticket").order_by("-created_at")[:200]
    return render(request, "dispatch/notifications.html", {"items": items, "title": _("Notifications")})


# --- return-visit results (step 8 from the city's file) ---


@login_required
def visit_import(request: SignedInRequest) -> HttpResponse:
    """The center uploads the city's return-visit results; replied tickets move on (closed or visited)."""
    if not access.may(request.user, "visits.import"):
        raise Http404(gettext("Only the complaint center imports return visits."))
    form = VisitFileForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.IMPORT_UPLOAD_MAX_BYTES:
                raise DomainError(
                    ErrorCode.TOO_LARGE,
                    gettext("the file is %(size)d bytes; the limit is %(limit)d bytes")
                    % {"size": upload.size, "limit": settings.IMPORT_UPLOAD_MAX_BYTES},
                )
            # all or nothing: the visits and the tickets they move are one transaction
            with transaction.atomic():
                result = import_visits(upload, actor=request.user, file_name=upload.name)
                moved = apply_imported_visits(result.changed_ticket_ids, actor=request.user)
        except DomainError as refused:
            messages.error(request, error_text(refused))
            errors = refused.errors if isinstance(refused.errors, list) else []
        else:
            messages.success(
                request,
                gettext("Imported: %(c)d new, %(u)d updated, %(n)d unchanged; %(m)d tickets moved on.")
                % {"c": result.created, "u": result.updated, "n": result.unchanged, "m": moved},
            )
            return redirect("visit-import")
    query = urlencode({"status": Status.VISITED})
    return render(
        request,
        "dispatch/visit_import.html",
        {"form": form, "errors": errors, "title": _("Return visits"), "visited_url": f"{reverse('workbench')}?{query}"},
    )

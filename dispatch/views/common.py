"""What the staff pages share: deadlines as shown, errors as shown, finding a visible ticket."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dispatch import access
from dispatch.deadlines import has_pending_extension
from dispatch.models import ExtensionRequest, RequestStatus
from intake.models import CLOCK_RUNNING, Ticket
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from dispatch.access import AnyUser

PAGE_SIZE = 50
# The deepest page a numbered list serves: 200 pages × 50 rows = 10,000 rows. Beyond it an offset
# costs the database every row before it while nobody reads that far; narrowing the filter does better.
MAX_PAGE = 200
TOO_DEEP = _(
    "Page %(page)s is beyond the last page this list shows (%(max)s): narrow the filter or change the sort order."
)

ERROR_PREFIX = {
    ErrorCode.INVALID: _("The input is not valid"),
    ErrorCode.FORBIDDEN: _("You may not do this"),
    ErrorCode.NOT_FOUND: _("Not found"),
    ErrorCode.ILLEGAL_TRANSITION: _("Not possible in the ticket's current state"),
    ErrorCode.CONFLICT: _("Someone else changed this first"),
    ErrorCode.TOO_LARGE: _("The upload is too large"),
    ErrorCode.UNAVAILABLE: _("Not available right now"),
}

DUE_LABELS = {"acknowledge": _("Acknowledge by"), "contact": _("Contact by"), "handle": _("Handle by")}


def error_text(error: DomainError) -> str:
    prefix = ERROR_PREFIX.get(error.code, _("Refused"))
    # the files an upload refused, by name (dispatch.attachments lists them as {"file", "reason"})
    files = [e for e in error.errors if isinstance(e, dict) and "file" in e] if isinstance(error.errors, list) else []
    named = "；".join(f"{e['file']}：{e.get('reason', '')}" for e in files)
    return f"{prefix}：{error.detail}" + (f"（{named}）" if named else "")


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def requested_page(request: HttpRequest) -> tuple[int, str | None]:
    """The ``?page=`` asked for (1 when missing or not a number) and, beyond MAX_PAGE, why it is not served."""
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    if page > MAX_PAGE:
        return page, str(TOO_DEEP) % {"page": page, "max": MAX_PAGE}
    return page, None


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def left_text(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return gettext("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)sh %(m)smin") % {"h": hours, "m": mins}
    return gettext("%(m)smin") % {"m": mins}


def _may_be_paused(ticket: Ticket) -> bool:
    return ticket.next_due_at is None and ticket.status in CLOCK_RUNNING


def clock_paused(ticket: Ticket) -> bool:
    """Does the ticket's clock stand still because an extension request waits for a decision?
    (dispatch.deadlines runs no deadline meanwhile: ``next_due_at`` is empty in a state whose clock runs.)"""
    if not _may_be_paused(ticket):
        return False
    if "_jxq_clock_paused" not in ticket.__dict__:
        ticket.__dict__["_jxq_clock_paused"] = has_pending_extension(ticket.pk)
    return ticket.__dict__["_jxq_clock_paused"]


def read_paused_clocks(tickets: Iterable[Ticket]) -> None:
    """For a list page: which of these tickets' clocks stand still, read in one query, so that
    ``clock_paused`` (and ``running_due``) asks nothing per row."""
    candidates = [ticket for ticket in tickets if _may_be_paused(ticket)]  # a ticket may come twice
    if not candidates:
        return
    paused = set(
        ExtensionRequest.objects.filter(
            ticket_id__in={ticket.pk for ticket in candidates}, status=RequestStatus.PENDING
        ).values_list("ticket_id", flat=True)
    )
    for ticket in candidates:
        ticket.__dict__["_jxq_clock_paused"] = ticket.pk in paused


def running_due(ticket: Ticket, now: datetime) -> dict[str, Any] | None:
    """The deadline running now (stored by dispatch.deadlines) and its colour: late, soon or ok; or
    the stopped clock of a ticket whose extension request waits for a decision (state "paused")."""
    if not ticket.next_due_at:
        if clock_paused(ticket):
            return {
                "kind": "",
                "label": _("Clock stopped"),
                "at": None,
                "short_at": "",
                "state": "paused",
                "left_text": "",
                "left_phrase": gettext("waiting for the extension decision"),
            }
        return None
    if now >= ticket.next_due_at:
        state = "late"
    elif ticket.next_warn_at and now >= ticket.next_warn_at:
        state = "soon"
    else:
        state = "ok"
    left = left_text(ticket.next_due_at - now)
    return {
        "kind": ticket.next_due_kind,
        "label": DUE_LABELS.get(ticket.next_due_kind, _("Due")),
        "at": ticket.next_due_at,
        "short_at": clock.local(ticket.next_due_at).strftime("%m-%d %H:%M"),
        "state": state,
        "left_text": left,
        "left_phrase": gettext("overdue by %(t)s") % {"t": left}
        if state == "late"
        else gettext("%(t)s left") % {"t": left},
    }


# what the ticket page shows beside the ticket itself, read with it. Not ``merged_into``: few tickets
# are merged (their page reads it when there is one), and joining the ticket table to itself doubled
# the planning of the page's first query (1.8 -> 4.6 ms planning for 0.2 ms of execution at 1M tickets)
TICKET_PAGE_RELATED = ("category", "community", "lead_unit", "taken_by", "place_community", "grid_cell")


def visible_ticket(user: AnyUser, ticket_no: str, *, related: bool = True) -> Ticket | None:
    """The ticket if this user may see it (None otherwise), with what its page shows beside it."""
    tickets = access.visible_tickets(user)
    if related:
        tickets = tickets.select_related(*TICKET_PAGE_RELATED)
    return tickets.filter(ticket_no=ticket_no).first()


def visible_ticket_or_404(user: AnyUser, ticket_no: str, *, related: bool = True) -> Ticket:
    ticket = visible_ticket(user, ticket_no, related=related)
    if ticket is None:
        # the same answer whether the ticket does not exist or belongs to someone else (no probing)
        raise Http404(gettext("No such ticket among yours."))
    return ticket

"""The staff pages of the workflow (issue 5): workbench, ticket page, unit inbox, sign-off queue.

Every page starts from ``dispatch.access`` (the same module as the API): a ticket this user may not
see is a 404. Every action posts to ``ticket_action``, which calls exactly one function of
``dispatch.workflow``; a DomainError comes back as a message in the user's language.
"""

from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access
from dispatch.filters import TicketFilter
from dispatch.forms import (
    ACTION_FORMS,
    OPEN_STATUSES,
    BulkDispatchForm,
    VisitFileForm,
    WorkbenchFilterForm,
)
from dispatch.models import (
    EventKind,
    ExclusionRequest,
    ExclusionStatus,
    ExtensionRequest,
    Note,
    Notification,
    ReplyDraft,
    RequestStatus,
    SendBackRequest,
    SignOffStatus,
)
from dispatch.notifications import mark_read
from dispatch.transitions import is_allowed
from dispatch.workflow import ACTION_FUNCTIONS, apply_imported_visits, dispatch_ticket
from intake.importers import import_visits
from intake.models import Status, Ticket, Urgency
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Role, Unit

PAGE_SIZE = 50

# Navigation per role: (url name, label). Where each role lands first is org.views.HOME_BY_ROLE.
NAV_BY_ROLE = {
    Role.CENTER_STAFF: [
        ("workbench", _("Workbench")),
        ("visit-import", _("Return visits")),
        ("dashboard", _("Dashboard")),
        ("reports", _("Reports")),
    ],
    Role.UNIT_HANDLER: [("inbox", _("My unit's tickets")), ("workbench", _("All my tickets"))],
    Role.SECTION_LEADER: [
        ("signoff-queue", _("Sign-off queue")),
        ("workbench", _("Tickets")),
        ("dashboard", _("Dashboard")),
        ("reports", _("Reports")),
    ],
    Role.PRINCIPAL_LEADER: [
        ("dashboard", _("Dashboard")),
        ("signoff-queue", _("Sign-off queue")),
        ("workbench", _("Tickets")),
        ("reports", _("Reports")),
    ],
    Role.INSPECTOR: [("reports", _("Reports")), ("dashboard", _("Dashboard")), ("workbench", _("Tickets"))],
    Role.PLATFORM: [],
}

# How a refusal reads on the page; the workflow's own detail follows it.
ERROR_PREFIX = {
    ErrorCode.INVALID: _("The input is not valid"),
    ErrorCode.FORBIDDEN: _("You may not do this"),
    ErrorCode.NOT_FOUND: _("Not found"),
    ErrorCode.ILLEGAL_TRANSITION: _("Not possible in the ticket's current state"),
    ErrorCode.CONFLICT: _("Someone else changed this first"),
    ErrorCode.TOO_LARGE: _("The upload is too large"),
}

DUE_LABELS = {"acknowledge": _("Acknowledge by"), "contact": _("Contact by"), "handle": _("Handle by")}


def page_header(request: HttpRequest) -> dict:
    """Context processor: who is signed in, their units, unread notifications and the role's nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = []
    for name, label in NAV_BY_ROLE.get(user.role, []):
        url = reverse(name)
        nav.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return {
        "header": {
            "nav": nav,
            "unit_names": "、".join(u.name for u in user.units.all()),
            "unread": Notification.objects.filter(user=user, read_at=None).count(),
            "notifications_url": reverse("notifications"),
        }
    }


def error_text(error: DomainError) -> str:
    prefix = ERROR_PREFIX.get(error.code, _("Refused"))
    return f"{prefix}：{error.detail}"


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _left_text(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return gettext("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)sh %(m)smin") % {"h": hours, "m": mins}
    return gettext("%(m)smin") % {"m": mins}


def running_due(ticket: Ticket, now: datetime) -> dict | None:
    """The deadline running now (stored by dispatch.deadlines) and its colour: late, soon or ok."""
    if not ticket.next_due_at:
        return None
    if now >= ticket.next_due_at:
        state = "late"
    elif ticket.next_warn_at and now >= ticket.next_warn_at:
        state = "soon"
    else:
        state = "ok"
    left = _left_text(ticket.next_due_at - now)
    return {
        "kind": ticket.next_due_kind,
        "label": DUE_LABELS.get(ticket.next_due_kind, _("Due")),
        "at": ticket.next_due_at,
        "short_at": timezone.localtime(ticket.next_due_at).strftime("%m-%d %H:%M"),
        "state": state,
        "left_text": left,
        "left_phrase": gettext("overdue by %(t)s") % {"t": left}
        if state == "late"
        else gettext("%(t)s left") % {"t": left},
    }


def _visible_ticket(user, ticket_no: str, *, related: bool = True) -> Ticket:
    tickets = access.visible_tickets(user)
    if related:
        tickets = tickets.select_related("category", "community", "lead_unit", "taken_by", "merged_into")
    ticket = tickets.filter(ticket_no=ticket_no).first()
    if ticket is None:
        # the same answer whether the ticket does not exist or belongs to someone else (no probing)
        raise Http404(gettext("No such ticket among yours."))
    return ticket


# --- the workbench (诉求中心工作台) and the ticket list of every role ---


def filtered_tickets(user, form: WorkbenchFilterForm) -> QuerySet:
    """The visible tickets matching the workbench filters, through the API's TicketFilter (same rules)."""
    tickets = access.visible_tickets(user)
    # an invalid field is left out (and reported by the view); the valid ones still filter
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
    data = getattr(form, "cleaned_data", {})
    status = data.get("status") or WorkbenchFilterForm.STATUS_OPEN
    params: dict = {}
    for name in ("source", "kind", "q"):
        if data.get(name):
            params[name] = data[name]
    if data.get("category"):
        params["category"] = data["category"].name
    if data.get("community"):
        params["community"] = data["community"].name
    if data.get("unit"):
        params["lead_unit"] = data["unit"].name
    if data.get("due") == "overdue":
        params["overdue"] = True
    elif data.get("due") == "soon":
        params["due_soon"] = True
    flags = set(data.get("flags") or [])
    if "urgent" in flags:
        params["urgency"] = Urgency.URGENT
    if "key" in flags:
        params["is_key"] = True
    if "difficult" in flags:
        params["is_difficult"] = True
    if "supervised" in flags:
        params["supervised"] = True
    start_at, end_at = form.received_range() if data and not form.non_field_errors() else (None, None)
    if start_at:
        params["received_after"] = start_at.isoformat()
    if end_at:
        params["received_before"] = end_at.isoformat()
    tickets = TicketFilter(params, queryset=tickets).qs
    if status == WorkbenchFilterForm.STATUS_OPEN:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif status != WorkbenchFilterForm.STATUS_ALL:
        tickets = tickets.filter(status=status)
    if "double_no" in flags:
        tickets = tickets.filter(visit_resolved=False, visit_satisfied=False)
    sort = data.get("sort") or "deadline"
    if sort == "deadline":
        return tickets  # ordered in segments by workbench_slice
    if sort == "received":
        return tickets.order_by("received_at", "id")
    return tickets.order_by("-received_at", "-id")


CENTER_QUEUE = (Status.RECEIVED, Status.TRIAGED)


def workbench_slice(tickets: QuerySet, sort: str, start: int, stop: int) -> list[Ticket]:
    """Rows ``start:stop`` of the list. By deadline, the list is three segments, each read through
    its own index so that the first page touches about a page of rows even with 1,000,000 tickets:
    the center's own queue (to triage, to dispatch; oldest first), then the running deadlines
    soonest first (ticket_next_due), then the rest in flight (replied, visited; newest first)."""
    tickets = tickets.select_related("category", "community", "lead_unit")
    if sort != "deadline":
        return list(tickets[start:stop])
    segments = [
        tickets.filter(status__in=CENTER_QUEUE).order_by("received_at", "id"),
        tickets.filter(next_due_at__isnull=False).exclude(status__in=CENTER_QUEUE).order_by("next_due_at", "id"),
        tickets.filter(next_due_at__isnull=True).exclude(status__in=CENTER_QUEUE).order_by("-received_at", "-id"),
    ]
    found: list[Ticket] = []
    for segment in segments:
        found += segment[: stop - len(found)]
        if len(found) >= stop:
            break
    return found[start:stop]


def _rows(user, tickets, now) -> list[dict]:
    """What a list row shows, prepared here once: a list page stays cheap to render at 50 rows."""
    # one reverse() for all rows: a ticket number is URL-safe in the path (no slash, see intake)
    ticket_url = reverse("ticket", args=["NO"])
    panel_url = reverse("ticket-panel", args=["NO"])
    flags = (
        ("is_key", "key", _("Key")),
        ("is_difficult", "key", _("Difficult")),
    )
    rows = []
    for ticket in tickets:
        no = quote(ticket.ticket_no, safe="")
        can_work = any(
            is_allowed(action, ticket.status) and access.can(user, action, ticket) for action in ("triage", "dispatch")
        )
        tags = [(css, label) for field, css, label in flags if getattr(ticket, field, False) is True]
        if ticket.urgency == Urgency.URGENT:
            tags.insert(0, ("urgent", _("Urgent")))
        if ticket.supervision:
            tags.append(("sup", ticket.get_supervision_display()))
        rows.append(
            {
                "ticket": ticket,
                "due": running_due(ticket, now),
                "can_work": can_work,
                "url": ticket_url.replace("NO", no, 1),
                "panel_url": panel_url.replace("NO", no, 1),
                "received": timezone.localtime(ticket.received_at).strftime("%m-%d %H:%M"),
                "tags": tags,
            }
        )
    return rows


def filter_controls(form: WorkbenchFilterForm) -> list[dict]:
    """The filter form as plain data for the template: a select's options are looped over directly
    instead of rendering one widget template per option (a third of the page's time otherwise)."""
    controls = []
    for bound in form:
        field = bound.field
        value = bound.value()
        control = {"name": bound.name, "id": bound.id_for_label, "label": bound.label, "errors": bound.errors}
        if isinstance(field, forms.MultipleChoiceField):
            chosen = {str(v) for v in (value or [])}
            control["checks"] = [(str(v), label, str(v) in chosen) for v, label in field.choices]
        elif isinstance(field, forms.ChoiceField):  # includes ModelChoiceField
            current = "" if value is None else str(value)
            control["options"] = [(str(v), label, str(v) == current) for v, label in field.choices]
        else:
            control["input_type"] = "date" if isinstance(field, forms.DateField) else "search"
            control["value"] = "" if value is None else value
        controls.append(control)
    return controls


def status_counts(user, current: str) -> list[dict]:
    """How many visible tickets are in each state still in flight (one grouped query)."""
    found = dict(
        access.visible_tickets(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts = [
        {"code": WorkbenchFilterForm.STATUS_OPEN, "label": _("In flight"), "n": sum(found.values())},
    ]
    counts += [{"code": s, "label": Status(s).label, "n": found.get(s, 0)} for s in OPEN_STATUSES]
    for c in counts:
        c["current"] = c["code"] == current
    return counts


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    form = WorkbenchFilterForm(request.GET or None, auto_id="filter-%s")
    if form.is_bound and not form.is_valid():
        messages.error(request, gettext("Some filters are not valid and were ignored."))
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    tickets = filtered_tickets(request.user, form)
    start = (page - 1) * PAGE_SIZE
    sort = getattr(form, "cleaned_data", {}).get("sort") or "deadline"
    # one row more than a page tells whether there is a next page, without counting the whole list
    found = workbench_slice(tickets, sort, start, start + PAGE_SIZE + 1)
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    status = getattr(form, "cleaned_data", {}).get("status") or WorkbenchFilterForm.STATUS_OPEN
    is_center = request.user.role == Role.CENTER_STAFF
    context = {
        "title": _("Complaint center workbench") if is_center else _("Tickets"),
        "form": form,
        "filter_controls": filter_controls(form),
        "filtered": bool(form.is_bound and any(v for k, v in request.GET.items() if k != "page")),
        "rows": _rows(request.user, found[:PAGE_SIZE], now),
        "has_next": len(found) > PAGE_SIZE,
        "page": page,
        "query_without_page": query.urlencode(),
        "status_counts": status_counts(request.user, status),
        "can_bulk_dispatch": is_center,
        "units": Unit.objects.filter(is_center=False, is_active=True) if is_center else [],
    }
    return render(request, "dispatch/workbench.html", context)


def _panel_context(request, ticket: Ticket, bound: dict | None = None) -> dict:
    bound = bound or {}
    forms = []
    for action in ("triage", "dispatch"):
        if is_allowed(action, ticket.status) and access.can(request.user, action, ticket):
            form_class, label = ACTION_FORMS[action]
            forms.append(
                {
                    "action": action,
                    "label": label,
                    "form": bound.get(action) or form_class(ticket=ticket, auto_id=f"{action}-%s"),
                }
            )
    return {"ticket": ticket, "panel_forms": forms, "due": running_due(ticket, timezone.now())}


@login_required
@require_GET
def ticket_panel(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """The workbench's side panel: triage and dispatch forms, and the earlier similar tickets."""
    ticket = _visible_ticket(request.user, ticket_no)
    return render(request, "dispatch/_panel.html", _panel_context(request, ticket))


@login_required
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch several triaged tickets to one unit: one workflow call per ticket, each on its own."""
    form = BulkDispatchForm(request.POST)
    back = _safe_next(request, reverse("workbench"))
    numbers = [n for n in request.POST.getlist("tickets") if n]
    if not numbers:
        messages.error(request, gettext("Select the tickets to dispatch first."))
        return redirect(back)
    if not form.is_valid() and "lead_unit" in form.errors:
        messages.error(request, gettext("Choose the unit to dispatch to."))
        return redirect(back)
    unit = form.cleaned_data["lead_unit"]
    tickets = {t.ticket_no: t for t in access.visible_tickets(request.user).filter(ticket_no__in=numbers)}
    done, refused = [], []
    for number in numbers:
        ticket = tickets.get(number)
        if ticket is None:
            refused.append(f"{number}：{gettext('not found')}")
            continue
        try:
            dispatch_ticket(ticket, actor=request.user, lead_unit=unit)
            done.append(number)
        except DomainError as error:
            refused.append(f"{number}：{error_text(error)}")
    if done:
        messages.success(
            request,
            ngettext("%(n)d ticket dispatched to %(unit)s.", "%(n)d tickets dispatched to %(unit)s.", len(done))
            % {"n": len(done), "unit": unit.name},
        )
    for line in refused:
        messages.error(request, line)
    return redirect(back)


# --- the ticket page ---


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
    note_ids = [e.data.get("note_id") for e in events if e.kind == EventKind.NOTE and e.data.get("note_id")]
    notes = {n.pk: n for n in Note.objects.filter(pk__in=note_ids).prefetch_related("attachments") if note_ids}
    for event in events:
        entries.append(
            {
                "at": event.at,
                "kind": event.kind,
                "label": event.get_kind_display(),
                "actor": " · ".join(str(x) for x in (event.actor, event.actor_unit) if x),
                "to_status": Status(event.to_status).label if event.to_status in Status.values else "",
                "moved": event.from_status != event.to_status,
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
    "text": _("Text"),
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
    "is_difficult": _("Difficult ticket"),
}


def _event_details(data: dict) -> list[tuple]:
    details = []
    for key, label in DETAIL_LABELS.items():
        if key not in data or data[key] in ("", None, [], False) and key not in ("approved", "resolved", "satisfied"):
            continue
        value = data[key]
        if isinstance(value, bool):
            value = gettext("Yes") if value else gettext("No")
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        details.append((label, value))
    return details


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
        if done_at is None:
            row["state"] = "late" if now >= at else "ok"
            if ticket.next_due_kind == kind:
                row["state"] = running_due(ticket, now)["state"]
            row["left_text"] = _left_text(at - now)
        else:
            row["state"] = "late" if done_at > at else "done"
        rows.append(row)
    return rows


def _ticket_context(request, ticket: Ticket, *, bound: dict | None = None, reveal: bool = False) -> dict:
    user = request.user
    now = timezone.now()
    bound = bound or {}
    actions = []
    for action in access.actions_available(user, ticket):
        form_class, label = ACTION_FORMS[action]
        form = bound.get(action) or form_class(ticket=ticket, auto_id=f"{action}-%s")
        actions.append({"action": action, "label": label, "form": form, "open": action in bound})
    return {
        "ticket": ticket,
        "co_units": list(ticket.co_units.all()),
        "person": access.personal_data(user, ticket, context="ticket page", reveal=reveal),
        "may_reveal": access.may_see_personal_data(user, ticket),
        "due": running_due(ticket, now),
        "deadlines": _deadlines(ticket, now),
        "timeline": _timeline(ticket),
        "drafts": list(ticket.reply_drafts.select_related("author").order_by("-version")),
        "exclusions": list(ticket.exclusion_requests.select_related("author").order_by("-version")),
        "extensions": list(ticket.extension_requests.select_related("requested_by").order_by("-requested_at")),
        "send_backs": list(
            SendBackRequest.objects.filter(ticket=ticket).select_related("requested_by").order_by("-requested_at")
        ),
        "actions": actions,
    }


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_no: str) -> HttpResponse:
    ticket = _visible_ticket(request.user, ticket_no)
    return render(request, "dispatch/ticket.html", _ticket_context(request, ticket))


@login_required
@require_POST
def reveal_complainant(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """ "Show" the complainant in full: only for those allowed, and every display is logged."""
    ticket = _visible_ticket(request.user, ticket_no)
    if not access.may_see_personal_data(request.user, ticket):
        messages.error(request, gettext("You may not see this complainant's personal data."))
        return redirect("ticket", ticket_no=ticket.ticket_no)
    context = _ticket_context(request, ticket, reveal=True)
    if _is_htmx(request):
        return render(request, "dispatch/_complainant.html", context)
    return render(request, "dispatch/ticket.html", context)


@login_required
@require_POST
def ticket_action(request: HttpRequest, ticket_no: str, action: str) -> HttpResponse:
    """One workflow step from a page: parse the form, call the one workflow function, show the result."""
    if action not in ACTION_FUNCTIONS or action not in ACTION_FORMS:
        raise Http404(gettext("Unknown action."))
    user = request.user
    ticket = _visible_ticket(user, ticket_no)
    from_panel = request.POST.get("from") == "panel"
    form_class, label = ACTION_FORMS[action]
    form = form_class(request.POST, request.FILES, ticket=ticket, auto_id=f"{action}-%s")
    error = None
    if form.is_valid():
        try:
            ACTION_FUNCTIONS[action](ticket, actor=user, **form.arguments())
        except DomainError as refused:
            error = refused
            for field, why in (refused.errors or {}).items() if isinstance(refused.errors, dict) else ():
                if field in form.fields:
                    form.add_error(field, str(why))
    else:
        error = DomainError(ErrorCode.INVALID, gettext("check the highlighted fields"))
    if error is None:
        done = gettext("%(action)s: done.") % {"action": label}
        ticket = _visible_ticket(user, ticket_no) if access.is_visible(user, ticket) else None
        if from_panel and _is_htmx(request) and ticket is not None:
            context = _panel_context(request, ticket)
            context["done"] = done
            context["row"] = _rows(user, [ticket], timezone.now())[0]
            context["oob"] = True
            context["can_bulk_dispatch"] = user.role == Role.CENTER_STAFF
            return render(request, "dispatch/_panel.html", context)
        messages.success(request, done)
        if ticket is None:
            return redirect("home")
        return redirect(_safe_next(request, reverse("ticket", args=[ticket.ticket_no])))
    if from_panel and _is_htmx(request):
        context = _panel_context(request, ticket, bound={action: form})
        context["error"] = error_text(error)
        return render(request, "dispatch/_panel.html", context, status=200)
    back = request.POST.get("next")
    if back and form.is_valid() and error.code != ErrorCode.INVALID:
        # a queue page (inbox, sign-off) sent a one-click action: tell why it failed, back there
        messages.error(request, error_text(error))
        return redirect(_safe_next(request, reverse("ticket", args=[ticket.ticket_no])))
    messages.error(request, error_text(error))
    context = _ticket_context(request, ticket, bound={action: form})
    return render(request, "dispatch/ticket.html", context, status=400 if error.code == ErrorCode.INVALID else 409)


# --- the unit inbox (承办单位待办) ---

INBOX_STATUSES = [Status.DISPATCHED, Status.CONTACTED, Status.HANDLING, Status.REHANDLING, Status.REVIEWED]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My units' tickets by urgency and deadline: what to acknowledge, contact, handle and answer."""
    user = request.user
    tickets = (
        access.visible_tickets(user)
        .filter(status__in=INBOX_STATUSES)
        .select_related("category", "community", "lead_unit")
        .prefetch_related(
            Prefetch(
                "reply_drafts",
                queryset=ReplyDraft.objects.filter(status=SignOffStatus.PENDING),
                to_attr="pending_drafts",
            )
        )
        .order_by(
            Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()),
            F("next_due_at").asc(nulls_last=True),
            "received_at",
        )
    )
    now = timezone.now()
    my_units = {u.pk for u in user.units.all()}
    cards = []
    for ticket in tickets[:200]:
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
                "can_acknowledge": is_lead
                and ticket.status == Status.DISPATCHED
                and ticket.acknowledged_at is None
                and user.role == Role.UNIT_HANDLER,
            }
        )
    return render(request, "dispatch/inbox.html", {"cards": cards, "title": _("My unit's tickets")})


# --- the sign-off queue (领导审核) ---


def _waiting_for_me(user, items) -> list:
    return [i for i in items if i.waiting_for == user.role]


@login_required
@require_GET
def signoff_queue(request: HttpRequest) -> HttpResponse:
    """Reply drafts, exclusion requests and extension requests waiting for this leader."""
    user = request.user
    if user.role not in (Role.SECTION_LEADER, Role.PRINCIPAL_LEADER):
        raise Http404(gettext("The sign-off queue is for leaders."))
    visible = access.visible_tickets(user)
    drafts = _waiting_for_me(
        user,
        ReplyDraft.objects.filter(status=SignOffStatus.PENDING, ticket__in=visible)
        .select_related("ticket", "ticket__lead_unit", "ticket__category", "author")
        .order_by("created_at"),
    )
    exclusions = _waiting_for_me(
        user,
        ExclusionRequest.objects.filter(status=ExclusionStatus.PENDING, ticket__in=visible)
        .select_related("ticket", "ticket__lead_unit", "author")
        .order_by("created_at"),
    )
    extensions = []
    if user.role == Role.SECTION_LEADER:
        overseen = access.overseen_unit_ids(user)
        extensions = list(
            ExtensionRequest.objects.filter(status=RequestStatus.PENDING, ticket__lead_unit_id__in=overseen)
            .select_related("ticket", "ticket__lead_unit", "requested_by")
            .order_by("requested_at")
        )
    context = {
        "title": _("Sign-off queue"),
        "drafts": drafts,
        "exclusions": exclusions,
        "extensions": extensions,
        "total": len(drafts) + len(exclusions) + len(extensions),
    }
    return render(request, "dispatch/signoff.html", context)


# --- notifications ---


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
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
def visit_import(request: HttpRequest) -> HttpResponse:
    """The center uploads the city's return-visit results; replied tickets move on (closed or visited)."""
    if request.user.role != Role.CENTER_STAFF:
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

"""The workbench (诉求中心工作台) and the ticket list of every role: filters, counts per status,
the deadline order, the triage/dispatch side panel, bulk dispatch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access
from dispatch.filters import TicketFilter
from dispatch.forms import (
    BulkDispatchForm,
    WorkbenchFilterForm,
)
from dispatch.views.common import (
    MAX_PAGE,
    PAGE_SIZE,
    error_text,
    read_paused_clocks,
    requested_page,
    running_due,
    safe_next,
    visible_ticket_or_404,
)
from dispatch.workflow import dispatch_ticket, registry, triage_ticket
from intake.models import AWAITING_CENTER, IN_FLIGHT, Kind, Source, Status, Ticket, Urgency
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError
from org.models import Street, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from dispatch.access import AnyUser, SignedInRequest

# the center's two steps the side panel offers beside the list
PANEL_ACTIONS = (triage_ticket.action, dispatch_ticket.action)


def filtered_tickets(user: AnyUser, form: WorkbenchFilterForm, request: HttpRequest | None = None) -> QuerySet[Ticket]:
    """The visible tickets matching the workbench filters, through the API's TicketFilter (same rules).

    A search the search refuses (too short, too long, nothing to search for) raises DomainError."""
    tickets = access.visible_tickets(user)
    # an invalid field is left out (and reported by the view); the valid ones still filter
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
    data = getattr(form, "cleaned_data", {})
    status, sort = form.chosen_status_and_sort()
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
    if data.get("street"):
        tickets = tickets.filter(street=data["street"])
    tickets = TicketFilter(params, queryset=tickets, request=request).qs
    if status == WorkbenchFilterForm.STATUS_OPEN:
        if sort != "deadline":
            tickets = tickets.filter(status__in=IN_FLIGHT)
        # by deadline, workbench_slice(in_flight=True) gives each segment its own states instead
    elif status != WorkbenchFilterForm.STATUS_ALL:
        tickets = tickets.filter(status=status)
    if "double_no" in flags:
        tickets = tickets.filter(visit_resolved=False, visit_satisfied=False)
    if sort == "deadline":
        return tickets  # ordered in segments by workbench_slice
    if sort == "received":
        return tickets.order_by("received_at", "id")
    return tickets.order_by("-received_at", "-id")


def workbench_slice(tickets: QuerySet, sort: str, start: int, stop: int, *, in_flight: bool = False) -> list[Ticket]:
    """Rows ``start:stop`` of the list, and only those rows are read. By deadline, the list is three
    segments, each read through its own index so that the first page touches about a page of rows
    even with 1,000,000 tickets: the center's own queue (to triage, to dispatch; oldest first), then
    the running deadlines soonest first (ticket_next_due), then the rest in flight (replied, visited;
    newest first). A deeper page counts the earlier segments' rows it skips — a count bounded by the
    offset (``LIMIT``), so never more than MAX_PAGE pages of row ids — and reads its rows with an
    offset inside the segment where it starts.

    ``in_flight``: the open list, whose tickets are not yet filtered by state (filtered_tickets leaves
    it to the segments). Each segment then names its own states once: a second ``status IN`` on the
    same column made PostgreSQL multiply the two lists' shares, expect 146 tickets waiting for the
    center where 10,000,000 tickets in one street held 11,450, and sort them all rather than read
    ``ticket_awaiting_center`` in order."""
    tickets = tickets.select_related("category", "community", "lead_unit")
    if sort != "deadline":
        return list(tickets[start:stop])
    if in_flight:
        past_center = tickets.filter(status__in=[state for state in IN_FLIGHT if state not in AWAITING_CENTER])
    else:
        past_center = tickets.exclude(status__in=AWAITING_CENTER)
    segments = [
        tickets.filter(status__in=AWAITING_CENTER).order_by("received_at", "id"),
        past_center.filter(next_due_at__isnull=False).order_by("next_due_at", "id"),
        past_center.filter(next_due_at__isnull=True).order_by("-received_at", "-id"),
    ]
    found: list[Ticket] = []
    skip = start
    for segment in segments:
        wanted = stop - start - len(found)
        if wanted <= 0:
            break
        if skip:
            held = segment.order_by()[:skip].count()
            if held < skip:  # the whole segment lies before the page
                skip -= held
                continue
        found += segment[skip : skip + wanted]
        skip = 0
    return found


def list_rows(
    user: AnyUser, tickets: Iterable[Ticket], now: datetime, streets: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """What a list row shows, prepared here once: a list page stays cheap to render at 50 rows.
    ``streets`` (id -> name) adds each ticket's street, for those who see several."""
    # one reverse() for all rows: a ticket number is URL-safe in the path (no slash, see intake)
    ticket_url = reverse("ticket", args=["NO"])
    panel_url = reverse("ticket-panel", args=["NO"])
    flags = (
        ("is_key", "key", _("Key")),
        ("is_difficult", "key", _("Difficult")),
    )
    # choice labels translated once per page (get_FOO_display() per row and field is costly)
    labels = {
        field: {code: str(label) for code, label in choices}
        for field, choices in (("source", Source.choices), ("kind", Kind.choices), ("status", Status.choices))
    }
    tickets = list(tickets)
    read_paused_clocks(tickets)
    rows = []
    for ticket in tickets:
        no = quote(ticket.ticket_no, safe="")
        can_work = any(registry.is_available(user, declared, ticket) for declared in PANEL_ACTIONS)
        tags: list[tuple[str, str | StrPromise]] = [
            (css, label) for field, css, label in flags if getattr(ticket, field, False) is True
        ]
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
                "received": clock.local(ticket.received_at).strftime("%m-%d %H:%M"),
                "source": labels["source"].get(ticket.source, ticket.source),
                "kind": labels["kind"].get(ticket.kind, ticket.kind),
                "status": labels["status"].get(ticket.status, ticket.status),
                "tags": tags,
                "street": streets.get(ticket.street_id, "") if streets else "",
            }
        )
    return rows


def filter_controls(form: WorkbenchFilterForm) -> list[dict[str, Any]]:
    """The filter form as plain data for the template: a select's options are looped over directly
    instead of rendering one widget template per option (a third of the page's time otherwise)."""
    controls = []
    for bound in form:
        field = bound.field
        value = bound.value()
        control: dict[str, Any] = {
            "name": bound.name,
            "id": bound.id_for_label,
            "label": bound.label,
            "errors": bound.errors,
        }
        if isinstance(field, forms.MultipleChoiceField):
            chosen = {str(v) for v in (value or [])}
            choices = cast(Iterable[tuple[Any, Any]], field.choices)
            control["checks"] = [(str(v), label, str(v) in chosen) for v, label in choices]
        elif isinstance(field, forms.ChoiceField):  # includes ModelChoiceField
            current = "" if value is None else str(value)
            choices = cast(Iterable[tuple[Any, Any]], field.choices)
            control["options"] = [(str(v), label, str(v) == current) for v, label in choices]
        else:
            control["input_type"] = "date" if isinstance(field, forms.DateField) else "search"
            control["value"] = "" if value is None else value
        controls.append(control)
    return controls


def status_counts(user: AnyUser, current: str) -> list[dict[str, Any]]:
    """How many visible tickets are in each state still in flight (one grouped query)."""
    found = dict(
        access.visible_tickets(user)
        .filter(status__in=IN_FLIGHT)
        .order_by()
        .values_list("status")
        # COUNT(*), not COUNT(id): the (street, status, received) index answers it alone (an
        # index-only scan), where counting the ids read every ticket in flight from the table
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    counts = [
        {"code": WorkbenchFilterForm.STATUS_OPEN, "label": _("In flight"), "n": sum(found.values())},
    ]
    counts += [{"code": s, "label": Status(s).label, "n": found.get(s, 0)} for s in IN_FLIGHT]
    for c in counts:
        c["current"] = c["code"] == current
    return counts


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    if not access.may(request.user, "tickets.list"):
        raise Http404(gettext("No ticket list for this account."))
    street_ids = access.street_ids(request.user)
    form = WorkbenchFilterForm(request.GET or None, auto_id="filter-%s", street_ids=street_ids)
    # a district's people see several streets: each row says whose ticket it is
    streets = dict(Street.objects.filter(pk__in=street_ids).values_list("pk", "name")) if len(street_ids) > 1 else None
    if form.is_bound and not form.is_valid():
        messages.error(request, gettext("Some filters are not valid and were ignored."))
    page, too_deep = requested_page(request)
    try:
        tickets = filtered_tickets(request.user, form, request)
    except DomainError as error:  # a search refused as bad input: said, and nothing listed
        messages.error(request, error.detail)
        tickets = Ticket.objects.none()
    search = getattr(request, "ticket_search", None)
    for notice in search.notices if search else ():
        messages.warning(request, notice)
    start = (page - 1) * PAGE_SIZE
    status, sort = form.chosen_status_and_sort()
    in_flight = status == WorkbenchFilterForm.STATUS_OPEN
    # one row more than a page tells whether there is a next page, without counting the whole list
    found = [] if too_deep else workbench_slice(tickets, sort, start, start + PAGE_SIZE + 1, in_flight=in_flight)
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    is_center = access.may(request.user, "tickets.bulk_dispatch")
    rows = list_rows(request.user, found[:PAGE_SIZE], now, streets)
    context = {
        "title": _("Complaint center workbench") if is_center else _("Tickets"),
        "form": form,
        "filter_controls": filter_controls(form),
        "filtered": bool(form.is_bound and any(v for k, v in request.GET.items() if k != "page")),
        "rows": rows,
        # the triage and dispatch panel beside the list, for whoever may use it on some row
        "side_panel": is_center or any(row["can_work"] for row in rows),
        "show_street": bool(streets),
        "has_next": len(found) > PAGE_SIZE and page < MAX_PAGE,
        "page": page,
        "page_error": too_deep,
        "query_without_page": query.urlencode(),
        "status_counts": status_counts(request.user, status),
        "can_bulk_dispatch": is_center,
        "units": Unit.objects.filter(is_center=False, is_active=True, street_id__in=street_ids) if is_center else [],
    }
    return render(request, "dispatch/workbench.html", context, status=400 if too_deep else 200)


def panel_context(request: HttpRequest, ticket: Ticket, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    forms = []
    for declared in registry.available_actions(request.user, ticket):
        if declared in PANEL_ACTIONS:
            name = declared.name
            forms.append(
                {
                    "action": name,
                    "label": declared.label,
                    "form": bound.get(name) or declared.form(ticket=ticket, auto_id=f"{name}-%s"),
                }
            )
    return {"ticket": ticket, "panel_forms": forms, "due": running_due(ticket, timezone.now())}


@login_required
@require_GET
def ticket_panel(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """The workbench's side panel: triage and dispatch forms, and the earlier similar tickets."""
    ticket = visible_ticket_or_404(request.user, ticket_no)
    return render(request, "dispatch/_panel.html", panel_context(request, ticket))


@login_required
@require_POST
def bulk_dispatch(request: SignedInRequest) -> HttpResponse:
    """Dispatch several triaged tickets to one unit: one workflow call per ticket, each on its own."""
    if not access.may(request.user, "tickets.bulk_dispatch"):
        raise Http404(gettext("Only the complaint center dispatches tickets."))
    form = BulkDispatchForm(request.POST)
    back = safe_next(request, reverse("workbench"))
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

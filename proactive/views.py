"""The proactive handling pages (未诉先办): the latest hot spots with a form to open a case on one,
the visible cases, and a case's page with its measures, tickets and before/after volume.

Thin like the API (``proactive.api``): each POST calls one function of ``proactive.cases``, which
decides who may do what; a refusal (DomainError) is shown as a message. Which forms a user sees
follows the same checks those functions make, so nobody is offered a button that is always refused.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access
from dispatch.views.common import error_text, visible_ticket_or_404
from jxq_cases.lib import clock
from jxq_cases.lib.errors import HTTP_STATUS, DomainError
from proactive import cases
from proactive import triage_assistant as triage_assistant_module
from proactive.callers import caller_history
from proactive.forms import CaseFromHotSpotForm, CloseCaseForm, LinkTicketsForm, MeasureForm
from proactive.hotspots import hotspots_between
from proactive.models import CaseStatus, HotSpot, HotSpotRun

HOT_SPOT_LIMIT = 30


def _latest_hotspots(user) -> tuple[HotSpotRun | None, list[dict]]:
    run = HotSpotRun.objects.filter(finished_at__isnull=False).order_by("-end_on", "-finished_at").first()
    if run is None:
        return None, []
    return run, hotspots_between(run.start_on, run.end_on, street_ids=access.street_ids(user))[:HOT_SPOT_LIMIT]


@login_required
@require_GET
def proactive_home(request: HttpRequest) -> HttpResponse:
    """The hot spots of the latest run (for those who read the street's aggregates) and the cases."""
    user = request.user
    reads_hotspots = access.may(user, "hotspots.read")
    if not reads_hotspots and not access.may(user, "cases.read"):
        # a handler still sees the cases their unit is involved in; a machine client has no page here
        raise Http404(gettext("Proactive handling is for the street's leaders, the center and the inspectors."))
    run, hotspots = _latest_hotspots(user) if reads_hotspots else (None, [])
    for h in hotspots:
        h["recent_trend"] = h["trend"][-8:]
    found = (
        cases.visible_cases(user)
        .select_related("community")
        .prefetch_related("units")
        .order_by("-opened_at", "-created_at")
    )
    context = {
        "title": _("Proactive handling"),
        "reads_triage_assistant": access.may(user, "triage.assistant"),
        "reads_hotspots": reads_hotspots,
        "run": run,
        "hotspots": hotspots,
        "can_create": access.may(user, "cases.create"),
        "cases": found,
    }
    return render(request, "proactive/home.html", context)


@login_required
@require_POST
def case_from_hotspot(request: HttpRequest, hotspot_id: int) -> HttpResponse:
    """Open (or, for the center, draft) a case on a hot spot."""
    if not access.may(request.user, "hotspots.read"):
        raise Http404(gettext("No such hot spot."))
    mine = HotSpot.objects.filter(hotspotticket__ticket__street_id__in=access.street_ids(request.user)).distinct()
    hotspot = get_object_or_404(mine, pk=hotspot_id)
    form = CaseFromHotSpotForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("A proactive case needs a title."))
        return redirect("proactive")
    try:
        case = cases.create_case(actor=request.user, title=form.cleaned_data["title"], hotspot=hotspot)
    except DomainError as error:
        messages.error(request, error_text(error))
        return redirect("proactive")
    if case.status == CaseStatus.DRAFT:
        messages.success(request, gettext("Case drafted; a leader opens it."))
    else:
        messages.success(request, gettext("Case opened."))
    return redirect("proactive-case", pk=case.pk)


def _case_or_404(request: HttpRequest, pk: int):
    case = cases.visible_cases(request.user).select_related("community", "category", "hotspot").filter(pk=pk).first()
    if case is None:
        # the same answer whether the case does not exist or is another unit's (no probing)
        raise Http404(gettext("No such proactive case among yours."))
    return case


def _volume_chart(volume: dict) -> dict:
    """ECharts option: calls per week, before the first measure in grey, from it on in the brand colour."""
    weeks = volume["weeks"]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 16, "top": 30, "bottom": 28},
        "xAxis": {"type": "category", "data": [w["week_on"][5:] for w in weeks]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "stack": "calls",
                "name": str(label),
                "data": [w["count"] if w["phase"] == phase else None for w in weeks],
                **({"itemStyle": {"color": "#9aa5b1"}} if phase == "before" else {}),
            }
            for phase, label in (("before", _("Before")), ("after", _("From the first measure on")))
        ],
    }


def _render_case(request: HttpRequest, case, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    unit_ids = cases.case_unit_ids(case)
    # the very checks proactive.cases makes (open_case / close_case / add_measure / link_tickets)
    leads = cases.may_open(user, case)
    can = {
        "open": case.status == CaseStatus.DRAFT and leads,
        "close": case.status == CaseStatus.OPEN and leads,
        "measure": case.status != CaseStatus.CLOSED and cases.may_work_on(user, case),
        "link": cases.may_link(user, case),
    }
    bound = bound or {}
    volume = cases.case_volume(case)
    context = {
        "title": case.title,
        "case": case,
        "units": case.units.order_by("name"),
        "measures": case.measures.select_related("unit", "recorded_by"),
        "tickets": case.tickets.order_by("received_at").only("ticket_no", "received_at", "content", "status"),
        "volume": volume,
        "chart": _volume_chart(volume),
        "can": can,
        "measure_form": bound.get("measure") or MeasureForm(unit_ids=unit_ids),
        "link_form": bound.get("link") or LinkTicketsForm(),
        "close_form": bound.get("close") or CloseCaseForm(),
    }
    return render(request, "proactive/case.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _case_or_404(request, pk))


def _refused(request: HttpRequest, case, error: DomainError, bound: dict) -> HttpResponse:
    messages.error(request, error_text(error))
    return _render_case(request, case, bound=bound, status=HTTP_STATUS.get(error.code, 400))


def _invalid(request: HttpRequest, case, bound: dict) -> HttpResponse:
    messages.error(request, gettext("Please correct the fields marked below."))
    return _render_case(request, case, bound=bound, status=400)


@login_required
@require_POST
def case_open(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    try:
        cases.open_case(case, actor=request.user)
    except DomainError as error:
        return _refused(request, case, error, {})
    messages.success(request, gettext("Case opened."))
    return redirect("proactive-case", pk=case.pk)


@login_required
@require_POST
def case_measure(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    form = MeasureForm(request.POST, unit_ids=cases.case_unit_ids(case))
    if not form.is_valid():
        return _invalid(request, case, {"measure": form})
    try:
        cases.add_measure(case, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, case, error, {"measure": form})
    messages.success(request, gettext("Measure recorded."))
    return redirect("proactive-case", pk=case.pk)


@login_required
@require_POST
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    form = LinkTicketsForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, {"link": form})
    try:
        added = cases.link_tickets(case, actor=request.user, ticket_nos=form.cleaned_data["tickets"])
    except DomainError as error:
        return _refused(request, case, error, {"link": form})
    messages.success(request, gettext("%(n)s ticket(s) newly linked.") % {"n": added})
    return redirect("proactive-case", pk=case.pk)


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    form = CloseCaseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, {"close": form})
    try:
        cases.close_case(case, actor=request.user, conclusion=form.cleaned_data["conclusion"])
    except DomainError as error:
        return _refused(request, case, error, {"close": form})
    messages.success(request, gettext("Case closed."))
    return redirect("proactive-case", pk=case.pk)


@login_required
@require_GET
def caller_fragment(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """The caller's other requests (the ticket page and the triage panel load it): which request of
    this caller the ticket is, links to the earlier ones the user may open, a repeated matter flagged.
    No phone number or name is shown: the tickets are linked by the caller key."""
    ticket = visible_ticket_or_404(request.user, ticket_no, related=False)
    history = caller_history(ticket, user=request.user)
    return render(request, "proactive/_caller.html", {"ticket": ticket, "history": history})


@login_required
@require_GET
def triage_assistant(request: HttpRequest) -> HttpResponse:
    """The triage assistant: the model in use and how often the center accepts its suggestions."""
    if not access.may(request.user, "triage.assistant"):
        raise Http404(gettext("The triage assistant's figures are for the complaint center and its leaders."))
    today = clock.today()
    streets = access.street_ids(request.user)  # the figures of the user's streets (docs/district.md)
    periods = []
    for label, days in ((_("Last 7 days"), 7), (_("Last 30 days"), 30), (_("Last 365 days"), 365)):
        since, until = clock.range_bounds(today - timedelta(days=days - 1), today)
        periods.append({"label": label, "rows": triage_assistant_module.acceptance(since, until, street_ids=streets)})
    context = {
        "title": _("Triage assistant"),
        "model": triage_assistant_module.current_model(),
        "periods": periods,
        "min_tickets": settings.PROACTIVE_TRIAGE_MIN_TICKETS,
    }
    return render(request, "proactive/triage_assistant.html", context)

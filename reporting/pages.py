"""The internal reporting pages (issue 5): the nightly leadership dashboard, the ticket lists behind
its figures, and the ranking / weekly analysis / monthly bulletin with their Excel downloads.

The pages read the snapshots the batch jobs stored (``reporting.snapshots``); they compute nothing
themselves. A figure links to ``drilldown``, which lists the tickets of the figure's stored filter
among those the user may see (``dispatch.access``), so a handler-level user never sees more.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access
from dispatch.views.common import MAX_PAGE, PAGE_SIZE, read_paused_clocks, requested_page, running_due
from intake.models import Category
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError
from org.models import Street
from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis
from reporting.district import district_league, district_rank, visible_districts, write_league_workbook
from reporting.documents import DOCX, Document, monthly_bulletin, weekly_analysis, write_docx
from reporting.drilldown import tickets_matching
from reporting.exports import write_workbook
from reporting.models import Job, Snapshot
from reporting.nightly import take_nightly_snapshot
from reporting.snapshots import latest_snapshot
from reporting.ticket_map import default_period, map_period, ticket_map
from reporting.tonight import sections

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_reader(request: HttpRequest, ability: str = "reports.read") -> None:
    """The street-wide figures are for its leaders, the center and discipline inspection."""
    if not access.may(request.user, ability):
        # the same answer as an unknown page: the figures are not this role's business
        raise Http404(gettext("The reports are for the street's leaders, the center and the inspectors."))


def _street(request: HttpRequest, asked: str | None = None) -> Street:
    """The street whose figures the page shows: ``?street=`` among the person's streets (a district
    role may pick any of its district's), else their own; 404 for someone of no street."""
    street = access.chosen_street(request.user, asked if asked is not None else request.GET.get("street"))
    if street is None:
        raise Http404(gettext("The reports are for the street's leaders, the center and the inspectors."))
    return street


def drill_url(spec: dict, title: str = "") -> str:
    """The ticket list behind a figure: its stored filter, carried in the query string."""
    return reverse("drilldown") + "?" + urlencode({"filter": json.dumps(spec, ensure_ascii=False), "title": title})


def _link_figures(value: Any, title: str = "") -> Any:
    """Give every stored ``filter`` of a snapshot a ``url`` beside it, for the template's links."""
    if isinstance(value, dict):
        linked = {k: _link_figures(v, title) for k, v in value.items()}
        for key, spec in value.items():
            if key == "filter" or key.endswith("_filter"):
                if isinstance(spec, dict):
                    linked[key.replace("filter", "url")] = drill_url(spec, title)
        return linked
    if isinstance(value, list):
        return [_link_figures(v, title) for v in value]
    return value


def _heat_map_table(heat: dict) -> dict:
    """The community × category matrix as rows of cells (count, url, shade 0-5) for an HTML table."""
    counts = {(c["row"], c["column"]): c for c in heat.get("cells", [])}
    top = max((c["count"] for c in heat.get("cells", [])), default=0)
    rows = []
    for i, community in enumerate(heat.get("communities", [])):
        cells: list[dict[str, Any] | None] = []
        for j, _category in enumerate(heat.get("categories", [])):
            cell = counts.get((i, j))
            if cell:
                shade = 1 + (4 * cell["count"] // top if top else 0)
                cells.append({"count": cell["count"], "url": drill_url(cell["filter"]), "shade": min(shade, 5)})
            else:
                cells.append(None)
        rows.append({"name": community["name"] or gettext("No community"), "cells": cells})
    columns = [c["name"] or gettext("Unclassified") for c in heat.get("categories", [])]
    return {"columns": columns, "rows": rows}


def _charts(data: dict) -> dict:
    """ECharts options of the dashboard: the month-by-month intake and composite per unit."""
    units = data.get("trend", {}).get("units", [])
    months = sorted({m["month"] for u in units for m in u["months"]})
    totals = {m: 0 for m in months}
    for u in units:
        for m in u["months"]:
            totals[m["month"]] += m["total"]
    intake = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "top": 24, "bottom": 28},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value"},
        "series": [{"type": "bar", "name": gettext("Tickets led by the units"), "data": [totals[m] for m in months]}],
    }
    # every unit with counted tickets, the ranked first (a unit listed apart still has its rates)
    units_table = data.get("units", {})
    ranked = [r for r in units_table.get("ranked", []) + units_table.get("apart", []) if r.get("counted")]
    rates = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 16, "top": 30, "bottom": 80},
        "xAxis": {"type": "category", "data": [r["unit"] for r in ranked], "axisLabel": {"rotate": 40}},
        "yAxis": {"type": "value", "min": 0, "max": 100},
        "series": [
            {
                "type": "bar",
                "name": name,
                "data": [{"value": r[key], "url": r.get("url", "")} for r in ranked],
            }
            for key, name in (
                ("response", gettext("Response rate")),
                ("resolution", gettext("Resolution rate")),
                ("satisfaction", gettext("Satisfaction rate")),
            )
        ]
        + [
            {
                "type": "line",
                "name": gettext("Composite"),
                "data": [{"value": r["composite"], "url": r.get("url", "")} for r in ranked],
            }
        ],
    }
    return {"intake": intake, "rates": rates}


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The latest nightly snapshot (每晚领导驾驶舱)."""
    _require_reader(request, "dashboard.read")
    street = _street(request)
    snapshot = latest_snapshot(Job.NIGHTLY, street=street)
    context: dict[str, Any] = {
        "title": _("Leadership dashboard"),
        "street": street,
        "district_rank": district_rank(street, clock.today()),
        "snapshot": snapshot,
        "can_run": access.may(request.user, "reports.run"),
        "map": access.may(request.user, "map.read"),
    }
    context["map_start"], context["map_end"] = default_period()
    if snapshot is not None:
        data = _link_figures(snapshot.data, "")
        context.update(
            data=data,
            heat=_heat_map_table(snapshot.data.get("heat_map", {})),
            charts=_charts(data),
        )
    return render(request, "reporting/dashboard.html", context)


@login_required
@require_POST
def run_job(request: HttpRequest, job: str) -> HttpResponse:
    """Take a snapshot now (the center or the principal, e.g. after a busy afternoon)."""
    _require_reader(request)
    if not access.may(request.user, "reports.run"):
        raise Http404(gettext("Only the center and the principal leader run the jobs."))
    today = clock.today()
    try:
        day = dt.date.fromisoformat(request.POST.get("on") or today.isoformat())
    except ValueError:
        messages.error(request, gettext("The date is not valid (YYYY-MM-DD)."))
        return redirect("reports")
    take: dict[str, tuple[Callable[..., Snapshot], str]] = {
        "nightly": (take_nightly_snapshot, "dashboard"),
        "daily_ranking": (take_daily_ranking, "report-ranking"),
        "weekly": (take_weekly_analysis, "report-weekly"),
        "monthly": (take_monthly_bulletin, "report-monthly"),
    }
    if job not in take:
        raise Http404(gettext("Unknown job."))
    function, page = take[job]
    snapshot = function(day, street=_street(request, request.POST.get("street")))
    messages.success(request, gettext("Computed: %(job)s.") % {"job": snapshot})
    return redirect(reverse(page) + "?" + urlencode({"on": snapshot.period_start.isoformat()}))


@login_required
@require_GET
def drilldown(request: HttpRequest) -> HttpResponse:
    """The tickets behind a figure, among those this user may see."""
    _require_reader(request)
    try:
        spec = json.loads(request.GET.get("filter") or "{}")
        if not isinstance(spec, dict):
            raise ValueError
        tickets = tickets_matching(spec, base=access.visible_tickets(request.user))
    except (ValueError, DomainError) as error:
        detail = error.detail if isinstance(error, DomainError) else gettext("the filter is not valid JSON")
        return render(request, "reporting/drilldown.html", {"error": detail, "title": gettext("Tickets")}, status=400)
    page, too_deep = requested_page(request)
    start = (page - 1) * PAGE_SIZE
    found = (
        []
        if too_deep
        else list(
            tickets.select_related("category", "community", "lead_unit").order_by("-received_at", "-id")[
                start : start + PAGE_SIZE + 1
            ]
        )
    )
    now = timezone.now()
    read_paused_clocks(found[:PAGE_SIZE])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": request.GET.get("title") or gettext("Tickets behind the figure"),
        "rows": [{"ticket": t, "due": running_due(t, now)} for t in found[:PAGE_SIZE]],
        "has_next": len(found) > PAGE_SIZE and page < MAX_PAGE,
        "page": page,
        "page_error": too_deep,
        "query_without_page": query.urlencode(),
        "spec": spec,
    }
    return render(request, "reporting/drilldown.html", context, status=400 if too_deep else 200)


# --- the reports: ranking, weekly analysis, monthly bulletin, each with an Excel download ---


def _excel(request: HttpRequest, start_on: dt.date, end_on: dt.date, name: str, street: Street) -> HttpResponse:
    """一账三表 of the period; the ledger's request and reply text only for who sees every ticket."""
    buffer = io.BytesIO()
    write_workbook(start_on, end_on, buffer, with_text=access.may(request.user, "reports.ledger"), street=street)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{start_on:%Y%m%d}-{end_on:%Y%m%d}.xlsx"'
    return response


def _day_param(request: HttpRequest, name: str = "on") -> dt.date | None:
    text = request.GET.get(name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        messages.error(request, gettext("The date is not valid (YYYY-MM-DD)."))
        return None


# the reports that are also documents to hand out: a Word file and an A4 print view
DOCUMENTS = {Job.WEEKLY: weekly_analysis, Job.MONTHLY: monthly_bulletin}


def _document(
    request: HttpRequest, build: Callable[[Snapshot], Document], snapshot: Snapshot, output: str, name: str
) -> HttpResponse:
    document = build(snapshot)
    if output == "docx":
        buffer = io.BytesIO()
        write_docx(document, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=DOCX)
        response["Content-Disposition"] = (
            f'attachment; filename="{name}-{snapshot.period_start:%Y%m%d}-{snapshot.period_end:%Y%m%d}.docx"'
        )
        return response
    back = f"{request.path}?{urlencode({'on': snapshot.period_start.isoformat()})}"
    return render(request, "reporting/document.html", {"document": document, "title": document.title, "back": back})


def _report_page(
    request: HttpRequest, job: Job, template: str, title: str | StrPromise, excel_name: str
) -> HttpResponse:
    _require_reader(request)
    day = _day_param(request)
    street = _street(request)
    # the links keep the street a district role chose (a street's own people have one street)
    which = {"street": str(street.pk)} if request.GET.get("street") else {}
    snapshot = latest_snapshot(job, street=street, on_or_before=day)
    if day and snapshot is not None and not (snapshot.period_start <= day <= snapshot.period_end):
        snapshot = None  # the period asked for has no snapshot yet
    output = request.GET.get("format")
    if output in ("docx", "print") and job in DOCUMENTS:
        if snapshot is None:
            raise Http404(gettext("No snapshot of this period yet."))
        return _document(request, DOCUMENTS[job], snapshot, output, excel_name)
    if output == "xlsx":
        if snapshot is None:
            raise Http404(gettext("No snapshot of this period yet."))
        # the daily ranking is month to date: its workbook covers the month up to that day
        start_on = clock.month_start(snapshot.period_start) if job == Job.DAILY_RANKING else snapshot.period_start
        return _excel(request, start_on, snapshot.period_end, excel_name, street)
    context = {
        "title": title,
        "snapshot": snapshot,
        "data": _link_figures(snapshot.data) if snapshot else None,
        "asked_on": day,
        "can_run": access.may(request.user, "reports.run"),
        "job": job.value,
        "excel_url": f"{request.path}?{urlencode({'on': snapshot.period_start.isoformat(), 'format': 'xlsx', **which})}"
        if snapshot
        else "",
    }
    if snapshot is not None and job in DOCUMENTS:
        on = snapshot.period_start.isoformat()
        context["docx_url"] = f"{request.path}?{urlencode({'on': on, 'format': 'docx', **which})}"
        context["print_url"] = f"{request.path}?{urlencode({'on': on, 'format': 'print', **which})}"
    return render(request, template, context)


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    today = clock.today()
    street = _street(request)
    latest = {
        job: latest_snapshot(job, street=street) for job in (Job.DAILY_RANKING, Job.WEEKLY, Job.MONTHLY, Job.NIGHTLY)
    }
    context = {
        "title": _("Reports"),
        "latest": latest,
        "public_from": today.replace(month=1, day=1).isoformat(),
        "public_to": today.isoformat(),
        "this_week": clock.week_start(today).isoformat(),
        "this_month": clock.month_start(today).isoformat(),
        "month_end": clock.month_end(today).isoformat(),
    }
    return render(request, "reporting/reports.html", context)


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    return _report_page(request, Job.DAILY_RANKING, "reporting/ranking.html", _("Daily ranking"), "ranking")


@login_required
@require_GET
def weekly(request: HttpRequest) -> HttpResponse:
    return _report_page(request, Job.WEEKLY, "reporting/weekly.html", _("Weekly analysis"), "weekly")


@login_required
@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    return _report_page(request, Job.MONTHLY, "reporting/monthly.html", _("Monthly bulletin"), "monthly")


@login_required
@require_GET
def tonight(request: HttpRequest) -> HttpResponse:
    """The leader's 23:00 look on a phone: five figures, each with its tickets one tap away."""
    if not access.may(request.user, "tonight.read"):
        raise Http404(gettext("This page is for the street's leaders."))
    now = timezone.now()
    found = sections(request.user, now)
    read_paused_clocks(t for section in found for t in section.tickets)
    for section in found:
        section.cards = [{"ticket": t, "due": running_due(t, now)} for t in section.tickets]
    context = {
        "title": _("Tonight"),
        "sections": [(s, drill_url(s.filter, s.label)) for s in found],
        "now": now,
    }
    return render(request, "reporting/tonight.html", context)


def _map_request(request: HttpRequest) -> tuple[dt.date, dt.date, Category | None]:
    """The map's period and category from the query string; a bad value falls back to the default."""
    start_on, end_on = default_period()
    try:
        start_on = dt.date.fromisoformat(request.GET.get("from") or start_on.isoformat())
        end_on = dt.date.fromisoformat(request.GET.get("to") or end_on.isoformat())
    except ValueError:
        start_on, end_on = default_period()
    start_on, end_on = map_period(start_on, end_on)
    category = None
    if (request.GET.get("category") or "").isdigit():
        category = Category.objects.filter(pk=int(request.GET["category"])).first()
    return start_on, end_on, category


@login_required
@require_GET
def ticket_map_page(request: HttpRequest) -> HttpResponse:
    """The map of the street's tickets, with its period and category filters."""
    _require_reader(request, "map.read")
    start_on, end_on, category = _map_request(request)
    return render(
        request,
        "reporting/map.html",
        {
            "title": _("Map of the tickets"),
            "start_on": start_on,
            "end_on": end_on,
            "category": category,
            "categories": Category.objects.order_by("name"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def ticket_map_data(request: HttpRequest) -> JsonResponse:
    """What the map draws, as JSON: each figure with the URL of its tickets."""
    _require_reader(request, "map.read")
    start_on, end_on, category = _map_request(request)
    data = ticket_map(request.user, start_on, end_on, category=category)
    for row in (*data["cells"], *data["communities"], *data["hotspots"]):
        row["url"] = drill_url(row.pop("filter"), row["name"])
    for point in data["points"]:
        point["url"] = reverse("ticket", args=[point["ticket_no"]])
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def district(request: HttpRequest) -> HttpResponse:
    """The district's league of streets (区级排名): month to date, or the months ``?from=YYYY-MM&to=YYYY-MM``
    (rates and composite the means of the monthly ones), each street's units below it; ``?format=xlsx``."""
    if not access.may(request.user, "district.read"):
        raise Http404(gettext("The district's league is for the district center."))
    districts = visible_districts(access.street_ids(request.user))
    asked = request.GET.get("district", "")
    chosen = next((d for d in districts if str(d.pk) == asked), districts[0] if districts else None)
    if chosen is None:
        raise Http404(gettext("The district's league is for the district center."))
    today = clock.today()
    start_on, end_on = clock.month_start(today), today
    first, last = _day_param(request, "from"), _day_param(request, "to")
    if first or last:
        start_on = clock.month_start(first or last or today)
        end_on = min(clock.month_end(last or first or today), today)
        if start_on > end_on:
            start_on, end_on = clock.month_start(end_on), end_on
    league = district_league(chosen, start_on, end_on)
    query = urlencode({"district": str(chosen.pk), "from": f"{start_on:%Y-%m}", "to": f"{end_on:%Y-%m}"})
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        write_league_workbook(league, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="district-{start_on:%Y%m%d}-{end_on:%Y%m%d}.xlsx"'
        return response
    context = {
        "title": _("District league"),
        "league": league,
        "standings": league.ranked + league.apart,
        "districts": districts,
        "from_month": f"{start_on:%Y-%m}",
        "to_month": f"{end_on:%Y-%m}",
        "query": query,
    }
    return render(request, "reporting/district.html", context)

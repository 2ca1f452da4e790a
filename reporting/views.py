"""The public work report (no login): the same figures as ``manage.py report --format text``, with
charts and a month-by-month table, and no personal data at all — only counts, shares and rates.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError
from reporting.report import build_report, by_community, community_outlines, parse_range, report_text, top_categories


@require_GET
@cache_control(public=True, max_age=300)
def public_report(request: HttpRequest) -> HttpResponse:
    """``/report/public/?from=YYYY-MM-DD&to=YYYY-MM-DD``; by default this year to date."""
    today = clock.today()
    from_text = request.GET.get("from") or today.replace(month=1, day=1).isoformat()
    to_text = request.GET.get("to") or today.isoformat()
    context: dict[str, Any] = {"from_text": from_text, "to_text": to_text, "street": settings.REPORTING_STREET_NAME}
    try:
        start_on, end_on = parse_range(from_text, to_text)
    except DomainError as error:
        return render(request, "reporting/public_report.html", {**context, "error": error.detail}, status=400)
    report = build_report(start_on, end_on)
    months = report["months"]
    chart = {
        "months": [m["month"] for m in months],
        "city": [m["city"] for m in months],
        "district": [m["district"] for m in months],
        "response": [_num(m["response"]) for m in months],
        "resolution": [_num(m["resolution"]) for m in months],
        "satisfaction": [_num(m["satisfaction"]) for m in months],
    }
    context.update(
        report=report,
        paragraph=report_text(report),
        categories=top_categories(start_on, end_on),
        communities=by_community(start_on, end_on),
        outlines=community_outlines(),
        chart=chart,
        end_is_future=end_on > today,
        today=today,
        generated_at=clock.local(clock.now()),
    )
    return render(request, "reporting/public_report.html", context)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)

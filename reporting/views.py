"""The public work report (no login): the same figures as ``manage.py report --format text``, with
charts and a month-by-month table, and no personal data at all — only counts, shares and rates.

Anyone can ask for it, so it must not let anyone load the database: the figures of a range are
computed once and served from the cache for ``PUBLIC_CACHE_SECONDS`` (keyed by the range and the
language, not by the raw query string, so junk parameters do not make new entries; the nightly job
and the visit import start a new generation at once, ``jxq_cases.lib.public_cache``), and one address
may ask ``PUBLIC_RATE_LIMIT`` times (django-ratelimit) before it is answered 429.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from jxq_cases.lib import clock, public_cache
from jxq_cases.lib.errors import DomainError
from org.models import Street
from reporting.report import build_report, by_community, community_outlines, parse_range, report_text, top_categories


def public_rate(group: str, request: HttpRequest) -> str:
    return str(settings.PUBLIC_RATE_LIMIT)


@require_GET
@ratelimit(key="ip", rate=public_rate, block=False)
@cache_control(public=True, max_age=300)
def public_report(request: HttpRequest) -> HttpResponse:
    """``/report/public/?from=YYYY-MM-DD&to=YYYY-MM-DD&street=NAME``; by default this year to date, of
    the only street (else the first by name; docs/district.md)."""
    today = clock.today()
    from_text = request.GET.get("from") or today.replace(month=1, day=1).isoformat()
    to_text = request.GET.get("to") or today.isoformat()
    streets = Street.objects.order_by("name")
    asked = (request.GET.get("street") or "").strip()
    street = (streets.filter(name=asked).first() if asked else None) or streets.first()
    street_name = street.name if street is not None else settings.REPORTING_STREET_NAME
    context: dict[str, Any] = {"from_text": from_text, "to_text": to_text, "street": street_name}
    if asked and (street is None or street.name != asked):
        context["error"] = gettext("No such street.")
        return render(request, "reporting/public_report.html", context, status=404)
    if getattr(request, "limited", False):
        context["error"] = gettext(
            "Too many requests from your address in a short time. Please wait a minute and try again."
        )
        response = render(request, "reporting/public_report.html", context, status=429)
        response["Retry-After"] = "60"
        return response
    try:
        start_on, end_on = parse_range(from_text, to_text)
    except DomainError as error:
        return render(request, "reporting/public_report.html", {**context, "error": error.detail}, status=400)
    street_key = str(street.pk) if street is not None else "-"
    key = public_cache.key("public-report", street_key, start_on.isoformat(), end_on.isoformat(), get_language())
    figures = cache.get(key)
    if figures is None:
        figures = _figures(start_on, end_on, street)
        cache.set(key, figures, settings.PUBLIC_CACHE_SECONDS)
    context.update(figures, end_is_future=end_on > today, today=today)
    return render(request, "reporting/public_report.html", context)


def _figures(start_on: dt.date, end_on: dt.date, street: Street | None) -> dict[str, Any]:
    """What the page shows of a street's range, computed from its tickets (what the cache keeps)."""
    report = build_report(start_on, end_on, street=street)
    months = report["months"]
    chart = {
        "months": [m["month"] for m in months],
        "city": [m["city"] for m in months],
        "district": [m["district"] for m in months],
        "response": [_num(m["response"]) for m in months],
        "resolution": [_num(m["resolution"]) for m in months],
        "satisfaction": [_num(m["satisfaction"]) for m in months],
    }
    return {
        "report": report,
        "paragraph": report_text(report),
        "categories": top_categories(start_on, end_on, street=street),
        "communities": by_community(start_on, end_on, street),
        "outlines": community_outlines(street),
        "chart": chart,
        "generated_at": clock.local(clock.now()),
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)

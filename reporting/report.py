"""The work report over any date range: the figures, the JSON of ``manage.py report`` and the
Chinese paragraph of a street's public work report ("…办理市、区诉求共计N件…").

Works on any range without the batch jobs: the counts come from the monthly tallies, which are
always exact (``reporting.tally``), and from the tickets of the range's partial months. The public page,
the report command and the Excel export all start from :func:`build_report`, so they always agree.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from intake.models import Category
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import CommunityArea, Street, Unit, UnitKind
from org.streets import street_named
from reporting import tally
from reporting.rates import RangeScore, percent, period_tickets, range_score

# A report covers at most this many days: enough for several years, and a bound on the work a
# public (anonymous) request can ask of the database.
MAX_REPORT_DAYS = 366 * 10


def parse_range(from_text: str | None, to_text: str | None) -> tuple[dt.date, dt.date]:
    """Two ISO dates (YYYY-MM-DD) -> dates; a clear DomainError for anything else."""
    dates = []
    for label, text in ((_("start"), from_text), (_("end"), to_text)):
        if not text:
            raise DomainError(ErrorCode.INVALID, _("Give the %(which)s date as YYYY-MM-DD.") % {"which": label})
        try:
            dates.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise DomainError(
                ErrorCode.INVALID,
                _("%(value)s is not a date; write the %(which)s date as YYYY-MM-DD, e.g. 2023-01-31.")
                % {"value": text, "which": label},
            ) from None
    start_on, end_on = dates
    check_range(start_on, end_on)
    return start_on, end_on


def check_range(start_on: dt.date, end_on: dt.date) -> None:
    if start_on > end_on:
        raise DomainError(
            ErrorCode.INVALID,
            _("The range starts (%(start)s) after it ends (%(end)s).")
            % {"start": start_on.isoformat(), "end": end_on.isoformat()},
        )
    if (end_on - start_on).days + 1 > MAX_REPORT_DAYS:
        raise DomainError(ErrorCode.INVALID, _("A report covers at most ten years."))


def find_unit(name: str, street: Street | None = None) -> Unit:
    """A unit of the street by name (unit names repeat across streets: docs/district.md)."""
    units = Unit.objects.filter(street=street) if street is not None else Unit.objects.all()
    try:
        return units.get(name=name.strip())
    except (Unit.DoesNotExist, Unit.MultipleObjectsReturned):
        known = ", ".join(units.order_by("kind", "sort_order", "name").values_list("name", flat=True))
        raise DomainError(
            ErrorCode.INVALID, _("Unknown unit %(name)s. Units: %(known)s") % {"name": name, "known": known}
        ) from None


def build_report(start_on: dt.date, end_on: dt.date, *, unit: Unit | None = None, street: Street | None = None) -> dict:
    """The report's figures (Decimals, already rounded half-up to two decimals).

    ``month_count`` is the number of months the range touches; ``months`` lists them (the rows of
    the JSON, the public page's table and charts and the workbook's street rows). Shares,
    averages and rates that would divide by zero are None.
    """
    check_range(start_on, end_on)
    street = street if street is not None else (unit.street if unit is not None else street_named(None))
    score: RangeScore = range_score(start_on, end_on, unit=unit, street=street)
    counts = score.counts
    days = (end_on - start_on).days + 1
    month_count = len(score.months)
    total, city = counts["total"], counts["city"]
    return {
        "from": start_on.isoformat(),
        "to": end_on.isoformat(),
        "unit": unit.name if unit else None,
        "street": street.name,
        "days": days,
        "month_count": month_count,
        "total": total,
        "by_source": {
            "city": {"count": city, "share": percent(city, total)},
            "district": {"count": counts["district"], "share": percent(counts["district"], total)},
        },
        "monthly_average": clock.half_up(Decimal(total) / month_count),
        "daily_average": clock.half_up(Decimal(total) / days),
        "counted": {"count": counts["counted"], "share_of_city": percent(counts["counted_city"], city)},
        "counted_city": counts["counted_city"],
        "rates": {
            "response": clock.half_up(score.response),
            "resolution": clock.half_up(score.resolution),
            "satisfaction": clock.half_up(score.satisfaction),
            "composite": clock.half_up(score.composite),
        },
        "pooled_rates": {
            "response": score.pooled_response,
            "resolution": score.pooled_resolution,
            "satisfaction": score.pooled_satisfaction,
        },
        "double_no": counts["double_no"],
        "months": [
            {
                "month": m.month.strftime("%Y-%m"),
                "total": m.counts["total"],
                "city": m.counts["city"],
                "district": m.counts["district"],
                "counted": m.counts["counted"],
                "response": clock.half_up(m.response),
                "resolution": clock.half_up(m.resolution),
                "satisfaction": clock.half_up(m.satisfaction),
                "composite": clock.half_up(m.composite),
                # beside the published keys: what the workbook's monthly table also shows
                "counts": m.counts,
                "adjustment": m.adjustment,
            }
            for m in score.months
        ],
    }


# --- JSON -----------------------------------------------------------------------------------------


def _encode(value: Any, indent: int, level: int) -> str:
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, list | tuple) and value and isinstance(value[0], tuple) and len(value[0]) == 2:
        # a list of (key, value) pairs: an object whose keys may repeat, in this order
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_encode(v, indent, level + 1)}" for k, v in value]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, dict):
        return _encode(list(value.items()), indent, level) if value else "{}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{_encode(v, indent, level + 1)}" for v in value) + f"\n{pad}]"
    if isinstance(value, Decimal):
        return str(value)  # a JSON number with its two decimals kept: 1100.00, 95.10
    return json.dumps(value, ensure_ascii=False)


# the keys of a monthly row in the JSON (build_report's rows carry the counts and adjustment besides)
MONTH_KEYS = ("month", "total", "city", "district", "counted", "response", "resolution", "satisfaction", "composite")


def report_json(report: dict, *, indent: int = 2) -> str:
    """The JSON of ``report --format json``: the keys of issue 4, in its order, each key once.

    Issue 4's shape named ``months`` twice (the number of months, then the list), and a JSON reader
    keeps only the last; the number is ``month_count`` and ``months`` is the list of monthly rows —
    the rows the public page's table and charts and the workbook's monthly table read too.
    Percentages and averages are numbers with exactly two decimals.
    """
    pairs = [
        ("from", report["from"]),
        ("to", report["to"]),
        ("days", report["days"]),
        ("month_count", report["month_count"]),
        ("total", report["total"]),
        ("by_source", report["by_source"]),
        ("monthly_average", report["monthly_average"]),
        ("daily_average", report["daily_average"]),
        ("counted", report["counted"]),
        ("rates", report["rates"]),
        ("pooled_rates", report["pooled_rates"]),
        ("double_no", report["double_no"]),
        ("months", [{key: month[key] for key in MONTH_KEYS} for month in report["months"]]),
    ]
    return _encode(pairs, indent, 0)


# --- the public work report paragraph -------------------------------------------------------------


def format_day(day: dt.date) -> str:
    return _("%(month)s/%(day)s/%(year)s") % {"year": day.year, "month": day.month, "day": day.day}


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}"


def report_text(report: dict) -> str:
    """The report as a paragraph of a street's public work report (Chinese by default)."""
    who = report["unit"] or report.get("street") or settings.REPORTING_STREET_NAME
    start_on, end_on = dt.date.fromisoformat(report["from"]), dt.date.fromisoformat(report["to"])
    period = _("From %(start)s to %(end)s (%(days)s days)") % {
        "start": format_day(start_on),
        "end": format_day(end_on),
        "days": report["days"],
    }
    if not report["total"]:
        return _(
            "%(period)s, %(who)s received no city or district requests, so there are no shares, averages or "
            "rates to report."
        ) % {"period": period, "who": who}
    city, district, counted = report["by_source"]["city"], report["by_source"]["district"], report["counted"]
    parts = [
        _(
            "%(period)s, %(who)s handled %(total)s city and district requests in all, of which %(city)s were "
            "dispatched directly by the city (%(city_share)s%%) and %(district)s forwarded by the district "
            "(%(district_share)s%%); %(monthly)s a month and %(daily)s a day on average."
        )
        % {
            "period": period,
            "who": who,
            "total": report["total"],
            "city": city["count"],
            "city_share": _pct(city["share"]),
            "district": district["count"],
            "district_share": _pct(district["share"]),
            "monthly": report["monthly_average"],
            "daily": report["daily_average"],
        }
    ]
    if counted["count"]:
        rates, pooled = report["rates"], report["pooled_rates"]
        parts.append(
            _(
                "%(counted)s requests were counted in the evaluation, %(counted_city)s of them dispatched directly "
                "by the city (%(counted_share)s%% of the city's direct dispatches); the average response rate was "
                "%(response)s%%, the average resolution rate "
                "%(resolution)s%% and the average satisfaction rate %(satisfaction)s%%, for an average composite "
                "score of %(composite)s points (over all counted requests together: response %(p_response)s%%, "
                "resolution %(p_resolution)s%%, satisfaction %(p_satisfaction)s%%)."
            )
            % {
                "counted": counted["count"],
                "counted_city": report["counted_city"],
                "counted_share": _pct(counted["share_of_city"]),
                "response": _pct(rates["response"]),
                "resolution": _pct(rates["resolution"]),
                "satisfaction": _pct(rates["satisfaction"]),
                "composite": _pct(rates["composite"]),
                "p_response": _pct(pooled["response"]),
                "p_resolution": _pct(pooled["resolution"]),
                "p_satisfaction": _pct(pooled["satisfaction"]),
            }
        )
        parts.append(
            _("%(double_no)s requests were neither resolved nor satisfied.") % {"double_no": report["double_no"]}
        )
    else:
        parts.append(_("No request of the period has been counted in the evaluation yet, so there are no rates."))
    # Chinese sentences end in "。" and follow each other without a space.
    separator = "" if (get_language() or "").startswith("zh") else " "
    return separator.join(parts)


def top_categories(
    start_on: dt.date, end_on: dt.date, *, unit: Unit | None = None, limit: int = 8, street: Street | None = None
) -> list[dict]:
    """The most frequent categories of the range with their counts and shares (no ticket content)."""
    if unit is None and tally.in_use():
        # the street's monthly breakdown (reporting.tally); a unit's come from its tickets
        counts = tally.breakdown(start_on, end_on, street_ids=_ids(street), dimension="category")
        # the names in the database's order (its collation breaks ties, as the query below does)
        named = Category.objects.filter(pk__in=[pk for pk in counts if pk is not None]).order_by("name")
        by_name: dict[str, int] = {}
        for pk, name in named.values_list("pk", "name"):
            by_name[name] = by_name.get(name, 0) + counts[pk]
        place = {name: i for i, name in enumerate(by_name)}
        whole = sum(counts.values())
        ordered = sorted(by_name.items(), key=lambda item: (-item[1], place[item[0]]))[:limit]
        return [{"name": name, "count": count, "share": percent(count, whole)} for name, count in ordered]
    tickets = period_tickets(start_on, end_on, unit=unit, street=street)
    total = tickets.count()
    rows = (
        tickets.filter(category__isnull=False)
        .values("category__name")
        .annotate(count=Count("id"))
        .order_by("-count", "category__name")[:limit]
    )
    return [{"name": r["category__name"], "count": r["count"], "share": percent(r["count"], total)} for r in rows]


def _ids(street: Street | None) -> list[int] | None:
    return [street.pk] if street is not None else None


def by_community(start_on: dt.date, end_on: dt.date, street: Street | None = None) -> list[dict]:
    """The range's tickets counted by community — where the ticket's place lies, else the community
    the upstream named — for the public report: counts only, never a point (docs/geography.md)."""
    if tally.in_use():
        counts = tally.breakdown(start_on, end_on, street_ids=_ids(street), dimension="community")
    else:
        rows = (
            period_tickets(start_on, end_on, street=street)
            .annotate(where=Coalesce("place_community", "community"))
            .values("where")
            .annotate(count=Count("id"))
        )
        counts = {r["where"]: r["count"] for r in rows}
    communities = Unit.objects.filter(kind=UnitKind.COMMUNITY).order_by("sort_order", "name")
    if street is not None:
        communities = communities.filter(street=street)
    listed = [{"name": c.name, "count": counts.get(c.pk, 0)} for c in communities]
    unplaced = counts.get(None, 0)
    return listed + ([{"name": None, "count": unplaced}] if unplaced else [])


def community_outlines(street: Street | None = None) -> dict:
    """The communities' boundaries only (no grid cells, no grid workers), for the public map."""
    areas = CommunityArea.objects.select_related("community")
    if street is not None:
        areas = areas.filter(community__street=street)
    features = [
        {"type": "Feature", "properties": {"name": area.community.name}, "geometry": area.boundary} for area in areas
    ]
    return {"type": "FeatureCollection", "features": features}

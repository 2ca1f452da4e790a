"""The report pages the benchmarks time (bench/city_bench.py, bench/summary_bench.py), each for a range
of dates: the public report as an anonymous visitor (a new cache generation first, so the figures are
computed, not served from the cache), the district league as the demo district reader, and the report
command's JSON. Import after ``django.setup()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

from django.core.management import call_command
from django.test import Client

from jxq_cases.lib import public_cache
from org.models import User


def report_pages() -> tuple[tuple[str, Callable[[dt.date, dt.date], None]], ...]:
    """(name, page(start_on, end_on)) of each page; a page that does not answer 200 raises."""
    public, district = Client(), Client()
    district.force_login(User.objects.get(username="district"))

    def public_report(start_on: dt.date, end_on: dt.date) -> None:
        public_cache.figures_changed()
        response = public.get("/report/public/", {"from": start_on.isoformat(), "to": end_on.isoformat()})
        assert response.status_code == 200, response.status_code

    def district_league(start_on: dt.date, end_on: dt.date) -> None:
        response = district.get("/district/", {"from": f"{start_on:%Y-%m}", "to": f"{end_on:%Y-%m}"})
        assert response.status_code == 200, response.status_code

    def report_json(start_on: dt.date, end_on: dt.date) -> None:
        call_command(
            "report", "--from", start_on.isoformat(), "--to", end_on.isoformat(), "--format", "json", stdout=StringIO()
        )

    return (("public report", public_report), ("district league", district_league), ("report json", report_json))

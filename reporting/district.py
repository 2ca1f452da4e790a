"""The district's league of streets (区级排名, docs/district.md): every street of a district by the
three rates and the composite, as the city publishes them, with each street's own units below it.

Rules (the same as ``reporting.rates`` for units):

- A street's figures are its own tickets' (``Ticket.street``); sent-back and merged tickets count
  nowhere; a month's rates are rounded to the policy's decimals before they are weighted.
- Over several months a street's rate is the mean of its monthly rates (months without counted
  tickets have no rate and are left out), and its composite the mean of its monthly composites.
- The league counts no bonus or deduction: the city's points are recorded per unit or for "the
  street" (a unit-less adjustment), which is not yet per street (docs/district.md, "Not yet").
- Ranked by composite, ties broken by resolution, then satisfaction, then counted tickets; streets
  still equal share a rank (1, 2, 2, 4). A street without counted tickets is listed apart.

One grouped query (street × month) gives the streets; one more (lead unit × month) their units;
the district's units, the policies and the range's adjustments are read once for every street, so
the page's queries do not grow with the number of streets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from intake.models import GONE, Ticket
from jxq_cases.lib import clock
from jxq_cases.lib.spreadsheet import text_cell, text_row
from org.models import District, Street, Unit
from reporting import tally
from reporting.models import ScoringPolicy
from reporting.rates import (
    PolicyBook,
    RangeScore,
    Ranking,
    adjustments_between,
    monthly_measures,
    range_score,
    unit_ranking,
)

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


@dataclass
class StreetStanding:
    street_id: int
    street_name: str
    score: RangeScore
    rank: int | None = None
    units: Ranking | None = None

    def sort_key(self) -> tuple[Decimal, Decimal | int, Decimal | int, int]:
        s = self.score
        assert s.composite is not None  # only scored streets are ranked
        return (-s.composite, -(s.resolution or 0), -(s.satisfaction or 0), -s.counts["counted"])


@dataclass
class League:
    district: District
    start_on: dt.date
    end_on: dt.date
    ranked: list[StreetStanding] = field(default_factory=list)
    apart: list[StreetStanding] = field(default_factory=list)

    def standing_of(self, street_id: int) -> StreetStanding | None:
        return next((s for s in self.ranked + self.apart if s.street_id == street_id), None)


def _district_tickets(district: District, start_on: dt.date, end_on: dt.date) -> QuerySet[Ticket]:
    start_at, end_at = clock.range_bounds(start_on, end_on)
    return Ticket.objects.filter(street__district=district, received_at__gte=start_at, received_at__lt=end_at).exclude(
        status__in=GONE
    )


def _grouped(district: District, start_on: dt.date, end_on: dt.date, key: str, streets: list[Street]) -> list[dict]:
    if tally.in_use():  # the streets' tallies (reporting.tally)
        return tally.month_counts(start_on, end_on, street_ids=[s.pk for s in streets], keys=[key])
    return monthly_measures(_district_tickets(district, start_on, end_on), key)


def district_league(district: District, start_on: dt.date, end_on: dt.date, *, with_units: bool = True) -> League:
    """The league of the district's streets over the range (local dates, inclusive)."""
    streets = list(Street.objects.filter(district=district).order_by("name"))
    rows_by_street: dict[int, list[dict]] = defaultdict(list)
    for row in _grouped(district, start_on, end_on, "street_id", streets):
        rows_by_street[row["street_id"]].append(row)
    unit_rows: dict[int, list[dict]] = defaultdict(list)
    units_of: dict[int, list[Unit]] = defaultdict(list)
    adjustments: dict = {}
    if with_units:
        # every street's units and the range's adjustments read once, for every street's table
        units = list(Unit.objects.filter(street__district=district))
        unit_street = {unit.pk: unit.street_id for unit in units}
        for unit in units:
            units_of[unit.street_id].append(unit)
        for row in _grouped(district, start_on, end_on, "lead_unit_id", streets):
            if row["lead_unit_id"] is not None:
                unit_rows[unit_street[row["lead_unit_id"]]].append(row)
        adjustments = adjustments_between(start_on, end_on)
    league = League(district, start_on, end_on)
    # the default policies and the district's streets' own, read once
    known = list(ScoringPolicy.objects.filter(Q(street__isnull=True) | Q(street__district=district)))
    for street in streets:
        # the street's own policy in effect, else the default (PolicyBook's rule)
        policies = PolicyBook([p for p in known if p.street_id in (None, street.pk)])
        score = range_score(
            start_on, end_on, rows=rows_by_street.get(street.pk, []), policies=policies, adjustments={}, street=street
        )
        standing = StreetStanding(street.pk, street.name, score)
        if with_units:
            standing.units = unit_ranking(
                start_on,
                end_on,
                policies=policies,
                rows=unit_rows.get(street.pk, []),
                street=street,
                units=units_of[street.pk],
                adjustments=adjustments,
            )
        if score.composite is not None:
            league.ranked.append(standing)
        else:
            league.apart.append(standing)
    league.ranked.sort(key=lambda s: (*s.sort_key(), s.street_name))
    previous_key, previous_rank = None, 0
    for position, standing in enumerate(league.ranked, start=1):
        key = standing.sort_key()
        standing.rank = previous_rank if key == previous_key else position
        previous_key, previous_rank = key, standing.rank
    return league


def district_rank(street: Street | None, on: dt.date) -> dict | None:
    """The street's place in its district's league, month to date as of ``on``: ``{"rank", "of",
    "district", "composite"}``; None for no street, or a street not ranked (nothing counted yet)."""
    if street is None:
        return None
    league = district_league(street.district, clock.month_start(on), on, with_units=False)
    standing = league.standing_of(street.pk)
    if standing is None or standing.rank is None:
        return None
    return {
        "rank": standing.rank,
        "of": len(league.ranked),
        "district": street.district.name,
        "composite": standing.score.composite,
    }


def visible_districts(street_ids: set[int]) -> list[District]:
    """The districts of these streets (a district role's: its own)."""
    return list(District.objects.filter(Q(streets__id__in=street_ids)).distinct().order_by("name"))


# --- the Excel workbook ---------------------------------------------------------------------------


def _value(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def write_league_workbook(league: League, target: str | IO[bytes]) -> None:
    """The league as a workbook: the streets (rank, counts, the three rates, the composite), then each
    street's units. Every text cell is inert (``jxq_cases.lib.spreadsheet``): a street or unit name
    that looks like a formula stays text."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: WriteOnlyWorksheet, titles: list[str]) -> None:
        cells = []
        for title in titles:
            cell = text_cell(sheet, title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    rates = [_("Counted"), _("Response rate"), _("Resolution rate"), _("Satisfaction rate"), _("Composite score")]
    streets = book.create_sheet(_("Streets"))
    header(streets, [_("Rank"), _("Street"), _("Tickets"), *rates])
    for standing in league.ranked + league.apart:
        s = standing.score
        streets.append(
            text_row(
                streets,
                [
                    standing.rank,
                    standing.street_name,
                    s.counts["total"],
                    s.counts["counted"],
                    _value(s.response),
                    _value(s.resolution),
                    _value(s.satisfaction),
                    _value(s.composite),
                ],
            )
        )
    units = book.create_sheet(_("Units"))
    header(units, [_("Street"), _("Rank"), _("Unit"), _("Tickets"), *rates])
    for standing in league.ranked + league.apart:
        if standing.units is None:
            continue
        for unit in standing.units.ranked + standing.units.apart:
            s = unit.score
            units.append(
                text_row(
                    units,
                    [
                        standing.street_name,
                        unit.rank,
                        unit.unit_name,
                        s.counts["total"],
                        s.counts["counted"],
                        _value(s.response),
                        _value(s.resolution),
                        _value(s.satisfaction),
                        _value(s.composite),
                    ],
                )
            )
    book.save(target)

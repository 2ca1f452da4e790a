"""The three rates and the composite score (docs/domain.md §4), counted in the database.

Rules, in one place:

- A ticket belongs to the month of its ``received_at`` in the street's time zone: 00:00 on the 1st
  local time is the new month. A date range ``start_on..end_on`` is inclusive, in local dates
  (``jxq_cases.lib.clock`` keeps the calendar).
- Sent-back (退单) and merged tickets are no longer the street's: they are in no figure.
- Counted (纳入考评) = the latest return visit is counted and no exclusion was approved.
  response = responded / counted, resolution = resolved / counted, satisfaction = satisfied / counted.
- Counted share = counted city-direct tickets / city-direct tickets (the city evaluates its own
  dispatches; docs/domain.md §4's counted / city-direct, which it equals when only those are counted, and
  never above 100% when district tickets are counted too).
- Double-no (双否) = a counted ticket neither resolved nor satisfied.
- Every figure is attributed to the unit that led the ticket (``lead_unit``).
- A street's figures are its own tickets' (``street``); without a street every ticket counts, which
  is the street's in a single-street database (docs/district.md). The jobs, pages and commands
  always name the street.
- Percentages are Decimals rounded half-up (97.005 -> 97.01); ``clock.half_up`` is the only
  rounding in the reports.
- A month's rates are rounded to the policy's decimals before they are weighted (the city publishes
  rounded rates); composite = w_r·response + w_s·resolution + w_m·satisfaction + bonus − deductions.
- Over several months the headline rate is the mean of the monthly rates (months without counted
  tickets have no rate and are left out of the mean); the pooled rate over all counted tickets is
  reported beside it.

All counting is one grouped query with conditional aggregation; Python only combines the few
unit-by-month rows it returns. On PostgreSQL that query reads the monthly tallies, which a trigger
keeps exact (``reporting.tally``); :func:`raw_month_counts` counts the tickets themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from intake.models import GONE, Source, Ticket
from jxq_cases.lib import clock
from org.models import Street, Unit
from reporting import tally
from reporting.models import DEFAULT_POLICY, ScoreAdjustment, ScoringPolicy

HUNDRED = Decimal(100)

COUNTED = Q(visit_counted=True, is_excluded=False)
DOUBLE_NO = COUNTED & Q(visit_resolved=False, visit_satisfied=False)

# The counts every report is made of, as conditional aggregates (COUNT(*) FILTER (WHERE ...)).
MEASURES = {
    "total": Count("id"),
    "city": Count("id", filter=Q(source=Source.CITY)),
    "district": Count("id", filter=Q(source=Source.DISTRICT)),
    "counted": Count("id", filter=COUNTED),
    "counted_city": Count("id", filter=COUNTED & Q(source=Source.CITY)),
    "responded": Count("id", filter=COUNTED & Q(visit_contacted=True)),
    "resolved": Count("id", filter=COUNTED & Q(visit_resolved=True)),
    "satisfied": Count("id", filter=COUNTED & Q(visit_satisfied=True)),
    "double_no": Count("id", filter=DOUBLE_NO),
}
COUNT_KEYS = tuple(MEASURES)


# --- percentages -----------------------------------------------------------------------------------


def percent(part: int, whole: int, decimals: int = 2) -> Decimal | None:
    """``part / whole`` in percent, rounded half-up; None when there is nothing to divide by."""
    if not whole:
        return None
    return clock.half_up(Decimal(part) * HUNDRED / Decimal(whole), decimals)


def mean(values: Iterable[Decimal | None], decimals: int = 2) -> Decimal | None:
    """The mean of the values that exist, rounded half-up; None when none exists."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return clock.half_up(sum(present, Decimal(0)) / len(present), decimals)


# --- the tickets and their counts -----------------------------------------------------------------


def period_tickets(
    start_on: dt.date, end_on: dt.date, *, unit: Unit | None = None, street: Street | None = None
) -> QuerySet[Ticket]:
    """The street's tickets received in the range (local dates, inclusive), optionally one lead
    unit's."""
    start_at, end_at = clock.range_bounds(start_on, end_on)
    tickets = Ticket.objects.filter(received_at__gte=start_at, received_at__lt=end_at).exclude(status__in=GONE)
    if street is not None:
        tickets = tickets.filter(street=street)
    if unit is not None:
        tickets = tickets.filter(lead_unit=unit)
    return tickets


def month_counts(
    start_on: dt.date,
    end_on: dt.date,
    *,
    unit: Unit | None = None,
    by_unit: bool = False,
    street: Street | None = None,
) -> list[dict]:
    """The counts of :data:`MEASURES` per month (and per lead unit with ``by_unit``), one query: from
    the monthly tallies on PostgreSQL (``reporting.tally``), else from the tickets.

    Rows: ``{"month": date, ["lead_unit_id": id,] "total": n, "city": n, ...}``; months and units
    without tickets have no row.
    """
    keys = ["lead_unit_id"] if by_unit else []
    if tally.in_use():
        # the monthly tallies, exactly these counts at a fraction of the cost (reporting.tally)
        street_ids = [street.pk] if street is not None else None
        return tally.month_counts(
            start_on, end_on, street_ids=street_ids, unit_id=unit.pk if unit is not None else None, keys=keys
        )
    return raw_month_counts(start_on, end_on, unit=unit, by_unit=by_unit, street=street)


def raw_month_counts(
    start_on: dt.date,
    end_on: dt.date,
    *,
    unit: Unit | None = None,
    by_unit: bool = False,
    street: Street | None = None,
) -> list[dict]:
    """:func:`month_counts` straight from the tickets (what the tallies must always equal)."""
    keys = ["lead_unit_id"] if by_unit else []
    return monthly_measures(period_tickets(start_on, end_on, unit=unit, street=street), *keys)


def monthly_measures(tickets: QuerySet[Ticket], *keys: str) -> list[dict]:
    """The counts of :data:`MEASURES` of ``tickets`` per month received (and per ``keys``), one query;
    each row's ``month`` is the first day of its month on the street's clock."""
    rows = (
        tickets.annotate(month=clock.trunc_month("received_at")).values(*keys, "month").annotate(**MEASURES).order_by()
    )
    result = []
    for row in rows:
        row["month"] = clock.period_start(row["month"])
        result.append(row)
    return result


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def add_counts(into: dict[str, int], row: dict) -> dict[str, int]:
    for key in COUNT_KEYS:
        into[key] += row[key]
    return into


# --- policies and adjustments ---------------------------------------------------------------------


class PolicyBook:
    """The scoring policies, loaded once: ``for_month(m)`` is the policy in effect on m's 1st day.

    With ``street``: the street's own policies, where one is in effect, else the defaults (the
    policies without a street: the district's); without, the defaults only."""

    def __init__(self, policies: Iterable[ScoringPolicy] | None = None, *, street: Street | None = None):
        if policies is None:
            mine = Q(street__isnull=True) | Q(street=street) if street is not None else Q(street__isnull=True)
            policies = ScoringPolicy.objects.filter(mine).order_by("effective_from")
        loaded = list(policies)
        self.policies = sorted(loaded, key=lambda p: (p.street_id is not None, p.effective_from))

    def for_month(self, month: dt.date) -> ScoringPolicy:
        current = None
        for policy in self.policies:  # the defaults first, then the street's own (which win)
            if policy.effective_from <= month:
                current = policy
        if current is None:
            # Only possible when an admin deleted the default policy: fall back to docs/domain.md §4's weights.
            current = ScoringPolicy(**DEFAULT_POLICY)
        return current


def adjustments_between(start_on: dt.date, end_on: dt.date) -> dict[tuple[int | None, dt.date], Decimal]:
    """Net points (bonus − deductions) per (unit id or None for the street, month), summed in SQL."""
    rows = (
        ScoreAdjustment.objects.filter(month__gte=clock.month_start(start_on), month__lte=end_on)
        .values("unit_id", "month")
        .annotate(
            bonus=Sum("points", filter=Q(kind=ScoreAdjustment.Kind.BONUS)),
            deduction=Sum("points", filter=Q(kind=ScoreAdjustment.Kind.DEDUCTION)),
        )
        .order_by()
    )
    return {
        (row["unit_id"], row["month"]): (row["bonus"] or Decimal(0)) - (row["deduction"] or Decimal(0)) for row in rows
    }


# --- scores ---------------------------------------------------------------------------------------


@dataclass
class MonthScore:
    """One month's counts, rates and composite for the street or one unit."""

    month: dt.date
    counts: dict[str, int]
    policy: ScoringPolicy
    adjustment: Decimal = Decimal(0)
    response: Decimal | None = field(init=False)
    resolution: Decimal | None = field(init=False)
    satisfaction: Decimal | None = field(init=False)
    composite: Decimal | None = field(init=False)

    def __post_init__(self) -> None:
        places = self.policy.decimals
        counted = self.counts["counted"]
        self.response = percent(self.counts["responded"], counted, places)
        self.resolution = percent(self.counts["resolved"], counted, places)
        self.satisfaction = percent(self.counts["satisfied"], counted, places)
        if counted:
            # a counted ticket gives every rate a value
            assert self.response is not None and self.resolution is not None and self.satisfaction is not None
            weighted = (
                self.policy.w_response * self.response
                + self.policy.w_resolution * self.resolution
                + self.policy.w_satisfaction * self.satisfaction
            )
            self.composite = clock.half_up(weighted + self.adjustment, places)
        else:
            # No counted ticket, no score: a bonus alone does not make a month's score.
            self.composite = None


@dataclass
class RangeScore:
    """A range of months: the monthly scores, their means (the headline) and the pooled rates."""

    start_on: dt.date
    end_on: dt.date
    months: list[MonthScore]
    counts: dict[str, int]
    response: Decimal | None
    resolution: Decimal | None
    satisfaction: Decimal | None
    composite: Decimal | None
    pooled_response: Decimal | None
    pooled_resolution: Decimal | None
    pooled_satisfaction: Decimal | None

    @classmethod
    def of(cls, start_on: dt.date, end_on: dt.date, months: list[MonthScore]) -> RangeScore:
        counts = empty_counts()
        for score in months:
            add_counts(counts, score.counts)
        return cls(
            start_on=start_on,
            end_on=end_on,
            months=months,
            counts=counts,
            response=mean(m.response for m in months),
            resolution=mean(m.resolution for m in months),
            satisfaction=mean(m.satisfaction for m in months),
            composite=mean(m.composite for m in months),
            pooled_response=percent(counts["responded"], counts["counted"]),
            pooled_resolution=percent(counts["resolved"], counts["counted"]),
            pooled_satisfaction=percent(counts["satisfied"], counts["counted"]),
        )


def range_score(
    start_on: dt.date,
    end_on: dt.date,
    *,
    unit: Unit | None = None,
    rows: list[dict] | None = None,
    policies: PolicyBook | None = None,
    adjustments: dict | None = None,
    street: Street | None = None,
) -> RangeScore:
    """The street's (or one unit's) score over a range; every month of the range has an entry."""
    if rows is None:
        rows = month_counts(start_on, end_on, unit=unit, street=street)
    policies = policies or PolicyBook(street=street if street is not None else (unit.street if unit else None))
    adjustments = adjustments_between(start_on, end_on) if adjustments is None else adjustments
    by_month = {row["month"]: row for row in rows}
    adjustment_key = unit.pk if unit is not None else None
    months = [
        MonthScore(
            month=month,
            counts={key: by_month.get(month, {}).get(key, 0) for key in COUNT_KEYS},
            policy=policies.for_month(month),
            adjustment=adjustments.get((adjustment_key, month), Decimal(0)),
        )
        for month in clock.months_between(start_on, end_on)
    ]
    return RangeScore.of(start_on, end_on, months)


# --- unit league table (internal attribution) -----------------------------------------------------


@dataclass
class UnitStanding:
    unit_id: int
    unit_name: str
    unit_kind: str
    score: RangeScore
    rank: int | None = None

    def sort_key(self) -> tuple[Decimal, Decimal | int, Decimal | int, int]:
        s = self.score
        assert s.composite is not None  # only scored units are ranked
        return (-s.composite, -(s.resolution or 0), -(s.satisfaction or 0), -s.counts["counted"])


def _scored_units(
    start_on: dt.date,
    end_on: dt.date,
    *,
    policies: PolicyBook,
    rows: list[dict] | None,
    street: Street | None,
    units: Iterable[Unit] | None,
    adjustments: dict[tuple[int | None, dt.date], Decimal] | None,
) -> list[tuple[Unit, RangeScore]]:
    if rows is None:
        rows = month_counts(start_on, end_on, by_unit=True, street=street)
    if adjustments is None:
        adjustments = adjustments_between(start_on, end_on)
    rows_by_unit: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["lead_unit_id"] is not None:  # not dispatched yet: attributed to nobody
            rows_by_unit[row["lead_unit_id"]].append(row)
    if units is None:
        found = Unit.objects.filter(Q(is_active=True) | Q(pk__in=list(rows_by_unit)))
        units = found.filter(street=street) if street is not None else found
    else:  # the caller's units (one street's), read already: the same rule, in Python
        units = [unit for unit in units if unit.is_active or unit.pk in rows_by_unit]
    return [
        (
            unit,
            range_score(
                start_on,
                end_on,
                unit=unit,
                rows=rows_by_unit.get(unit.pk, []),
                policies=policies,
                adjustments=adjustments,
            ),
        )
        for unit in units
    ]


def unit_scores(
    start_on: dt.date,
    end_on: dt.date,
    *,
    policies: PolicyBook | None = None,
    rows: list[dict] | None = None,
    street: Street | None = None,
) -> dict[int, RangeScore]:
    """Every lead unit's score over the range from ONE grouped query (unit × month); with ``street``
    the street's own units only."""
    policies = policies or PolicyBook(street=street)
    scored = _scored_units(start_on, end_on, policies=policies, rows=rows, street=street, units=None, adjustments=None)
    return {unit.pk: score for unit, score in scored}


@dataclass
class Ranking:
    start_on: dt.date
    end_on: dt.date
    min_counted: int
    ranked: list[UnitStanding]
    apart: list[UnitStanding]  # fewer counted tickets than the minimum: listed, not ranked


def unit_ranking(
    start_on: dt.date,
    end_on: dt.date,
    *,
    policies: PolicyBook | None = None,
    rows: list[dict] | None = None,
    street: Street | None = None,
    units: Iterable[Unit] | None = None,
    adjustments: dict[tuple[int | None, dt.date], Decimal] | None = None,
) -> Ranking:
    """The street's own league table of its units over the range.

    Ranked by composite (the mean of the monthly composites), ties broken by resolution, then
    satisfaction, then volume (counted tickets); units still equal share a rank (1, 2, 2, 4).
    A unit with fewer counted tickets in the range than the policy's minimum (the policy of the
    range's last month) is listed apart, so one lucky ticket does not make a unit first.
    ``rows`` may be unit × month counts of this exact range, already fetched; ``units`` the street's
    units and ``adjustments`` the range's (``adjustments_between``), read already (the district's
    league reads them once for every street: no query here then).
    """
    policies = policies or PolicyBook(street=street)
    min_counted = policies.for_month(clock.month_start(end_on)).min_counted_to_rank
    scored = _scored_units(
        start_on, end_on, policies=policies, rows=rows, street=street, units=units, adjustments=adjustments
    )
    ranked, apart = [], []
    for unit, score in scored:
        standing = UnitStanding(unit.pk, unit.name, unit.kind, score)
        if score.counts["counted"] >= min_counted and score.composite is not None:
            ranked.append(standing)
        else:
            apart.append(standing)
    ranked.sort(key=lambda s: (*s.sort_key(), s.unit_name))
    previous_key, previous_rank = None, 0
    for position, standing in enumerate(ranked, start=1):
        key = standing.sort_key()
        standing.rank = previous_rank if key == previous_key else position
        previous_key, previous_rank = key, standing.rank
    apart.sort(key=lambda s: (-s.score.counts["counted"], -s.score.counts["total"], s.unit_name))
    return Ranking(start_on, end_on, min_counted, ranked, apart)

"""The street's clock and calendar, and the one rounding rule: the time vocabulary of every app.

Rules (docs/domain.md §4):

- The street keeps Beijing time, ``settings.TIME_ZONE``. Its dates, days, weeks and months are read
  in that zone whatever zone a request or a worker has activated.
- A ``*_start`` / ``*_end`` is a local date, both ends inclusive; a ``*_bounds`` is the same period
  as aware datetimes, half open: ``[first day 00:00, day after the last 00:00)``.
- A week is an ISO week, Monday to Sunday.
- A month starts at 00:00 on the 1st, local time: 1 February 00:00 Beijing time is February.
- Figures round half up to two places (97.005 -> 97.01), never to even.

Only this module names the zone; queries group by it through :func:`trunc_day`, :func:`trunc_week`
and :func:`trunc_month`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

STREET_TZ = ZoneInfo(settings.TIME_ZONE)

Bounds = tuple[dt.datetime, dt.datetime]


# --- moments ----------------------------------------------------------------------------------------


def now() -> dt.datetime:
    """The current moment, aware (UTC)."""
    return timezone.now()


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` on the street's wall clock; a naive datetime is refused, not guessed."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(STREET_TZ)


def local_date(moment: dt.datetime) -> dt.date:
    """The street's date at ``moment``."""
    return local(moment).date()


def today() -> dt.date:
    """The street's date now."""
    return local_date(now())


def at_local(day: dt.date, wall_time: dt.time = dt.time.min) -> dt.datetime:
    """The aware moment of ``day`` at ``wall_time`` on the street's clock (midnight by default)."""
    return dt.datetime.combine(day, wall_time.replace(tzinfo=None), tzinfo=STREET_TZ)


def assume_local(moment: dt.datetime) -> dt.datetime:
    """A naive datetime read as the street's wall clock; an aware one is returned unchanged."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=STREET_TZ)


# --- periods: local dates (inclusive) and their aware bounds (half open) ----------------------------


def range_bounds(start_on: dt.date, end_on: dt.date) -> Bounds:
    """``[start_on 00:00, end_on + 1 day 00:00)`` local time: the inclusive dates as aware datetimes."""
    return at_local(start_on), at_local(end_on + dt.timedelta(days=1))


def day_bounds(day: dt.date) -> Bounds:
    """``[day 00:00, next day 00:00)`` local time."""
    return range_bounds(day, day)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_end(day: dt.date) -> dt.date:
    """The Sunday of ``day``'s ISO week."""
    return week_start(day) + dt.timedelta(days=6)


def week_bounds(day: dt.date) -> Bounds:
    """``day``'s ISO week, Monday 00:00 to the next Monday 00:00, local time."""
    return range_bounds(week_start(day), week_end(day))


def weeks_between(start_on: dt.date, end_on: dt.date) -> list[dt.date]:
    """The Mondays of every ISO week the range touches, in order."""
    return list(_steps(week_start(start_on), end_on, lambda monday: monday + dt.timedelta(days=7)))


def month_start(day: dt.date) -> dt.date:
    """The 1st of ``day``'s month."""
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The 1st of the month after ``day``'s."""
    return (month_start(day).replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return next_month(day) - dt.timedelta(days=1)


def month_bounds(day: dt.date) -> Bounds:
    """``day``'s month, the 1st 00:00 to the next 1st 00:00, local time."""
    return range_bounds(month_start(day), month_end(day))


def months_between(start_on: dt.date, end_on: dt.date) -> list[dt.date]:
    """The 1st of every month the range touches, in order."""
    return list(_steps(month_start(start_on), end_on, next_month))


def _steps(first: dt.date, last: dt.date, step) -> Iterator[dt.date]:
    current = first
    while current <= last:
        yield current
        current = step(current)


# --- grouping in SQL ----------------------------------------------------------------------------------


def trunc_day(field: str) -> TruncDate:
    """The street's date of a datetime column, for ``annotate`` / ``values``."""
    return TruncDate(field, tzinfo=STREET_TZ)


def trunc_week(field: str) -> TruncWeek:
    """The start of the street's ISO week of a datetime column (read it with :func:`period_start`)."""
    return TruncWeek(field, tzinfo=STREET_TZ)


def trunc_month(field: str) -> TruncMonth:
    """The start of the street's month of a datetime column (read it with :func:`period_start`)."""
    return TruncMonth(field, tzinfo=STREET_TZ)


def period_start(value: dt.datetime | dt.date) -> dt.date:
    """A truncated week or month as the local date it starts on: the database hands back an aware
    datetime (PostgreSQL) or already a date."""
    return local_date(value) if isinstance(value, dt.datetime) else value


# --- rounding -------------------------------------------------------------------------------------------


def half_up(value: Decimal | int | float | str | None, places: int = 2) -> Decimal | None:
    """``value`` rounded half up to ``places`` decimals (97.005 -> 97.01, 0.125 -> 0.13, -0.125 ->
    -0.13); None stays None. A float is read as it is written (97.005, not its binary neighbour
    97.00499…)."""
    if value is None:
        return None
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

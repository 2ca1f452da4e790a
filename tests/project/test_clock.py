"""The street's clock (jxq_cases/lib/clock.py): Beijing time whatever zone is active, local dates,
half-open bounds, ISO weeks from Monday, months from 00:00 on the 1st, and half-up rounding."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.utils import timezone

from jxq_cases.lib import clock

UTC = dt.UTC
HOURS_8 = dt.timedelta(hours=8)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_the_street_keeps_beijing_time_from_the_settings():
    assert clock.STREET_TZ.key == settings.TIME_ZONE == "Asia/Shanghai"
    assert clock.local(utc(2023, 1, 31, 16, 0)).utcoffset() == HOURS_8


def test_the_local_date_turns_at_midnight_beijing_time_not_utc():
    last_minute, midnight = utc(2023, 1, 31, 15, 59, 59), utc(2023, 1, 31, 16, 0)
    assert clock.local_date(last_minute) == dt.date(2023, 1, 31)
    assert clock.local_date(midnight) == dt.date(2023, 2, 1)  # still 31 January in UTC


def test_an_activated_zone_does_not_move_the_streets_dates():
    with timezone.override(UTC):
        assert clock.local(utc(2023, 1, 31, 16, 0)).utcoffset() == HOURS_8
        assert clock.today() == clock.local_date(timezone.now()) == (timezone.now() + HOURS_8).date()


def test_a_naive_datetime_is_refused_not_guessed():
    with pytest.raises(ValueError, match="no time zone"):
        clock.local(dt.datetime(2023, 2, 1, 0, 0))


def test_a_naive_wall_clock_time_is_read_as_beijing_time():
    assert clock.assume_local(dt.datetime(2023, 2, 1, 0, 0)) == utc(2023, 1, 31, 16, 0)
    aware = utc(2023, 2, 1, 0, 0)
    assert clock.assume_local(aware) is aware
    assert clock.at_local(dt.date(2023, 2, 1), dt.time(9, 30)) == utc(2023, 2, 1, 1, 30)


def test_day_bounds_are_local_midnight_to_local_midnight_half_open():
    start, end = clock.day_bounds(dt.date(2023, 2, 1))
    assert (start, end) == (utc(2023, 1, 31, 16, 0), utc(2023, 2, 1, 16, 0))
    assert start <= utc(2023, 1, 31, 16, 0) < end  # 00:00 Beijing time is the day's first moment
    assert not utc(2023, 2, 1, 16, 0) < end  # the next day's 00:00 is not in it


def test_a_range_of_dates_is_inclusive():
    assert clock.range_bounds(dt.date(2023, 1, 1), dt.date(2023, 1, 31)) == (
        utc(2022, 12, 31, 16, 0),
        utc(2023, 1, 31, 16, 0),
    )


def test_one_february_midnight_beijing_time_is_february():
    first_moment = utc(2023, 1, 31, 16, 0)  # 2023-02-01 00:00 in Beijing
    assert clock.month_start(clock.local_date(first_moment)) == dt.date(2023, 2, 1)
    assert clock.month_bounds(dt.date(2023, 2, 14))[0] == first_moment
    assert clock.month_bounds(dt.date(2023, 1, 14))[1] == first_moment
    assert clock.month_start(clock.local_date(first_moment - dt.timedelta(microseconds=1))) == dt.date(2023, 1, 1)


def test_months():
    assert clock.month_end(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    assert clock.next_month(dt.date(2023, 12, 31)) == dt.date(2024, 1, 1)
    assert clock.months_between(dt.date(2022, 11, 30), dt.date(2023, 2, 1)) == [
        dt.date(2022, 11, 1),
        dt.date(2022, 12, 1),
        dt.date(2023, 1, 1),
        dt.date(2023, 2, 1),
    ]


@pytest.mark.parametrize(
    "day",
    [dt.date(2024, 12, 30), dt.date(2025, 1, 1), dt.date(2025, 1, 5)],  # Monday, Wednesday, Sunday
)
def test_a_week_is_the_iso_week_from_monday(day):
    assert clock.week_start(day) == dt.date(2024, 12, 30)
    assert clock.week_end(day) == dt.date(2025, 1, 5)
    assert clock.week_start(day).isocalendar()[:2] == day.isocalendar()[:2] == (2025, 1)
    assert clock.week_bounds(day) == (utc(2024, 12, 29, 16, 0), utc(2025, 1, 5, 16, 0))


def test_the_weeks_a_range_touches():
    assert clock.weeks_between(dt.date(2025, 1, 1), dt.date(2025, 1, 13)) == [
        dt.date(2024, 12, 30),
        dt.date(2025, 1, 6),
        dt.date(2025, 1, 13),
    ]


def test_a_truncated_period_reads_as_the_local_date_it_starts_on():
    assert clock.period_start(utc(2023, 1, 31, 16, 0)) == dt.date(2023, 2, 1)
    assert clock.period_start(dt.date(2023, 2, 1)) == dt.date(2023, 2, 1)


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [
        (D("97.005"), 2, D("97.01")),
        (97.005, 2, D("97.01")),  # the float as written, not its binary neighbour 97.00499…
        (0.125, 2, D("0.13")),
        (D("0.125"), 2, D("0.13")),
        (D("-0.125"), 2, D("-0.13")),
        (D("97.004999"), 2, D("97.00")),
        (D("2.5"), 0, D("3")),
        (5, 2, D("5.00")),
    ],
)
def test_half_up_rounds_a_half_away_from_zero(value, places, rounded):
    assert clock.half_up(value, places) == rounded
    assert str(clock.half_up(value, places)) == str(rounded)


def test_half_up_keeps_a_missing_value_missing():
    assert clock.half_up(None) is None

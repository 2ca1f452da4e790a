"""The three rates and the composite (docs/domain.md §4) on hand-built tickets, figure by figure."""

import datetime as dt
from decimal import Decimal

import pytest

from intake.models import ReturnVisit, Status
from jxq_cases.lib.clock import half_up
from reporting.models import ScoreAdjustment, ScoringPolicy
from reporting.rates import month_counts, percent, range_score
from tests.factories import counted_ticket, local_time

D = Decimal
JAN = dt.date(2023, 1, 1)
FEB = dt.date(2023, 2, 1)
MAR = dt.date(2023, 3, 1)


def test_midnight_on_the_first_in_shanghai_belongs_to_the_new_month(community_a):
    # given: one ticket a minute before midnight, one at midnight, Beijing time
    counted_ticket("2023-01-31 23:59:59", unit=community_a)
    on_the_first = counted_ticket("2023-02-01 00:00:00", unit=community_a)
    # 00:00 in Shanghai is still 31 January in UTC: the UTC month would be wrong
    assert on_the_first.received_at.astimezone(dt.UTC).day == 31

    rows = {row["month"]: row["total"] for row in month_counts(JAN, dt.date(2023, 2, 28))}

    assert rows == {JAN: 1, FEB: 1}


def test_a_range_ends_at_midnight_after_its_last_day(community_a):
    counted_ticket("2023-01-31 23:59:59", unit=community_a)
    counted_ticket("2023-02-01 00:00:00", unit=community_a)

    assert range_score(JAN, dt.date(2023, 1, 31)).counts["total"] == 1
    assert range_score(FEB, dt.date(2023, 2, 1)).counts["total"] == 1


def test_headline_rates_are_the_mean_of_monthly_rates_beside_the_pooled_rates(community_a):
    # January: 3 counted, 2 resolved (66.67%); February: 1 counted, resolved (100%)
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-06 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-07 10:00", unit=community_a, visit="yny")
    counted_ticket("2023-02-03 10:00", unit=community_a, visit="yyy")

    score = range_score(JAN, dt.date(2023, 2, 28))

    assert [m.resolution for m in score.months] == [D("66.67"), D("100.00")]
    # mean of monthly: (66.67 + 100.00) / 2 = 83.335 -> 83.34 (half-up)
    assert score.resolution == D("83.34")
    # pooled: 3 resolved of 4 counted
    assert score.pooled_resolution == D("75.00")
    assert score.response == D("100.00") and score.satisfaction == D("100.00")


def test_months_without_counted_tickets_are_left_out_of_the_mean(community_a):
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yny")  # January: resolution 0
    counted_ticket("2023-02-05 10:00", unit=community_a)  # February: received, no visit yet
    counted_ticket("2023-03-05 10:00", unit=community_a, visit="yyy")  # March: resolution 100

    score = range_score(JAN, dt.date(2023, 3, 31))

    assert [m.resolution for m in score.months] == [D("0.00"), None, D("100.00")]
    assert score.resolution == D("50.00")
    assert score.counts["total"] == 3 and score.counts["counted"] == 2


def test_an_approved_exclusion_leaves_the_rates(community_a):
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-06 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-07 10:00", unit=community_a, visit="nnn", excluded=True)  # 剔除 approved

    score = range_score(JAN, dt.date(2023, 1, 31))

    assert score.counts["total"] == 3  # still received and handled
    assert score.counts["counted"] == 2
    assert (score.response, score.resolution, score.satisfaction) == (D("100.00"), D("100.00"), D("100.00"))
    assert score.counts["double_no"] == 0


def test_a_visit_that_does_not_count_leaves_the_rates(community_a):
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-06 10:00", unit=community_a, visit="nnn", counted=False)

    score = range_score(JAN, dt.date(2023, 1, 31))

    assert score.counts["counted"] == 1 and score.resolution == D("100.00")


def test_a_second_visit_replaces_the_first(community_a):
    # given: the first visit was double-no; after second handling the second visit is double-yes
    ticket = counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    ReturnVisit.objects.create(
        ticket=ticket,
        visited_at=local_time("2023-01-08 10:00"),
        counted=True,
        contacted=True,
        resolved=False,
        satisfied=False,
    )
    ReturnVisit.objects.create(
        ticket=ticket,
        visited_at=local_time("2023-01-20 10:00"),
        counted=True,
        contacted=True,
        resolved=True,
        satisfied=True,
    )
    counted_ticket("2023-01-06 10:00", unit=community_a, visit="yny")

    score = range_score(JAN, dt.date(2023, 1, 31))

    # the ticket counts once, with its latest visit
    assert score.counts["counted"] == 2
    assert score.counts["resolved"] == 1 and score.resolution == D("50.00")
    assert score.counts["double_no"] == 0


def test_sent_back_and_merged_tickets_are_not_the_streets(community_a):
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-05 11:00", status=Status.SENT_BACK)
    counted_ticket("2023-01-05 12:00", status=Status.MERGED)

    assert range_score(JAN, dt.date(2023, 1, 31)).counts["total"] == 1


def test_rounding_is_half_up():
    assert half_up(D("97.005")) == D("97.01")
    assert half_up(D("97.004999")) == D("97.00")
    assert half_up(D("-0.125")) == D("-0.13")
    # 1 of 32 is 3.125%: half-up gives 3.13 where banker's rounding and float round() give 3.12
    assert percent(1, 32) == D("3.13")
    assert round(1 / 32 * 100, 2) == 3.12
    assert percent(1, 0) is None


def test_rates_of_a_month_are_rounded_half_up(community_a):
    counted_ticket("2023-01-01 08:00", unit=community_a, visit="yyy")
    for hour in range(31):
        counted_ticket(f"2023-01-02 {hour % 24:02d}:{hour:02d}", unit=community_a, visit="yny")

    score = range_score(JAN, dt.date(2023, 1, 31))

    assert score.resolution == D("3.13")  # 1 / 32


def test_composite_uses_the_default_weights(community_a):
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-06 10:00", unit=community_a, visit="ynn")

    month = range_score(JAN, dt.date(2023, 1, 31), unit=community_a).months[0]

    # 0.10 × 100 + 0.60 × 50 + 0.30 × 50
    assert month.composite == D("55.00")


def test_a_policy_changing_in_the_middle_of_a_range_applies_from_its_month(community_a):
    ScoringPolicy.objects.create(
        name="2023 rules",
        effective_from=FEB,
        w_response=D("0.20"),
        w_resolution=D("0.50"),
        w_satisfaction=D("0.30"),
    )
    for month in ("01", "02", "03"):
        counted_ticket(f"2023-{month}-05 10:00", unit=community_a, visit="yyy")
        counted_ticket(f"2023-{month}-06 10:00", unit=community_a, visit="ynn")

    score = range_score(JAN, dt.date(2023, 3, 31))

    # January, default weights: 10 + 30 + 15; February and March: 20 + 25 + 15
    assert [m.composite for m in score.months] == [D("55.00"), D("60.00"), D("60.00")]
    assert score.composite == D("58.33")  # (55 + 60 + 60) / 3 = 58.333…


def test_a_policy_may_round_to_fewer_decimals(community_a):
    ScoringPolicy.objects.create(
        name="one decimal",
        effective_from=JAN,
        w_response=D("0.10"),
        w_resolution=D("0.60"),
        w_satisfaction=D("0.30"),
        decimals=1,
    )
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-06 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-07 10:00", unit=community_a, visit="yny")

    month = range_score(JAN, dt.date(2023, 1, 31)).months[0]

    assert month.resolution == D("66.7")  # 66.666… at one decimal
    assert month.composite == D("80.0")  # 10 + 0.6 × 66.7 + 30 = 80.02 -> 80.0


def test_bonus_and_deduction_points_move_the_composite(community_a):
    ScoreAdjustment.objects.create(unit=community_a, month=JAN, kind="bonus", points=D("0.20"), reason="未诉先办")
    ScoreAdjustment.objects.create(unit=community_a, month=JAN, kind="deduction", points=D("0.50"), reason="超期")
    # another unit's and another month's points do not count
    ScoreAdjustment.objects.create(unit=None, month=JAN, kind="bonus", points=D("1.00"), reason="街道整体")
    ScoreAdjustment.objects.create(unit=community_a, month=FEB, kind="bonus", points=D("3.00"), reason="二月")
    counted_ticket("2023-01-05 10:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-06 10:00", unit=community_a, visit="ynn")

    unit_month = range_score(JAN, dt.date(2023, 1, 31), unit=community_a).months[0]
    street_month = range_score(JAN, dt.date(2023, 1, 31)).months[0]

    assert unit_month.adjustment == D("-0.30")
    assert unit_month.composite == D("54.70")  # 55.00 + 0.20 − 0.50
    assert street_month.composite == D("56.00")  # the street's own +1.00


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("effective_from", dt.date(2023, 2, 15), "1日起生效"),
        ("w_response", D("0.20"), "之和须等于1"),
    ],
)
def test_a_policy_must_start_on_the_first_and_its_weights_add_up(db, field, value, message):
    from django.core.exceptions import ValidationError

    policy = ScoringPolicy(
        name="bad", effective_from=JAN, w_response=D("0.10"), w_resolution=D("0.60"), w_satisfaction=D("0.30")
    )
    setattr(policy, field, value)
    with pytest.raises(ValidationError, match=message):
        policy.full_clean()

"""The units' league table: composite first, ties by resolution, satisfaction, then volume; equal
units share a rank; a unit under the minimum of counted tickets is listed apart, not ranked."""

import datetime as dt
from decimal import Decimal

from org.models import Unit
from reporting.models import ScoreAdjustment, ScoringPolicy
from reporting.rates import unit_ranking
from tests.factories import counted_ticket

JAN, JAN_END = dt.date(2023, 1, 1), dt.date(2023, 1, 31)


def tickets(unit_name: str, *visits: str) -> None:
    unit = Unit.objects.get(name=unit_name)
    for number, visit in enumerate(visits):
        counted_ticket(f"2023-01-{number % 28 + 1:02d} 10:00", unit=unit, visit=visit)


def test_ties_are_broken_by_resolution_satisfaction_then_volume(db):
    tickets("综合行政执法队", *["yyy"] * 10)
    tickets("城市管理办公室", *["yyy"] * 5)
    tickets("社区建设办公室", *["yyy"] * 5)
    tickets("大山子社区", *["yyn"] * 5)
    tickets("中北路社区", *["yyy"] * 5, *["yny"] * 5)
    # 10 tickets each, composite 64 and resolution 50 for both, satisfaction decides:
    # 红霞路社区: responded 7, resolved 5, satisfied 9 -> 7 + 30 + 27 = 64
    tickets("红霞路社区", *["yyy"] * 5, "nny", "nny", "yny", "yny", "nnn")
    # 东路社区: responded 10, resolved 5, satisfied 8 -> 10 + 30 + 24 = 64
    tickets("东路社区", *["yyy"] * 5, *["yny"] * 3, "ynn", "ynn")
    tickets("南路社区", "yyy")

    ranking = unit_ranking(JAN, JAN_END)

    table = [
        (s.rank, s.unit_name, s.score.composite, s.score.resolution, s.score.satisfaction, s.score.counts["counted"])
        for s in ranking.ranked
    ]
    D = Decimal
    assert table == [
        (1, "综合行政执法队", D("100.00"), D("100.00"), D("100.00"), 10),  # volume breaks the tie
        (2, "城市管理办公室", D("100.00"), D("100.00"), D("100.00"), 5),  # equal in everything:
        (2, "社区建设办公室", D("100.00"), D("100.00"), D("100.00"), 5),  # the same rank
        (4, "大山子社区", D("70.00"), D("100.00"), D("0.00"), 5),  # resolution beats
        (5, "中北路社区", D("70.00"), D("50.00"), D("100.00"), 10),  # satisfaction and volume
        (6, "红霞路社区", D("64.00"), D("50.00"), D("90.00"), 10),  # satisfaction breaks the tie
        (7, "东路社区", D("64.00"), D("50.00"), D("80.00"), 10),
    ]
    apart = {s.unit_name: s.score.counts["counted"] for s in ranking.apart}
    assert apart["南路社区"] == 1  # composite 100 on one ticket: listed apart, not first
    assert apart["平安建设办公室"] == 0  # no ticket at all
    assert ranking.min_counted == 5


def test_the_minimum_to_be_ranked_is_set_in_the_policy(db):
    ScoringPolicy.objects.update(min_counted_to_rank=1)
    tickets("南路社区", "yyy")
    tickets("综合行政执法队", *["yyy"] * 9, "ynn")

    ranking = unit_ranking(JAN, JAN_END)

    assert [(s.rank, s.unit_name) for s in ranking.ranked] == [(1, "南路社区"), (2, "综合行政执法队")]


def test_bonus_points_can_change_the_order(db):
    tickets("综合行政执法队", *["yyy"] * 9, "yny")  # 10 + 54 + 30 = 94.00
    tickets("城市管理办公室", *["yyy"] * 9, "yyn")  # 10 + 60 + 27 = 97.00
    unit = Unit.objects.get(name="综合行政执法队")
    ScoreAdjustment.objects.create(unit=unit, month=JAN, kind="bonus", points=Decimal("3.50"), reason="未诉先办")

    ranking = unit_ranking(JAN, JAN_END)

    assert [(s.unit_name, s.score.composite) for s in ranking.ranked] == [
        ("综合行政执法队", Decimal("97.50")),
        ("城市管理办公室", Decimal("97.00")),
    ]


def test_over_several_months_units_are_ranked_by_the_mean_of_monthly_composites(db):
    unit = Unit.objects.get(name="综合行政执法队")
    for day in range(1, 4):
        counted_ticket(f"2023-01-0{day} 10:00", unit=unit, visit="yyy")  # January 100
        counted_ticket(f"2023-02-0{day} 10:00", unit=unit, visit="ynn")  # February 10
    other = Unit.objects.get(name="城市管理办公室")
    for day in range(1, 7):
        counted_ticket(f"2023-02-0{day} 10:00", unit=other, visit="yyn")  # February only: 70

    ranking = unit_ranking(JAN, dt.date(2023, 2, 28))

    # 综合行政执法队: the mean of January's 100 and February's 10; resolution the mean of 100 and 0
    assert [(s.unit_name, s.score.composite, s.score.resolution) for s in ranking.ranked] == [
        ("城市管理办公室", Decimal("70.00"), Decimal("100.00")),
        ("综合行政执法队", Decimal("55.00"), Decimal("50.00")),
    ]

"""Hot spots by place: a cluster of requests in one grid cell over a few weeks (docs/geography.md)."""

import datetime as dt

import pytest

from intake.models import Category, Status
from jxq_cases.lib import clock
from org.models import GridCell
from proactive.hotspots import PLACE_MIN_TICKETS, place_hotspots
from tests.factories import make_ticket
from tests.geography import load_test_street

pytestmark = pytest.mark.django_db


def _tickets(cell, days_ago: list[int], category=None, **fields):
    today = clock.today()
    for ago in days_ago:
        at = clock.at_local(today - dt.timedelta(days=ago), dt.time(10))
        make_ticket(grid_cell=cell, place_community=cell.community, received_at=at, category=category, **fields)


def test_a_burst_in_one_grid_cell_is_a_hot_spot_and_a_steady_cell_is_not():
    load_test_street(gazetteer=False)
    burst, steady, quiet = (GridCell.objects.get(code=c) for c in ("NL-1", "NL-2", "DL-1"))
    noise, light = Category.objects.create(name="噪音扰民"), Category.objects.create(name="路灯照明")
    _tickets(burst, [1, 2, 3, 5, 8, 13], category=noise)
    _tickets(burst, [4], category=light)
    # as busy as ever: 6 now, 6 in each of the three windows before
    _tickets(steady, [1, 3, 5, 7, 9, 11] + [d + 21 for d in range(0, 18, 1)])
    _tickets(quiet, list(range(PLACE_MIN_TICKETS - 1)))
    # sent back: not the street's, does not count
    _tickets(quiet, [2, 3], status=Status.SENT_BACK)
    found = place_hotspots(clock.today())
    assert [(h["code"], h["tickets"], h["top_category"]) for h in found] == [("NL-1", 7, "噪音扰民")]
    assert found[0]["filter"]["grid_cell"] == burst.pk and found[0]["baseline"] == 0
    # the same cell, counting one category only
    only_light = place_hotspots(clock.today(), category_id=light.pk)
    assert only_light == []


def test_old_tickets_are_outside_the_window():
    load_test_street(gazetteer=False)
    cell = GridCell.objects.get(code="NL-1")
    _tickets(cell, [30, 31, 32, 33, 34, 35])
    assert place_hotspots(clock.today()) == []
    assert [h["code"] for h in place_hotspots(clock.today() - dt.timedelta(days=28))] == ["NL-1"]


def test_the_top_category_counts_the_tickets_the_window_counts():
    load_test_street(gazetteer=False)
    cell = GridCell.objects.get(code="NL-1")
    noise, light = Category.objects.create(name="噪音扰民"), Category.objects.create(name="路灯照明")
    _tickets(cell, [1, 2, 3], category=light)
    _tickets(cell, [4, 5], category=noise)
    # sent back and merged: not the street's, so neither in the count nor in the top category
    _tickets(cell, [1, 2], category=noise, status=Status.SENT_BACK)
    _tickets(cell, [3], category=noise, status=Status.MERGED)
    [found] = place_hotspots(clock.today())
    assert (found["tickets"], found["top_category"]) == (5, "路灯照明")

"""Tickets for the proactive tests, written as a resident would phrase them."""

from datetime import timedelta

import pytest

from tests.factories import RESIDENT_DAY0, resident_ticket

DAY0 = RESIDENT_DAY0  # a Monday, 10:00 in Beijing


@pytest.fixture(autouse=True)
def street_units(db) -> None:
    """Every test here uses the database; the root ``reference_data`` fixture reloads the units that a
    transactional test flushed."""


@pytest.fixture
def ticket_maker(db):
    return resident_ticket


MARKET = [
    "楼下早市每天早上五点就开始吆喝叫卖，吵得居民睡不着觉，希望管一管",
    "12号院南门口的早市五点多就有人用喇叭叫卖，噪音太大影响休息",
    "12号院门口早市喇叭叫卖声太吵，每天清早五点开始，请城管来看看",
    "樓下早市每天淩晨五點就用喇叭叫賣，吵得睡不著，請儘快處理",
]
OTHER_MATTERS = [
    "12号院有住户装修，周末早上电钻声太吵",
    "12号院门口有人乱扔垃圾，垃圾桶不够用",
    "南路小区6号楼水费单金额异常，比上个月多了好几倍",
]


@pytest.fixture
def week_shifted():
    """``week_shifted(n)``: DAY0 plus n weeks (a Monday)."""
    return lambda weeks: DAY0 + timedelta(weeks=weeks)

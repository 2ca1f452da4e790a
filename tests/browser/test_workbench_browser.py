"""The workbench's browser-side helpers: saved filters kept under a name, select-all + bulk dispatch."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Status
from tests.factories import make_ticket


def _triaged(no, content):
    return make_ticket(
        ticket_no=no,
        received_at=timezone.now() - timedelta(hours=1),
        content=content,
        status=Status.TRIAGED,
        triaged_at=timezone.now(),
    )


def test_save_a_filter_and_open_it_again(page, login, center_staff):
    _triaged("F-0001", "广场舞噪音扰民")
    _triaged("F-0002", "井盖丢失")
    login(page, center_staff)
    page.locator("summary", has_text="筛选").click()
    page.get_by_label("关键词").fill("井盖")
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("#ticket-rows")).not_to_contain_text("F-0001")
    page.get_by_label("筛选名称").fill("井盖问题")
    page.get_by_role("button", name="保存当前筛选").click()
    page.goto("/tickets/")
    expect(page.locator("#ticket-rows")).to_contain_text("F-0001")
    page.locator("summary", has_text="筛选").click()
    page.get_by_label("常用筛选").select_option(label="井盖问题")
    page.get_by_role("button", name="打开").click()
    expect(page).to_have_url(re.compile(r"q=%E4%BA%95%E7%9B%96|q=井盖"))
    expect(page.locator("#ticket-rows")).to_contain_text("F-0002")
    expect(page.locator("#ticket-rows")).not_to_contain_text("F-0001")


def test_select_all_and_bulk_dispatch(page, login, center_staff, handler_unit):
    a = _triaged("B-0001", "路灯不亮")
    b = _triaged("B-0002", "路灯闪烁")
    login(page, center_staff)
    page.get_by_label("全选").check()
    page.get_by_label("将选中的已研判工单派至").select_option(label="南路社区")
    page.get_by_role("button", name="批量派单").click()
    expect(page.get_by_role("status")).to_contain_text("已将 2 件工单派至 南路社区")
    for ticket in (a, b):
        ticket.refresh_from_db()
        assert ticket.status == Status.DISPATCHED and ticket.lead_unit == handler_unit

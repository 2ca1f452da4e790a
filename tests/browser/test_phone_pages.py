"""Phone first (docs/ui.md, "Phones"): every page a handler or a leader uses fits a 390×844 screen with
no sideways scrolling, with a street's worth of demo data on it (long unit names, long contents, full
tables). Each page is opened as the role that uses it; the page must be no wider than the screen."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from demo.accounts import create_demo_accounts
from demo.seed import load_tickets
from dispatch import access
from dispatch.models import Delivery
from intake.models import Status, Ticket
from jxq_cases.lib import clock
from org.models import User
from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis
from reporting.nightly import take_nightly_snapshot
from tests.browser.conftest import PHONE_SCREEN

# Boxes that scroll sideways inside the page (a wide table in an overflow box): the page fits, but
# the deadline column is still off screen.
SIDEWAYS_INSIDE = """() => Array.from(document.querySelectorAll("body *")).filter(el => {
  const style = getComputedStyle(el);
  return ["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
    && el.tagName !== "SELECT" && el.tagName !== "TEXTAREA";
}).map(el => el.tagName + "." + el.className).slice(0, 5)"""

# The innermost elements reaching past the right edge of the screen (to name the culprit).
PAST_THE_EDGE = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const found = Array.from(document.querySelectorAll("body *")).filter(el =>
    el.getBoundingClientRect().right > edge
    && !Array.from(el.children).some(c => c.getBoundingClientRect().right > edge)
  ).map(el => el.tagName + "." + el.className + "#" + el.id);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    if (range.getBoundingClientRect().right > edge) {
      const parent = walker.currentNode.parentElement;
      found.push("text in " + parent.tagName + "." + parent.className + ": "
        + walker.currentNode.textContent.trim().slice(0, 30));
    }
  }
  return found.slice(0, 5);
}"""

# Table cells narrower than two characters holding a longer word: a unit name wrapped a character a line.
SQUEEZED_WORDS = """() => Array.from(document.querySelectorAll("td, th")).filter(cell => {
  const text = cell.innerText.trim();
  const size = parseFloat(getComputedStyle(cell).fontSize);
  const head = cell.closest("thead");
  const hidden = cell.offsetParent === null || (head && head.getBoundingClientRect().width <= 1);
  return !hidden && text.length >= 3 && cell.clientWidth < size * 2.2;
}).map(cell => cell.innerText.trim()).slice(0, 5)"""


# pages whose phone screen is kept under var/screenshots/ (phone-<name>.png)
SHOWN = {"/tonight/": "tonight", "/tickets/?flags=supervised": "supervised", "/reports/ranking/": "ranking"}


def _drill(spec: dict) -> str:
    return reverse("drilldown") + "?" + urlencode({"filter": json.dumps(spec, ensure_ascii=False)})


def _pages(handler_ticket: str, leader_ticket: str, today) -> dict[str, list[str]]:
    """Role (demo username) -> the pages that role uses."""
    month_start = clock.month_start(today).isoformat()
    reports = [
        "/dashboard/",
        "/reports/",
        "/reports/ranking/",
        "/reports/weekly/",
        "/reports/monthly/",
        _drill({"supervised": True}),
        _drill({"received_from": month_start, "received_to": today.isoformat(), "double_no": True}),
    ]
    lists = [
        "/tickets/",
        "/tickets/?flags=double_no&status=all",  # the double-no list
        "/tickets/?flags=supervised",  # the supervised list
        "/tickets/?due=overdue",
    ]
    return {
        "handler": ["/inbox/", *lists, f"/tickets/{handler_ticket}/", "/notifications/", "/proactive/", "/password/"],
        "leader": ["/signoff/", "/tonight/", *lists, *reports, f"/tickets/{leader_ticket}/", "/notifications/"],
        "principal": ["/tonight/", "/signoff/", *reports, f"/tickets/{leader_ticket}/", "/proactive/"],
        "center": ["/deliveries/"],
        "": ["/report/public/", "/login/"],
    }


def _signed_in(new_page, live_server, username: str):
    page = new_page(viewport=PHONE_SCREEN)
    if username:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return page


@pytest.mark.django_db(transaction=True)
def test_every_page_of_handlers_and_leaders_fits_a_phone(new_page, live_server, screenshot):
    create_demo_accounts()
    load_tickets(300, 40, seed=2026, stories=80)
    today = clock.today()
    take_nightly_snapshot(today)
    take_daily_ranking(today)
    take_weekly_analysis(clock.week_start(today) - dt.timedelta(days=7))
    take_monthly_bulletin(clock.month_start(today) - dt.timedelta(days=1))
    # a failed delivery with a long machine error, as the center's page lists it
    Delivery.objects.create(
        channel_kind="webhook",
        recipient="酒仙桥街道综合行政执法队",
        notice_kind="overdue",
        text="工单超期" * 40,
        status="failed",
        attempts=5,
        last_error="HTTP 302 redirect to https://sms.example.cn/" + "a" * 200 + ", not followed",
    )
    handler = User.objects.get(username="handler")
    handler_ticket = Ticket.objects.filter(lead_unit__in=handler.units.all()).order_by("-received_at").first()
    leader = User.objects.get(username="leader")
    leader_ticket = access.visible_tickets(leader).filter(status=Status.HANDLING).order_by("-received_at").first()

    too_wide = {}
    checked = []
    for username, urls in _pages(handler_ticket.ticket_no, leader_ticket.ticket_no, today).items():
        page = _signed_in(new_page, live_server, username)
        for url in urls:
            response = page.goto(url)
            if response.status != 200:
                too_wide[(username, url)] = f"HTTP {response.status}"
                continue
            width = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate(SIDEWAYS_INSIDE)
            squeezed = page.evaluate(SQUEEZED_WORDS)
            checked.append((username or "anyone", url, width))
            if url in SHOWN:
                screenshot(page, f"phone-{SHOWN[url]}", full_page=False)
            if width > PHONE_SCREEN["width"] or inner or squeezed:
                too_wide[(username, url)] = {
                    "width": width,
                    "past the edge": page.evaluate(PAST_THE_EDGE),
                    "scrolls inside": inner,
                    "one character a line": squeezed,
                }
                name = "phone-" + (username or "anyone") + url.replace("/", "_").split("?")[0]
                screenshot(page, name[:80])
    print("\n".join(f"{w:4d}px  {who:<9} {url}" for who, url, w in checked))
    assert not too_wide, too_wide
    assert len(checked) >= 30

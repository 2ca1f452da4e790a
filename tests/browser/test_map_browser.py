"""The map drawn in the browser from our own GeoJSON (no tiles, no internet), with demo data; and a
handler on a phone placing a ticket with a tap on the map (docs/geography.md). The map screenshot
under var/screenshots/ is the one docs/geography.md shows (copied to docs/screenshots/map.png)."""

from playwright.sync_api import expect

from demo.accounts import create_demo_accounts
from demo.seed import load_demo_geography, load_tickets
from intake.models import PlaceOrigin, Status, Ticket
from tests.browser.conftest import PHONE_SCREEN
from tests.factories import ticket_in


def test_the_map_renders_the_demo_street_with_its_tickets(new_page, login, screenshot, principal_leader):
    create_demo_accounts()
    load_demo_geography()
    load_tickets(400, 40, seed=16, stories=80)
    placed = Ticket.objects.exclude(grid_cell=None).count()
    assert placed > 300  # the demo's addresses are in its gazetteer, a few are left for the center

    leader = login(new_page(), principal_leader)
    leader.goto("/map/")
    chart = leader.get_by_test_id("ticket-map")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(chart.locator("canvas").first).to_be_visible()
    expect(leader.locator("[data-map-summary]")).to_contain_text("件工单")
    screenshot(leader, "map", full_page=False)
    leader.get_by_role("button", name="按社区").click()
    expect(chart).to_have_attribute("data-ready", "1")
    # on the dashboard too
    leader.goto("/dashboard/")
    expect(leader.get_by_test_id("ticket-map")).to_have_attribute("data-ready", "1")


def test_a_handler_places_a_ticket_with_a_tap_on_the_map(new_page, login, unit_handler, handler_unit):
    load_demo_geography()
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit, address="某处")
    phone = login(new_page(viewport=PHONE_SCREEN), unit_handler)
    console = []
    phone.on("console", lambda message: console.append(message.text))
    phone.goto(f"/tickets/{ticket.ticket_no}/")
    action = phone.locator("#act-confirm_place")
    action.locator("summary").click()
    chart = action.locator("[data-street-map]")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(action.get_by_role("button", name="使用我的位置")).to_be_visible()
    box = chart.bounding_box()
    chart.click(position={"x": box["width"] / 2, "y": box["height"] / 2})  # the street's middle (scrolled to)
    try:
        expect(action.locator('[data-place="lon"]')).not_to_have_value("")
    except AssertionError as error:
        raise AssertionError(f"the tap filled nothing; the page's console: {console}") from error
    action.get_by_role("button", name="现场确认位置").click()
    phone.wait_for_load_state("domcontentloaded")
    ticket.refresh_from_db()
    assert ticket.place_origin == PlaceOrigin.ON_SITE and ticket.grid_cell is not None
    assert 116.47 < ticket.place_lon < 116.51 and 39.95 < ticket.place_lat < 39.99
    expect(phone.get_by_test_id("place")).to_contain_text(ticket.grid_cell.name)


def test_names_in_the_map_tooltips_are_shown_as_text_never_run(new_page, login, principal_leader):
    """The tooltips are HTML: a grid cell's name or worker (from a GeoJSON file) and a category (from the
    upstream's export) that hold markup are shown as typed, and no script runs."""
    from org.models import GridCell
    from tests.geography import load_test_street

    load_test_street()
    markup = '<img src=x onerror="window.__injected=1">'
    cell = GridCell.objects.get(code="NL-1")
    cell.name, cell.grid_worker = markup, markup
    cell.save()
    ticket_in(Status.DISPATCHED)

    leader = login(new_page(), principal_leader)
    leader.goto("/map/")
    chart = leader.get_by_test_id("ticket-map")
    expect(chart).to_have_attribute("data-ready", "1")
    index = leader.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.querySelector('[data-testid=ticket-map]'));
          const cells = chart.getOption().series[0].data;
          const index = cells.findIndex((c) => c.name === 'NL-1');
          chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: index });
          return index;
        }"""
    )
    assert index >= 0
    expect(chart).to_contain_text('<img src=x onerror="window.__injected=1">')
    assert leader.evaluate("() => window.__injected") is None
    assert chart.locator("img").count() == 0

"""The service worker in Chromium: once it controls the pages, its cache holds static files only —
after opening a ticket, the inbox and the notifications, no page or data is in any cache."""

from playwright.sync_api import expect

from intake.models import Status
from tests.browser.conftest import PHONE_SCREEN
from tests.factories import ticket_in

CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) { urls.push(new URL(request.url).pathname); }
  }
  return urls;
}"""


def test_the_service_worker_caches_static_files_and_never_ticket_pages(new_page, login, unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    page = login(new_page(viewport=PHONE_SCREEN), unit_handler)
    page.goto("/inbox/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the worker controls the page and sees its requests
    assert page.evaluate("!!navigator.serviceWorker.controller")
    for url in (f"/tickets/{ticket.ticket_no}/", "/inbox/", "/notifications/", f"/api/v1/tickets/{ticket.ticket_no}/"):
        page.goto(url)
    page.goto(f"/tickets/{ticket.ticket_no}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.ticket_no)
    cached = page.evaluate(CACHED_URLS)
    assert "/static/css/app.css" in cached and "/static/js/app.js" in cached
    assert cached and all(url.startswith("/static/") for url in cached), cached

"""Printing in a real Chromium: a staff page prints its content without the header, the navigation,
the language menu or the buttons; the ticket file prints as a document without its toolbar."""

from playwright.sync_api import expect

from intake.models import Status
from tests.factories import ticket_in


def test_the_ticket_page_and_its_file_print_without_menus_or_buttons(page, login, center_staff, screenshot):
    ticket = ticket_in(Status.TRIAGED, content="楼道灯坏了很久没人修")
    login(page, center_staff)
    page.goto(f"/tickets/{ticket.ticket_no}/")
    expect(page.locator("#language-select")).to_be_visible()
    expect(page.get_by_test_id("ticket-file")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#language-select")).to_be_hidden()
    expect(page.get_by_test_id("ticket-file")).to_be_hidden()
    for button in page.locator("button").all():
        expect(button).to_be_hidden()
    expect(page.get_by_test_id("content")).to_be_visible()

    page.emulate_media(media="screen")
    page.get_by_test_id("ticket-file").click()
    expect(page.get_by_test_id("toolbar")).to_be_visible()
    expect(page.get_by_test_id("file-content")).to_have_text("楼道灯坏了很久没人修")
    screenshot(page, "ticket_file")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("toolbar")).to_be_hidden()
    expect(page.get_by_test_id("file-content")).to_be_visible()
    assert page.pdf(format="A4")[:5] == b"%PDF-"  # Chromium's own print of the page works too

"""A workflow form sent twice acts once (a double click, a reload after posting).

Every action form on the pages carries a one-time token (hidden ``form_token``); the page view marks
it used in the same transaction as the action. The second post finds it used and answers with a
friendly "already done" and the ticket as it is — not an error page. A refused post (bad data)
rolls the mark back, so the corrected form can be sent with the same token.
"""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from dispatch.models import Note, TicketEvent
from intake.models import Status
from tests.factories import make_ticket, ticket_in

ALREADY = "已经办理过了"


def _token(html: str, action: str) -> str:
    form = html[html.index(f'id="act-{action}"') :]
    return re.search(r'name="form_token" value="([0-9a-f]{32})"', form).group(1)


@pytest.mark.django_db
def test_a_note_posted_twice_with_the_same_form_is_saved_once(client_for, unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    client = client_for(unit_handler)
    token = _token(client.get(f"/tickets/{ticket.ticket_no}/").content.decode(), "add_handling_note")
    form = {"text": "现场查看，已联系物业", "form_token": token}

    first = client.post(f"/tickets/{ticket.ticket_no}/do/add_handling_note/", form)
    second = client.post(f"/tickets/{ticket.ticket_no}/do/add_handling_note/", form, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    page = second.content.decode()
    assert ALREADY in page and "现场查看，已联系物业" in page  # the ticket as it is, with its one note
    assert Note.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="add_handling_note").count() == 1


@pytest.mark.django_db
def test_each_rendering_of_a_form_has_its_own_token(client_for, unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    client = client_for(unit_handler)
    first = _token(client.get(f"/tickets/{ticket.ticket_no}/").content.decode(), "add_handling_note")
    second = _token(client.get(f"/tickets/{ticket.ticket_no}/").content.decode(), "add_handling_note")
    assert first != second
    for token in (first, second):  # two notes written on purpose, from two renderings
        client.post(f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": "进展", "form_token": token})
    assert Note.objects.filter(ticket=ticket).count() == 2


@pytest.mark.django_db
def test_a_refused_post_leaves_its_token_unused(client_for, unit_handler, handler_unit):
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    client = client_for(unit_handler)
    token = _token(client.get(f"/tickets/{ticket.ticket_no}/").content.decode(), "add_handling_note")
    refused = client.post(f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": "", "form_token": token})
    assert refused.status_code == 400
    assert token in refused.content.decode()  # the form comes back with the same token
    corrected = client.post(
        f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": "补充说明", "form_token": token}
    )
    assert corrected.status_code == 302
    assert Note.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db
def test_the_workbench_panel_triages_once_when_sent_twice(client_for, center_staff):
    ticket = make_ticket()
    client = client_for(center_staff)
    panel = client.get(f"/tickets/{ticket.ticket_no}/panel/").content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f]{32})"', panel).group(1)
    form = {"urgency": "urgent", "from": "panel", "form_token": token}
    for _ in range(2):
        answer = client.post(f"/tickets/{ticket.ticket_no}/do/triage_ticket/", form, HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
    assert ALREADY in answer.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket, kind="triage_ticket").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_form_act_once(unit_handler, handler_unit):
    """A real double click: both posts arrive together, each on its own database connection."""
    ticket = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    client = Client()
    client.force_login(unit_handler)
    token = _token(client.get(f"/tickets/{ticket.ticket_no}/").content.decode(), "add_handling_note")
    start = threading.Barrier(2)
    answers = []

    def post():
        try:
            start.wait()
            answers.append(
                client.post(f"/tickets/{ticket.ticket_no}/do/add_handling_note/", {"text": "双击", "form_token": token})
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [a.status_code for a in answers] == [302, 302]
    assert Note.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="add_handling_note").count() == 1

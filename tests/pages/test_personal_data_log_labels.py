"""Every place that logs a full display of personal data — the ticket page, the API's detail, the
ticket file and its PDF, the searches by phone, phone tail and name — has a label in the log and can
be chosen in its "where" filter; no raw code is shown."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dispatch.models import PersonalDataAccess
from dispatch.views.audit import CONTEXTS
from tests.factories import dispatched_ticket

pytestmark = pytest.mark.django_db


def _log_rows(html: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", html.split('data-testid="access-log"')[1].split("</table>")[0], re.S)[1:]


def test_every_logged_place_has_a_label_and_a_filter(client_for, center_staff, inspector, handler_unit):
    ticket = dispatched_ticket(handler_unit, complainant_name="王建国", complainant_phone="13911112222")
    page = client_for(center_staff)
    assert page.post(f"/tickets/{ticket.ticket_no}/complainant/").status_code == 200
    assert page.get(f"/tickets/{ticket.ticket_no}/file/").status_code == 200
    assert page.get(f"/tickets/{ticket.ticket_no}/file/", {"format": "pdf"}).status_code == 200
    api = APIClient()
    api.force_authenticate(center_staff)
    assert api.get(f"/api/v1/tickets/{ticket.ticket_no}/").status_code == 200
    for q in ("13911112222", "2222", "王建国"):
        assert api.get("/api/v1/tickets/", {"q": q}).status_code == 200

    logged = list(PersonalDataAccess.objects.values_list("context", flat=True))
    codes = {"ticket page", "api_detail", "ticket file", "ticket file PDF"}
    codes |= {"search:phone", "search:phone_tail", "search:name"}
    assert set(logged) == codes and len(logged) == len(codes)
    assert codes <= set(CONTEXTS)

    reader: Client = client_for(inspector)
    rows = _log_rows(reader.get("/audit/personal-data/").content.decode())
    assert len(rows) == len(codes)
    for row in rows:
        where = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1]
        assert where.strip() and where.strip() not in codes, where  # a label, never the raw code
    for code in codes:
        answer = reader.get("/audit/personal-data/", {"context": code})
        assert answer.status_code == 200
        [row] = _log_rows(answer.content.decode())
        assert str(CONTEXTS[code]) not in ("", code)

"""The drill-down list and Tonight read which clocks stand still (an extension request waiting) in one
query, not one per paused ticket: the same number of queries with 2 and with 14 paused tickets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Status
from tests.dispatch.helpers import add_extension
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


def _paused(n, lead, author):
    for i in range(n):
        # every other one supervised: on Tonight it is listed twice (in the units, supervised)
        supervision = "district" if i % 2 else ""
        add_extension(ticket_in(Status.HANDLING, lead_unit=lead, next_due_at=None, supervision=supervision), author)


def _queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm: session, language
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content.decode()


@pytest.mark.parametrize("url", ['/dashboard/tickets/?filter={"open": true}', "/tonight/"])
def test_a_paused_clock_costs_no_query_of_its_own(client, url, principal_leader, handler_unit, unit_handler):
    client.force_login(principal_leader)
    _paused(2, handler_unit, unit_handler)
    few, _ = _queries(client, url)
    _paused(12, handler_unit, unit_handler)
    many, html = _queries(client, url)
    assert html.count("due paused") == (14 + 7 if url == "/tonight/" else 14)
    assert many == few, f"{url}: {few} queries with 2 paused tickets, {many} with 14"

"""Tonight's figures are the dashboard's: each is a drill-down filter (reporting.drilldown), so the
count on /tonight/ is the length of the list it links to, and the tickets that the old ad-hoc
definitions counted differently (an acknowledgement past due, a reviewed ticket past its handling
deadline, a visited ticket that is not double-no, a supervised ticket still in the center) fall
where the dashboard puts them."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from intake.models import Status
from reporting.tonight import sections
from tests.factories import dispatched_ticket, ticket_in

pytestmark = pytest.mark.django_db


def _street(unit):
    now = timezone.now()
    return {
        # the acknowledgement is late, the handling deadline is not: not "overdue" on the dashboard
        "ack_late": dispatched_ticket(
            unit,
            acknowledge_due_at=now - timedelta(hours=1),
            next_due_at=now - timedelta(hours=1),
            handle_due_at=now + timedelta(days=3),
            received_at=now - timedelta(days=2),  # not today's intake, whatever the hour in Beijing
        ),
        # reviewed (awaiting the reply upstream) past its handling deadline: no clock runs, but overdue
        "reviewed_late": ticket_in(Status.REVIEWED, lead_unit=unit, handle_due_at=now - timedelta(hours=2)),
        # handling past its handling deadline: overdue under both definitions
        "handling_late": ticket_in(
            Status.HANDLING,
            lead_unit=unit,
            handle_due_at=now - timedelta(hours=1),
            next_due_at=now - timedelta(hours=1),
            next_due_kind="handle",
            received_at=now,
        ),
        # visited, resolved: not double-no
        "visited_resolved": ticket_in(Status.VISITED, lead_unit=unit, visit_resolved=True),
        "double_no": ticket_in(Status.VISITED, lead_unit=unit),
        # handled again without a double-no visit (a send-again from the center)
        "rehandling": ticket_in(Status.REHANDLING, lead_unit=unit),
        # supervised but still with the center: not an open (dispatched) ticket
        "supervised_received": ticket_in(Status.TRIAGED, supervision="district"),
        "supervised_open": ticket_in(Status.CONTACTED, lead_unit=unit, supervision="district"),
    }


def test_tonight_counts_what_the_dashboard_counts(handler_unit, principal_leader):
    made = _street(handler_unit)
    figures = {s.key: {t.ticket_no for t in s.tickets} for s in sections(principal_leader)}
    assert figures["overdue"] == {made["reviewed_late"].ticket_no, made["handling_late"].ticket_no}
    assert figures["double_no"] == {made["double_no"].ticket_no}
    assert figures["supervised"] == {made["supervised_open"].ticket_no}
    assert figures["intake"] == {made["handling_late"].ticket_no}
    in_units = {"ack_late", "handling_late", "rehandling", "supervised_open"}
    assert figures["handling"] == {made[k].ticket_no for k in in_units}


def _drilldown_count(client, href: str) -> int:
    response = client.get(unescape(href))
    assert response.status_code == 200, href
    table = response.content.decode().split('data-testid="drilldown"', 1)[1].split("</table>", 1)[0]
    return len(re.findall(r'href="/tickets/[^"/]+/"', table))


@pytest.mark.parametrize("persona", ["principal_leader", "section_leader"])
def test_each_figure_on_tonight_is_the_length_of_the_list_it_links_to(
    request, client, persona, handler_unit, other_unit
):
    leader = request.getfixturevalue(persona)
    handler_unit.section_leader = request.getfixturevalue("section_leader")
    handler_unit.save()
    _street(handler_unit)
    _street(other_unit)  # the section leader does not oversee it
    client.force_login(leader)
    html = client.get("/tonight/").content.decode()
    keys = ["intake", "handling", "overdue", "supervised", "double_no"]
    for key in keys:
        count = int(re.search(rf'data-testid="tonight-{key}"><b>(\d+)</b>', html).group(1))
        href = re.search(rf'href="([^"]+)" data-testid="tonight-list-{key}"', html)
        assert href, f"{key}: no link to its drill-down list"
        assert _drilldown_count(client, href.group(1)) == count, key
    assert int(re.search(r'data-testid="tonight-overdue"><b>(\d+)</b>', html).group(1)) == (
        4 if persona == "principal_leader" else 2
    )

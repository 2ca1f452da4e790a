"""Two streets with the same unit names side by side (docs/district.md): a person of street A never
sees or acts on street B — every action through the API, the ticket page, the lists, the figures —
and a district role sees both streets and acts on neither."""

import pytest
from django.test import Client

from dispatch.access import is_visible, visible_tickets
from dispatch.models import Notification, TicketEvent
from dispatch.workflow import registry
from intake.models import Status, Ticket
from org.accounts import create_user
from org.models import Role, Street, Unit
from org.streets import add_street
from tests.conftest import PASSWORD
from tests.dispatch.helpers import prepare
from tests.dispatch.test_access_matrix import PERMITTED
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

A_PERSONAS = list(PERMITTED)  # center_staff, unit_handler, section_leader, principal_leader, inspector, platform


@pytest.fixture
def jiangtai(street_units):
    """Street B: the same units as Jiuxianqiao (南路社区, 城市管理办公室, the center …)."""
    return add_street("将台街道", "朝阳区")


@pytest.fixture
def b_people(jiangtai):
    unit = lambda name: Unit.objects.get(street=jiangtai, name=name)  # noqa: E731
    return {
        "center_staff": create_user(
            "b-center", role=Role.CENTER_STAFF, unit_names=["市民诉求处置中心"], street=jiangtai
        ),
        "unit_handler": create_user("b-handler", role=Role.UNIT_HANDLER, unit_names=["南路社区"], street=jiangtai),
        "section_leader": create_user("b-leader", role=Role.SECTION_LEADER, unit_names=["南路社区"], street=jiangtai),
        "principal_leader": create_user("b-principal", role=Role.PRINCIPAL_LEADER, street=jiangtai),
        "inspector": create_user("b-inspector", role=Role.INSPECTOR, street=jiangtai),
        "platform_client": create_user("b-platform", role=Role.PLATFORM, street=jiangtai),
        "unit": unit("南路社区"),
    }


def _try(api_client_for, user, ticket, action, body):
    return api_client_for(user).post(
        f"/api/v1/tickets/{ticket.ticket_no}/actions/", {"action": action, **body}, format="json"
    )


@pytest.mark.parametrize("action", registry.names())
def test_no_person_of_one_street_sees_or_acts_on_the_other(
    request, api_client_for, action, handler_unit, b_people, district_leader
):
    a_author = request.getfixturevalue("unit_handler")
    cases = [
        # street A's personas against street B's ticket (led by B's 南路社区, same name as A's)
        ([request.getfixturevalue(p) for p in A_PERSONAS], b_people["unit"], b_people["unit_handler"]),
        # and street B's personas against street A's ticket
        ([b_people[p] for p in A_PERSONAS], handler_unit, a_author),
    ]
    for people, lead_unit, author in cases:
        for user in people:
            ticket, body = prepare(action, lead_unit, author)
            before = Ticket.objects.values().get(pk=ticket.pk)
            response = _try(api_client_for, user, ticket, action, body)
            case = f"{user.username} {action} on {ticket.street.name}"
            assert response.status_code == 404, (case, response.json())
            assert response.json()["code"] == "not_found", case
            assert not TicketEvent.objects.filter(ticket=ticket).exists(), case
            assert Ticket.objects.values().get(pk=ticket.pk) == before, case
    # the district leader sees the ticket of either street and may do nothing on it
    for lead_unit, author in ((handler_unit, a_author), (b_people["unit"], b_people["unit_handler"])):
        ticket, body = prepare(action, lead_unit, author)
        response = _try(api_client_for, district_leader, ticket, action, body)
        assert response.status_code == 403, (action, response.json())
        assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("persona", [p for p in A_PERSONAS if p != "platform_client"])
def test_pages_and_lists_show_nothing_of_the_other_street(request, persona, handler_unit, b_people):
    user = request.getfixturevalue(persona)
    ours = make_ticket(lead_unit=handler_unit, content="本街道的诉求")
    theirs = make_ticket(lead_unit=b_people["unit"], content="另一个街道的诉求")
    assert is_visible(user, ours) and not is_visible(user, theirs)
    assert theirs.pk not in set(visible_tickets(user).values_list("id", flat=True))
    client = Client()
    client.force_login(user)
    assert client.get(f"/tickets/{theirs.ticket_no}/").status_code == 404
    assert client.get(f"/tickets/{ours.ticket_no}/").status_code == 200
    listed = client.get("/tickets/").content.decode()
    assert ours.ticket_no in listed and theirs.ticket_no not in listed
    api = client.get("/api/v1/tickets/").json()
    assert {row["ticket_no"] for row in api["results"]} == {ours.ticket_no}
    assert client.get(f"/api/v1/tickets/{theirs.ticket_no}/").status_code == 404


def test_a_district_role_reads_both_streets_and_sees_no_personal_data(handler_unit, b_people, district_staff):
    ours = make_ticket(lead_unit=handler_unit)
    theirs = make_ticket(lead_unit=b_people["unit"])
    assert set(visible_tickets(district_staff).values_list("id", flat=True)) == {ours.pk, theirs.pk}
    client = Client()
    client.force_login(district_staff)
    page = client.get(f"/tickets/{theirs.ticket_no}/")
    assert page.status_code == 200
    assert "13812341234" not in page.content.decode()  # masked: the district reads, it does not handle


def test_a_notice_of_one_street_reaches_only_its_own_center(
    api_client_for, center_staff, b_people, django_capture_on_commit_callbacks
):
    # B's handler refuses a dispatch: B's center is told to re-dispatch, A's center hears nothing
    ticket, body = prepare("refuse_dispatch", b_people["unit"], b_people["unit_handler"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = _try(api_client_for, b_people["unit_handler"], ticket, "refuse_dispatch", body)
    assert answer.status_code == 200, answer.json()
    told = set(Notification.objects.filter(ticket=ticket).values_list("user_id", flat=True))
    assert b_people["center_staff"].pk in told
    assert center_staff.pk not in told


def test_the_same_unit_names_stay_apart_in_every_street(jiangtai):
    assert Unit.objects.filter(name="南路社区").count() == 2
    assert Street.objects.count() == 2
    a_center = create_user("a-c", role=Role.CENTER_STAFF, unit_names=["市民诉求处置中心"], street="酒仙桥街道")
    assert a_center.units.get().street.name == "酒仙桥街道"
    assert a_center.check_password(PASSWORD) is False  # no password given: cannot sign in


def test_a_unit_is_named_within_the_tickets_street_and_another_streets_unit_is_refused(
    api_client_for, center_staff, handler_unit, b_people
):
    from dispatch.workflow import dispatch_ticket
    from jxq_cases.lib.errors import DomainError
    from tests.factories import ticket_in

    # "南路社区" names B's unit for B's ticket (the name is in both streets)
    theirs = ticket_in("triaged", street=b_people["unit"].street)
    answer = _try(api_client_for, b_people["center_staff"], theirs, "dispatch_ticket", {"lead_unit": "南路社区"})
    assert answer.status_code == 200, answer.json()
    theirs.refresh_from_db()
    assert theirs.lead_unit == b_people["unit"]
    # A's ticket cannot go to B's unit, however it is asked
    ours = ticket_in("triaged", street=handler_unit.street)
    with pytest.raises(DomainError) as refused:
        dispatch_ticket(ours, actor=center_staff, lead_unit=b_people["unit"])
    assert refused.value.code == "invalid"
    ours.refresh_from_db()
    assert ours.lead_unit is None


def test_the_public_report_and_the_report_command_speak_for_one_street(handler_unit, b_people):
    import io

    from django.core.management import call_command

    from tests.factories import counted_ticket

    counted_ticket("2023-03-01 09:00", unit=handler_unit, visit="yyy")
    for hour in (9, 10):
        counted_ticket(f"2023-03-02 {hour:02d}:00", unit=b_people["unit"], visit="ynn")
    client = Client()
    first = Street.objects.order_by("name").first().name  # the default: the first street by name
    ours = client.get("/report/public/", {"from": "2023-03-01", "to": "2023-03-31"})
    theirs = client.get("/report/public/", {"from": "2023-03-01", "to": "2023-03-31", "street": "将台街道"})
    assert ours.status_code == theirs.status_code == 200
    assert ours.context["report"]["street"] == first
    assert ours.context["report"]["total"] == {"酒仙桥街道": 1, "将台街道": 2}[first]
    assert theirs.context["report"]["total"] == 2 and theirs.context["report"]["street"] == "将台街道"
    assert client.get("/report/public/", {"street": "火星街道"}).status_code == 404
    out = io.StringIO()
    call_command(
        "report", "--from", "2023-03-01", "--to", "2023-03-31", "--street", "将台街道", "--format", "json", stdout=out
    )
    assert '"total": 2' in out.getvalue()


def test_a_district_role_narrows_the_api_list_to_one_street(api_client_for, handler_unit, b_people, district_staff):
    ours = make_ticket(lead_unit=handler_unit)
    theirs = make_ticket(lead_unit=b_people["unit"])
    client = api_client_for(district_staff)
    both = {row["ticket_no"] for row in client.get("/api/v1/tickets/").json()["results"]}
    assert both == {ours.ticket_no, theirs.ticket_no}
    only = client.get("/api/v1/tickets/", {"street": "将台街道"}).json()["results"]
    assert [row["ticket_no"] for row in only] == [theirs.ticket_no]


def test_a_district_roles_workbench_names_each_tickets_street_and_filters_by_street(
    handler_unit, b_people, district_staff, center_staff
):
    ours = make_ticket(lead_unit=handler_unit, status=Status.DISPATCHED)
    theirs = make_ticket(lead_unit=b_people["unit"], status=Status.DISPATCHED)
    jiangtai = b_people["unit"].street
    client = Client()
    client.force_login(district_staff)
    both = client.get("/tickets/")
    streets = {row.get("street") for row in both.context["rows"]}
    assert both.context["show_street"] and streets == {"酒仙桥街道", "将台街道"}
    html = both.content.decode()
    assert 'data-testid="row-street">将台街道<' in html and 'name="street"' in html
    # the communities of the two streets are told apart in the filter (both have a 南路社区)
    assert "将台街道 · 南路社区" in html and "酒仙桥街道 · 南路社区" in html
    only = client.get("/tickets/", {"street": jiangtai.pk})
    assert [row["ticket"].pk for row in only.context["rows"]] == [theirs.pk]
    assert ours.pk != theirs.pk

    # a street's own people see one street: no street column, no street filter, and naming another
    # street's id finds nothing of it (the filter is not there; the list stays the user's street)
    own = Client()
    own.force_login(center_staff)
    page = own.get("/tickets/", {"street": jiangtai.pk})
    assert not page.context["show_street"] and 'name="street"' not in page.content.decode()
    assert [row["ticket"].pk for row in page.context["rows"]] == [ours.pk]


def test_a_streets_own_deadline_rule_wins_over_the_district_default(handler_unit, b_people, center_admin):
    import datetime as dt

    from dispatch import deadlines
    from tests.factories import ticket_in

    start = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)
    stamps = {"dispatched_at": start, "acknowledged_at": start, "handle_started_at": start}
    ours = ticket_in("dispatched", lead_unit=handler_unit, **stamps)
    theirs = ticket_in("dispatched", lead_unit=b_people["unit"], **stamps)
    # 将台街道 wants first contact within 2 hours on normal tickets; the default stays 24
    assert deadlines.save_policy("normal", by=center_admin, street=b_people["unit"].street, contact_hours=2) == 1
    deadlines.recompute_open_tickets()  # every street's running clocks, each by its own rules
    for ticket in (ours, theirs):
        ticket.refresh_from_db()
    assert ours.contact_due_at == start + dt.timedelta(hours=24)
    assert theirs.contact_due_at == start + dt.timedelta(hours=2)
    assert deadlines.load_rules()["normal"].contact_hours == 24


def test_a_streets_own_sign_off_chain_wins_over_the_district_default(
    api_client_for, request, handler_unit, b_people, django_capture_on_commit_callbacks
):
    from dispatch.models import ReplyDraft, SignOffChain
    from dispatch.workflow import signoff

    # the district's default: replies signed by the section leader and the principal leader;
    # 将台街道 keeps the section leader alone for replies and lets the principal sign exclusions alone
    SignOffChain.objects.create(chain="reply", roles=["section_leader", "principal_leader"])
    street_b = b_people["unit"].street
    SignOffChain.objects.create(street=street_b, chain="reply", roles=["section_leader"])
    SignOffChain.objects.create(street=street_b, chain="exclusion", roles=["principal_leader"])
    assert signoff.chains()["reply"] == ["section_leader", "principal_leader"]
    assert signoff.chains(street_b.pk)["exclusion"] == ["principal_leader"]
    assert signoff.chains(handler_unit.street_id)["exclusion"] == ["section_leader", "principal_leader"]
    # a chain lists signing roles only (the admin's form asks the model)
    from django.core.exceptions import ValidationError

    for roles in (["inspector"], [], "section_leader"):
        with pytest.raises(ValidationError):
            SignOffChain(street=street_b, chain="reply_key", roles=roles).full_clean()

    # a reply submitted in each street copies its street's chain onto the draft
    for unit, author, chain in (
        (handler_unit, request.getfixturevalue("unit_handler"), ["section_leader", "principal_leader"]),
        (b_people["unit"], b_people["unit_handler"], ["section_leader"]),
    ):
        ticket, body = prepare("submit_reply_draft", unit, author)
        with django_capture_on_commit_callbacks(execute=True):
            answer = _try(api_client_for, author, ticket, "submit_reply_draft", body)
        assert answer.status_code == 200, answer.json()
        assert ReplyDraft.objects.get(ticket=ticket).chain == chain, ticket.street.name

import pytest

from tests.pages.conftest import dispatched_ticket, make_ticket


@pytest.mark.parametrize(
    "persona,home",
    [
        ("center_staff", "/tickets/"),
        ("unit_handler", "/inbox/"),
        ("section_leader", "/signoff/"),
    ],
)
def test_home_sends_each_role_to_its_work(request, client_for, persona, home):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    page = client_for(user).get(home)
    assert page.status_code == 200


def test_ticket_page_renders(client_for, center_staff, handler_unit):
    t = dispatched_ticket(handler_unit)
    r = client_for(center_staff).get(f"/tickets/{t.ticket_no}/")
    assert r.status_code == 200, r.content.decode()[:2000]
    r = client_for(center_staff).get(f"/tickets/{make_ticket().ticket_no}/panel/")
    assert r.status_code == 200

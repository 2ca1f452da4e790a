"""A NUL character (%00) in an address is answered 400, never a server error (PostgreSQL text cannot
hold one: before the check, a ticket number with it in the path ended in a 500)."""

import pytest


@pytest.mark.parametrize(
    "url, kind",
    [
        ("/tickets/%00/", "text/plain"),
        ("/tickets/T%001/file/", "text/plain"),
        ("/tickets/?q=%00", "text/plain"),
        ("/api/v1/tickets/%00/", "application/json"),
        ("/api/v1/tickets/%00/suggestions/", "application/json"),
        ("/api/v1/tickets/?%00=1", "application/json"),
        ("/open311/v2/requests/%00.json", "application/json"),
    ],
)
def test_a_nul_character_in_the_address_is_a_bad_request(client, center_staff, url, kind):
    client.force_login(center_staff)
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(kind)
    assert "NUL" in response.content.decode()  # 空字符（NUL） in Chinese, NUL character in English


def test_the_same_addresses_without_it_reach_their_views(client, center_staff):
    client.force_login(center_staff)
    assert client.get("/tickets/T404/").status_code == 404
    assert client.get("/api/v1/tickets/T404/").status_code == 404
    assert client.get("/open311/v2/requests/T404.json").status_code == 404


@pytest.mark.parametrize(
    "url, data",
    [
        ("/tickets/bulk-dispatch/", {"tickets": ["T\x001"], "lead_unit": "1"}),
        ("/places/unresolved/", {"grid_cell": "1", "address": "星星\x00村7号"}),
    ],
)
def test_a_nul_character_in_a_posted_form_is_a_bad_request(client, center_staff, url, data):
    client.force_login(center_staff)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()

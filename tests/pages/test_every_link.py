"""Every link a person is shown leads somewhere: signed in as each demo role on the demo street, follow
the links of the pages (breadth first, same site, GET only) and check that none answers with a server
error, and that none of the links a role is shown refuses that role (a link to a page the role may
not open is a dead end in its navigation). The demo street is what a newcomer sees after `make run`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from org.models import User
from tests.crawl import PEOPLE, crawl, links

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_street(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from tests.demo.conftest import reload_reference_data

        reload_reference_data()
        call_command("seed_demo", "--tickets", "120", "--days", "20", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


# pages each role must find from its start page (the others: at least the ticket list)
REACHED = {
    "admin": {"/settings/", "/geography/"},
    "handler": {"/inbox/", "/tickets/"},
    "leader": {"/tonight/", "/signoff/", "/map/"},
    "principal": {"/tonight/", "/signoff/", "/audit/personal-data/"},
    "district": {"/district/"},
    "district_leader": {"/district/"},
    "center": {"/places/unresolved/", "/geography/", "/deliveries/", "/visits/import/"},
}


@pytest.mark.parametrize("username", PEOPLE)
def test_every_link_shown_to_a_role_opens_for_that_role(demo_street, username):
    client = Client()
    client.force_login(User.objects.get(username=username))

    pages, failed = crawl(client)

    reached = {url.partition("?")[0] for url, _status in pages}
    assert REACHED.get(username, {"/tickets/"}) <= reached, sorted(reached)  # the role's own pages are linked
    assert not failed, "\n".join(f"{status} {url}  (linked from {on})" for url, (status, on) in failed.items())


def test_the_crawl_reports_a_link_that_refuses(demo_street):
    """The check can fail: a handler sent to the settings page, which only the administrator opens,
    is reported with the page that linked it."""
    client = Client()
    client.force_login(User.objects.get(username="handler"))
    page = client.get("/", follow=True)
    assert page.status_code == 200 and "/settings/" not in links(page.content.decode())

    response = client.get("/settings/", follow=True)

    assert response.status_code in (403, 404)
    assert links('<a href="/settings/">x</a> <a href="https://example.org/">y</a> <a href="/logout/">z</a>') == [
        "/settings/"
    ]

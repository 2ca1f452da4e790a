"""Every link a person is shown leads somewhere: signed in as each demo role on the demo street, follow
the links of the pages (breadth first, same site, GET only) and check that none answers with a server
error, and that none of the links a role is shown refuses that role (a link to a page the role may
not open is a dead end in its navigation). The demo street is what a newcomer sees after `make run`.
Then the pages reached are asked again with odd values in their parameters and path numbers: never a
server error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.http import QueryDict
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


# what people and scripts type into a page's parameters: a day that does not exist, year 1, a number
# too long for any column, a very long text, a negative number, a lone percent sign, a NUL
ODD_VALUES = ["2026-02-30", "0001-01-01", "9" * 23, "x" * 2000, "-1", "%", "\x00"]
# parameters tried on every page besides the ones its links carry
COMMON_PARAMETERS = ["page", "on", "from", "to", "category"]


@pytest.mark.parametrize("username", ["center", "leader"])
def test_odd_values_in_a_pages_parameters_are_never_a_server_error(demo_street, username):
    """Each page the role reaches, once per path: each parameter, and each number in the path, given odd
    values. Found this way: a NUL in a ticket number (PostgreSQL text cannot hold one)."""
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    pages, _failed = crawl(client)
    tried, errors = 0, []
    paths: set[str] = set()
    done: set[tuple] = set()
    for url, status in pages:
        path, _, query = url.partition("?")
        if status != 200 or path in paths:
            continue
        paths.add(path)
        present = dict(QueryDict(query).items())
        asked = [(path, {**present, name: value}) for name in [*present, *COMMON_PARAMETERS] for value in ODD_VALUES]
        # the path's own values (a ticket number, an id) replaced too
        segments = path.split("/")
        for i, segment in enumerate(segments):
            if any(c.isdigit() for c in segment):
                asked += [
                    ("/".join([*segments[:i], quote(v, safe=""), *segments[i + 1 :]]), present) for v in ODD_VALUES
                ]
        for asked_path, params in asked:
            if (key := (asked_path, tuple(sorted(params.items())))) in done:
                continue  # another ticket's path with its number replaced: the same request
            done.add(key)
            response = client.get(asked_path, params)
            tried += 1
            if response.status_code >= 500:
                odd = {k: v[:30] for k, v in params.items() if v in ODD_VALUES}
                errors.append(f"{response.status_code} {asked_path[:80]} {odd}")
    assert tried > 200, tried  # the crawl reached the role's pages
    assert not errors, "\n".join(errors)

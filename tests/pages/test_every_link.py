"""Every link a person is shown leads somewhere: signed in as each demo role on the demo street, follow
the links of the pages (breadth first, same site, GET only) and check that none answers with a server
error, and that none of the links a role is shown refuses that role (a link to a page the role may
not open is a dead end in its navigation). The demo street is what a newcomer sees after `make run`."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from demo.accounts import DEMO_ACCOUNTS
from org.models import Role, User

pytestmark = pytest.mark.django_db

HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"'#][^"']*)["']""", re.IGNORECASE)
# not pages: leaving the session, the Django admin (superusers' own tool), downloads of files and media
SKIPPED = re.compile(r"^/(logout|admin|static|media|i18n)/|/download/|/files/|\.(xlsx|pdf|csv|json|png)$")
PAGES_PER_ROLE = 90
# a family of pages (the same path with other numbers or query values) is visited a few times, not all
SAME_KIND = 3


def _kind(url: str) -> str:
    """The URL with its numbers and query values blanked: /tickets/JXQ123/?page=2 -> /tickets/#/?page=."""
    path, _, query = url.partition("?")
    path = re.sub(r"[0-9A-Za-z]*\d[0-9A-Za-z-]*", "#", path)
    keys = sorted(part.split("=", 1)[0] for part in query.split("&") if part)
    return path + "?" + "&".join(keys)


def _links(html: str) -> list[str]:
    out = []
    for href in HREF.findall(html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/") or SKIPPED.search(parts.path):
            continue
        out.append(href)
    return out


def _crawl(client: Client) -> tuple[list[tuple[str, int]], dict[str, tuple[int, str]]]:
    """(every page visited with its status, the links that failed: url -> (status, the page showing it))"""
    seen_kinds: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    visited: set[str] = set()
    pages, failed = [], {}
    while queue and len(pages) < PAGES_PER_ROLE:
        url, shown_on = queue.popleft()
        if url in visited:
            continue
        kind = _kind(url)
        if seen_kinds.get(kind, 0) >= SAME_KIND:
            continue
        visited.add(url)
        seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
        response = client.get(url, follow=True)
        pages.append((url, response.status_code))
        if response.status_code >= 400:
            failed[url] = (response.status_code, shown_on)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _links(response.content.decode()):
            if link not in visited:
                queue.append((link, url))
    return pages, failed


@pytest.fixture(scope="module")
def demo_street(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from tests.demo.conftest import reload_reference_data

        reload_reference_data()
        call_command("seed_demo", "--tickets", "120", "--days", "20", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


# the roles that use the pages (the platform is a machine client: it has no pages)
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
PEOPLE = [username for username, role, _name, _units in DEMO_ACCOUNTS if role != Role.PLATFORM]


@pytest.mark.parametrize("username", PEOPLE)
def test_every_link_shown_to_a_role_opens_for_that_role(demo_street, username):
    client = Client()
    client.force_login(User.objects.get(username=username))

    pages, failed = _crawl(client)

    reached = {url.partition("?")[0] for url, _status in pages}
    assert REACHED.get(username, {"/tickets/"}) <= reached, sorted(reached)  # the role's own pages are linked
    assert not failed, "\n".join(f"{status} {url}  (linked from {on})" for url, (status, on) in failed.items())


def test_the_crawl_reports_a_link_that_refuses(demo_street):
    """The check can fail: a handler sent to the settings page, which only the administrator opens,
    is reported with the page that linked it."""
    client = Client()
    client.force_login(User.objects.get(username="handler"))
    page = client.get("/", follow=True)
    assert page.status_code == 200 and "/settings/" not in _links(page.content.decode())

    response = client.get("/settings/", follow=True)

    assert response.status_code in (403, 404)
    assert _links('<a href="/settings/">x</a> <a href="https://example.org/">y</a> <a href="/logout/">z</a>') == [
        "/settings/"
    ]

"""Following the links a signed-in person is shown (breadth first, same site, GET only): the crawl of
tests/pages/test_every_link.py (PostgreSQL, in the suite) and of tests/project/embedded_crawl.py (the
embedded defaults, SQLite, in a process of its own)."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

from django.test import Client

from demo.accounts import DEMO_ACCOUNTS
from org.models import Role

# the roles that use the pages (the platform is a machine client: it has no pages)
PEOPLE = [username for username, role, _name, _units in DEMO_ACCOUNTS if role != Role.PLATFORM]

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


def links(html: str) -> list[str]:
    out = []
    for href in HREF.findall(html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/") or SKIPPED.search(parts.path):
            continue
        out.append(href)
    return out


def crawl(client: Client) -> tuple[list[tuple[str, int]], dict[str, tuple[int, str]]]:
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
        for link in links(response.content.decode()):
            if link not in visited:
                queue.append((link, url))
    return pages, failed

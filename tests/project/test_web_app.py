"""The installable web app: the manifest, our own PNG icons, and a service worker whose cache holds the
site's static files only (the browser half of the check is tests/browser/test_web_app_browser.py)."""

import json
import re
import struct

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from jxq_cases.lib.views import APP_SHELL


def _png_size(path: str) -> tuple[int, int]:
    data = open(path, "rb").read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


@pytest.mark.django_db
def test_the_manifest_names_the_app_and_its_icons_exist_at_their_sizes(unit_handler):
    client = Client()
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["name"]
    purposes = set()
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/icons/") and icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        width, height = _png_size(path)
        assert f"{width}x{height}" == icon["sizes"]
        purposes.add(icon["purpose"])
    assert {"any", "maskable"} <= purposes
    assert any(icon["sizes"] == "512x512" for icon in manifest["icons"])
    # every page links it
    client.force_login(unit_handler)
    page = client.get("/inbox/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page


def test_the_service_worker_precaches_static_files_only_and_leaves_everything_else_to_the_network():
    answer = Client().get("/sw.js")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/javascript")
    assert answer["Cache-Control"] == "no-cache"
    script = answer.content.decode()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
    assert precache and all(url.startswith("/static/") for url in precache)
    assert len(precache) == len(APP_SHELL)
    for url in precache:
        assert finders.find(url.removeprefix("/static/")), url
    assert re.search(r'const STATIC_PREFIX = "/static/";', script)
    # the fetch handler answers only static GETs; for anything else it returns without respondWith
    handler = script.split('self.addEventListener("fetch"', 1)[1]
    assert handler.index("if (!isStatic(event.request))") < handler.index("respondWith")
    assert "url.pathname.startsWith(STATIC_PREFIX)" in script and 'request.method === "GET"' in script
    assert "url.origin === self.location.origin" in script
    for never in ("/tickets", "/api", "/notifications", "/dashboard", "/tonight"):
        assert never not in script

"""The app serves its own static files (WhiteNoise), in development and tests straight from static/;
the production side (hashed, compressed names after collectstatic) is tests/browser/test_production_server.py."""

import pytest

PAGES_LINK_THE_ICON = ["/login/", "/report/public/"]


def test_static_files_are_served_by_the_app_itself(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b".site-header" in b"".join(response.streaming_content)


def test_a_missing_static_file_is_a_404(client, db):
    assert client.get("/static/css/missing.css").status_code == 404


@pytest.mark.parametrize("url", PAGES_LINK_THE_ICON)
def test_pages_link_the_favicon(client, db, url):
    body = client.get(url).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body
    assert 'href="/static/favicon.ico"' in body


def test_favicon_ico_answers_at_the_root(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")

"""The production setup in Chromium: the Dockerfile's collectstatic, then docker-compose's web command
(migrate + gunicorn, DEBUG off) against the test database on a free port; a person signs in through
the login form. The stylesheet must apply, htmx and ECharts must load, and nothing may fail in the console.
"""

import gzip
import re
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password

from tests.browser.conftest import OFFICE_SCREEN
from tests.conftest import PASSWORD
from tests.project.production import (
    ROOT,
    command,
    dockerfile_collectstatic,
    free_port,
    hashed,
    health_check,
    production_env,
    start,
    stop,
    wait_until_healthy,
)

BRAND_BLUE = "rgb(21, 76, 140)"  # --brand in static/css/app.css, the header's background


@pytest.fixture(scope="module")
def production_server(django_db_setup, tmp_path_factory):
    """The base URL of gunicorn serving the collected static files with DEBUG off. One server for the
    module: each test's data is committed (transactional tests) and flushed after it, as for live_server."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path, PORT=str(free_port()), WEB_CONCURRENCY="2")
    collected = subprocess.run(
        ["sh", "-c", dockerfile_collectstatic()], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert collected.returncode == 0, collected.stderr
    assert (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists()
    log = tmp_path / "web.log"
    web = start(command("web"), env, log)
    try:
        wait_until_healthy(health_check("web"), env, web, log)
        yield f"http://127.0.0.1:{env['PORT']}"
    finally:
        stop(web)


@pytest.fixture
def signed_in(chromium, production_server):
    """``signed_in(user)`` -> (page, problems): a page signed in through the form, and a list that
    collects console errors, page errors, failed requests and error responses from then on."""
    contexts = []

    def make(user):
        context = chromium.new_context(viewport=OFFICE_SCREEN, locale="zh-CN", base_url=production_server)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems = []
        page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} {request.failure}"))
        page.on(
            "response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}")
        )
        page.goto("/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        return page, problems

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def real_password_hashing(settings):
    """gunicorn checks passwords with the default hashers, not the tests' fast one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    def set_password(user):
        user.password = make_password(PASSWORD)
        user.save(update_fields=["password"])
        return user

    return set_password


def test_workbench_and_dashboard_in_production(signed_in, real_password_hashing, center_staff, production_server):
    page, problems = signed_in(real_password_hashing(center_staff))

    # the workbench: our stylesheet under its hashed name, applied; htmx loaded
    assert page.url == f"{production_server}/tickets/"
    stylesheet = page.locator('link[rel="stylesheet"]').get_attribute("href")
    assert hashed(stylesheet, "css/app.css"), stylesheet
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == BRAND_BLUE
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.echarts") == "undefined"  # only the pages with charts load it

    # the dashboard: computing the nightly snapshot through the page draws the charts with ECharts
    page.goto("/dashboard/")
    assert page.evaluate("typeof window.echarts") == "object"
    # the page's own map data first: a click that leaves the page while it loads aborts that request
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="立即计算").click()
    page.wait_for_load_state("networkidle")
    page.locator('[data-chart="chart-intake"] svg').first.wait_for()
    assert page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('[data-chart=\"chart-rates\"]')) !== undefined"
    )

    assert problems == []


def test_static_files_are_compressed_and_cached_for_good(production_server):
    page = urllib.request.urlopen(f"{production_server}/login/", timeout=10).read().decode()
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    request = urllib.request.Request(f"{production_server}{stylesheet}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
        assert b".site-header" in gzip.decompress(response.read())

    # /favicon.ico answers, with the icon under its hashed name
    with urllib.request.urlopen(f"{production_server}/favicon.ico", timeout=10) as icon:
        assert hashed(urllib.parse.urlparse(icon.url).path, "favicon.ico"), icon.url
        assert icon.read()[:4] == b"\x00\x00\x01\x00"


def test_a_refused_page_is_styled_too(signed_in, real_password_hashing, unit_handler):
    # the dashboard is not a handler's: the 404 page, rendered with DEBUG off, still has its stylesheet
    page, problems = signed_in(real_password_hashing(unit_handler))
    response = page.goto("/dashboard/")
    assert response.status == 404
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == BRAND_BLUE
    # the page's own 404 is the only thing that failed
    assert [problem for problem in problems if "/static/" in problem or "page error" in problem] == []
    assert problems and all("404" in problem for problem in problems)

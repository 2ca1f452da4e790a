"""Security settings come from the environment under Django's own names; with them set, Django's
deployment checklist (`manage.py check --deploy`) has nothing to warn about."""

import subprocess
import sys

import pytest

from tests.project.production import ROOT, production_env

HTTPS = {
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "CSRF_TRUSTED_ORIGINS": "https://jxq.example.gov.cn",
    "SESSION_COOKIE_AGE": "28800",
    "ALLOWED_HOSTS": "jxq.example.gov.cn",
}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_of(env: dict[str, str], *names: str) -> list[str]:
    code = "from django.conf import settings; " + "; ".join(f"print(repr(settings.{name}))" for name in names)
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.fixture
def without_database(tmp_path):
    """A production-like environment on the embedded SQLite file: the checks need no database."""

    def make(**variables: str) -> dict[str, str]:
        env = production_env(tmp_path, **variables)
        del env["DATABASE_URL"]
        return env

    return make


def test_check_deploy_is_silent_with_the_https_variables(without_database):
    result = manage(without_database(**HTTPS), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_https_variables_are_missing(without_database):
    # given the same installation without the HTTPS variables (a plain-HTTP trial)
    env = without_database(ALLOWED_HOSTS="jxq.example.gov.cn")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_the_https_variables_reach_djangos_settings(without_database):
    values = settings_of(
        without_database(**HTTPS),
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_TRUSTED_ORIGINS",
        "SESSION_COOKIE_AGE",
    )
    assert values == [
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "31536000",
        "True",
        "True",
        "['https://jxq.example.gov.cn']",
        "28800",
    ]


def test_https_is_off_by_default(without_database):
    values = settings_of(without_database(), "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE")
    assert values == ["False", "None", "False"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECURE_HSTS_SECONDS", "one year", "SECURE_HSTS_SECONDS must be an integer"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto", "SECURE_PROXY_SSL_HEADER must be a boolean"),
        ("SESSION_COOKIE_SECURE", "sometimes", "SESSION_COOKIE_SECURE must be a boolean"),
    ],
)
def test_a_bad_security_value_stops_the_start(without_database, variable, value, message):
    result = manage(without_database(**{variable: value}), "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_health_probe_is_exempt_from_the_https_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    # the container's probe speaks plain HTTP to gunicorn
    assert client.get("/healthz/").status_code == 200
    # every page is sent to HTTPS, the login page of an anonymous visitor too
    response = client.get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"

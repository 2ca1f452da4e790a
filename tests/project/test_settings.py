import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jxq_cases.lib.env import env_bool, env_float, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_env_readers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("JXQ_TEST_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="JXQ_TEST_BOOL must be a boolean"):
        env_bool("JXQ_TEST_BOOL")
    monkeypatch.setenv("JXQ_TEST_INT", "twenty")
    with pytest.raises(ImproperlyConfigured, match="JXQ_TEST_INT must be an integer"):
        env_int("JXQ_TEST_INT", 1)
    monkeypatch.setenv("JXQ_TEST_FLOAT", "0,5")
    with pytest.raises(ImproperlyConfigured, match="JXQ_TEST_FLOAT must be a number"):
        env_float("JXQ_TEST_FLOAT", 1.0)


def test_env_readers_parse_good_values(monkeypatch):
    monkeypatch.setenv("JXQ_TEST_BOOL", "Yes")
    monkeypatch.setenv("JXQ_TEST_INT", "42")
    monkeypatch.setenv("JXQ_TEST_LIST", "a.example, b.example,,")
    assert env_bool("JXQ_TEST_BOOL") is True
    assert env_int("JXQ_TEST_INT", 1) == 42
    assert env_list("JXQ_TEST_LIST", []) == ["a.example", "b.example"]
    assert env_int("JXQ_TEST_UNSET_INT", 7) == 7
    monkeypatch.setenv("JXQ_TEST_FLOAT", "0.25")
    assert env_float("JXQ_TEST_FLOAT", 1.0) == 0.25
    assert env_float("JXQ_TEST_UNSET_FLOAT", 0.5) == 0.5


def test_a_bad_tuning_number_stops_the_start(tmp_path):
    # the similarity weights are read loudly too: "0,3" is not silently something else
    result = _import_settings({"DEBUG": "1", "JXQ_VAR_DIR": str(tmp_path), "PROACTIVE_SAME_MATTER_THRESHOLD": "0,5"})
    assert result.returncode != 0
    assert "PROACTIVE_SAME_MATTER_THRESHOLD must be a number" in result.stderr


def _import_settings(env: dict) -> subprocess.CompletedProcess:
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    clean.update(env)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "jxq_cases.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _import_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_embedded_defaults_need_no_service(tmp_path):
    # given no DATABASE_URL and no broker: SQLite under var/ and the filesystem transport
    result = _import_settings({"DEBUG": "1", "JXQ_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    assert (tmp_path / "celery" / "out").is_dir()


def test_a_named_database_defaults_to_debug_off_and_needs_a_secret_key(tmp_path):
    result = _import_settings({"DATABASE_URL": "postgres://db.invalid/jxq", "JXQ_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_embedded_defaults_run_without_any_variable(tmp_path):
    # a fresh clone: no DEBUG, no SECRET_KEY, no DATABASE_URL -> SQLite with debug pages
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    )
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env.update({"JXQ_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "jxq_cases.settings"})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]

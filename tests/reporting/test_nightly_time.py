"""The nightly snapshot is ready before the leaders' 23:00 look: it runs at REPORTING_NIGHTLY_AT
(22:30 by default), and the jobs that read it follow."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jxq_cases.lib.env import env_time

ROOT = Path(__file__).resolve().parents[2]


def _hour_minute(entry: str) -> tuple[int, int]:
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]
    return next(iter(schedule.hour)), next(iter(schedule.minute))


def test_the_snapshot_runs_at_half_past_ten_and_the_ranking_after_it():
    assert settings.REPORTING_NIGHTLY_AT == (22, 30)
    assert _hour_minute("reporting-nightly-snapshot") == (22, 30)
    assert _hour_minute("reporting-daily-ranking") == (22, 45)
    assert _hour_minute("reporting-daily-ranking") < (23, 0)


def test_the_time_is_read_loudly(monkeypatch):
    monkeypatch.setenv("JXQ_TEST_TIME", "21:05")
    assert env_time("JXQ_TEST_TIME", "22:30") == (21, 5)
    assert env_time("JXQ_TEST_UNSET_TIME", "22:30") == (22, 30)
    for bad in ("23", "22:3", "24:00", "22:60", "half past ten", "-1:30"):
        monkeypatch.setenv("JXQ_TEST_TIME", bad)
        with pytest.raises(ImproperlyConfigured, match="JXQ_TEST_TIME must be a time of day as HH:MM"):
            env_time("JXQ_TEST_TIME", "22:30")


def test_another_time_moves_the_schedule_and_a_bad_one_stops_the_start(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; s = settings.CELERY_BEAT_SCHEDULE; "
        "print(*[sorted(s[k]['schedule'].hour)[0] * 60 + sorted(s[k]['schedule'].minute)[0] "
        "for k in ('reporting-nightly-snapshot', 'reporting-daily-ranking')])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(DEBUG="1", JXQ_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="jxq_cases.settings")

    def run(value):
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**env, "REPORTING_NIGHTLY_AT": value},
            capture_output=True,
            text=True,
            timeout=60,
        )

    moved = run("23:50")
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.split() == [str(23 * 60 + 50), str(5)]  # the ranking wraps past midnight
    refused = run("22h30")
    assert refused.returncode != 0 and "REPORTING_NIGHTLY_AT must be a time of day" in refused.stderr

"""The reporting jobs run in a real Celery worker, through the broker of the settings (Redis in
``make test``), against the test database."""

import datetime as dt
import time

import pytest
from django.conf import settings

from jxq_cases.celery import app
from org.models import Unit
from reporting import tasks
from reporting.models import Job, Snapshot
from tests.conftest import wait_for
from tests.factories import counted_ticket


@pytest.mark.django_db(transaction=True)
def test_the_jobs_run_in_a_worker_and_a_rerun_replaces_the_snapshot(celery_worker):
    community_a = Unit.objects.get(name="南路社区")
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test runs the worker against Redis"
    counted_ticket("2023-03-15 09:00", unit=community_a, visit="yyy")
    counted_ticket("2023-03-15 10:00", unit=community_a, visit="ynn")

    for _ in range(2):
        tasks.nightly_snapshot.delay("2023-03-15")
    tasks.monthly_bulletin.delay("2023-03-01")

    assert wait_for(lambda: Snapshot.objects.filter(job=Job.MONTHLY).exists())
    assert wait_for(lambda: Snapshot.objects.filter(job=Job.NIGHTLY, computed_at__isnull=False).count() == 1)
    # both nightly runs went through the worker (the queue is drained in order) and left one row
    time.sleep(0.5)
    assert Snapshot.objects.filter(job=Job.NIGHTLY, period_start=dt.date(2023, 3, 15)).count() == 1
    nightly = Snapshot.objects.get(job=Job.NIGHTLY)
    assert nightly.data["intake_today"]["total"] == 2
    assert nightly.data["month"]["street"]["resolution"] == 50.0
    monthly = Snapshot.objects.get(job=Job.MONTHLY)
    assert (monthly.period_start, monthly.period_end) == (dt.date(2023, 3, 1), dt.date(2023, 3, 31))
    assert monthly.data["street"]["composite"] == 55.0


def test_the_beat_schedule_runs_registered_tasks_at_their_hours():
    app.loader.import_default_modules()
    entries = {name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if name.startswith("reporting-")}

    # the four snapshot jobs run once per street (reporting.every_street); the digest and the fold once
    assert {(entry["task"], *entry.get("args", ())) for entry in entries.values()} == {
        (tasks.every_street.name, tasks.nightly_snapshot.name),
        (tasks.every_street.name, tasks.daily_ranking.name),
        (tasks.every_street.name, tasks.weekly_analysis.name),
        (tasks.every_street.name, tasks.monthly_bulletin.name),
        (tasks.leaders_digest.name,),
        (tasks.fold_tallies.name,),
    }
    assert entries["reporting-fold-tallies"]["schedule"].minute == set(range(0, 60, 10))
    assert all(entry["task"] in app.tasks for entry in entries.values())
    nightly = entries["reporting-nightly-snapshot"]["schedule"]
    assert (nightly.hour, nightly.minute) == ({22}, {30})  # in CELERY_TIMEZONE, Beijing time: before 23:00
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert entries["reporting-weekly-analysis"]["schedule"].day_of_week == {1}  # Monday
    assert entries["reporting-monthly-bulletin"]["schedule"].day_of_month == {1}

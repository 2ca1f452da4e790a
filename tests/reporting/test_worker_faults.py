"""A job survives its worker dying mid-job (docs/architecture.md, "Jobs and faults").

A real worker runs in its own process (``celery -A jxq_cases worker --pool=prefork --concurrency=1``)
against the test database and Redis. The job is the nightly snapshot behind a test-only wrapper that
notes each attempt and waits a few seconds first (``fault_jobs``), so that it can be killed mid-job:

- the pool process killed (out of memory, a crash): the message goes back to the queue at once
  (``task_reject_on_worker_lost`` with late acks), the restarted pool process runs the job again;
- the whole worker killed (the machine or container gone): Redis hands the unacknowledged message to
  the next worker once the visibility timeout has passed (here 5 s, through CELERY_VISIBILITY_TIMEOUT).
"""

import datetime as dt
import os
import signal
import time
import uuid

import pytest

from jxq_cases.celery import app
from reporting.models import Job, Snapshot
from tests.conftest import wait_for
from tests.factories import counted_ticket
from tests.processes import Worker
from tests.reporting.fault_jobs import slow_nightly_snapshot

DAY = "2023-03-15"


def _tickets() -> None:
    for hour in (9, 10, 11):
        counted_ticket(f"{DAY} {hour:02d}:00", visit="yyy")


def _attempts(path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def _snapshot_taken() -> bool:
    return Snapshot.objects.filter(job=Job.NIGHTLY, period_start=dt.date(2023, 3, 15)).exists()


def test_every_job_is_acknowledged_late_and_rejected_when_its_worker_is_lost():
    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert {"reporting.nightly_snapshot", "proactive.tasks.find_hotspots", "dispatch.mark_deadline_warnings"} <= {
        task.name for task in ours
    }
    assert all(task.acks_late and task.reject_on_worker_lost for task in ours)


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_pool_process_is_killed_runs_again(tmp_path):
    _tickets()
    attempts = tmp_path / "attempts"
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    worker = Worker(tmp_path / "worker.log", queue=queue, include="tests.reporting.fault_jobs")
    try:
        slow_nightly_snapshot.apply_async(args=[str(attempts), DAY, 4], queue=queue)
        assert wait_for(lambda: len(_attempts(attempts)) == 1, timeout=30), (tmp_path / "worker.log").read_text()
        first = _attempts(attempts)[0]
        assert first in worker.pool_children(), "the job runs in the worker's pool process"
        os.kill(first, signal.SIGKILL)  # mid-job: the job sleeps 4 s before it writes anything

        assert wait_for(_snapshot_taken, timeout=60), (tmp_path / "worker.log").read_text()
        again = _attempts(attempts)
        assert len(again) == 2 and again[1] != first, "redelivered to the new pool process, once"
        assert worker.process.poll() is None, "the worker itself lived on"
        snapshot = Snapshot.objects.get(job=Job.NIGHTLY)
        assert snapshot.data["intake_today"]["total"] == 3
    finally:
        worker.stop()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_whole_worker_is_killed_runs_on_the_next_worker(tmp_path):
    _tickets()
    attempts = tmp_path / "attempts"
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    visibility = {"CELERY_VISIBILITY_TIMEOUT": "5"}
    first_worker = Worker(tmp_path / "first.log", queue=queue, include="tests.reporting.fault_jobs", **visibility)
    try:
        slow_nightly_snapshot.apply_async(args=[str(attempts), DAY, 4], queue=queue)
        assert wait_for(lambda: len(_attempts(attempts)) == 1, timeout=30), (tmp_path / "first.log").read_text()
    finally:
        first_worker.kill_all()  # the main process and its pool, mid-job
    killed_at = time.monotonic()
    assert not _snapshot_taken()

    second_worker = Worker(tmp_path / "second.log", queue=queue, include="tests.reporting.fault_jobs", **visibility)
    try:
        assert wait_for(_snapshot_taken, timeout=60), (tmp_path / "second.log").read_text()
        # handed out again after the visibility timeout (5 s), not after kombu's default hour
        assert time.monotonic() - killed_at < 40
        assert len(_attempts(attempts)) == 2
        assert Snapshot.objects.get(job=Job.NIGHTLY).data["intake_today"]["total"] == 3
    finally:
        second_worker.stop()

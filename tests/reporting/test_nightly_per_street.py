"""The nightly job per street (docs/district.md, "Jobs per street"): ``reporting.every_street`` queues
one task per street as a Celery group, real workers in their own processes run them, each street's
snapshot holds only its own tickets, and one street's failure does not stop the others."""

import datetime as dt
import uuid

import pytest

from org.models import Street, Unit
from org.streets import add_street
from reporting.models import Job, Snapshot
from reporting.tasks import every_street
from tests.conftest import wait_for
from tests.factories import counted_ticket
from tests.processes import Worker

DAY = "2023-03-15"


def _streets_with_tickets() -> dict[str, int]:
    """Three streets, each with its own number of tickets on DAY."""
    from org.units import load_jiuxianqiao_units

    load_jiuxianqiao_units(Unit)
    counts = {"酒仙桥街道": 1, "将台街道": 2, "东坝乡": 3}
    for name, count in counts.items():
        street = Street.objects.filter(name=name).first() or add_street(name, "朝阳区")
        for hour in range(count):
            counted_ticket(
                f"{DAY} {9 + hour:02d}:00", unit=Unit.objects.get(street=street, name="南路社区"), visit="yyy"
            )
    return counts


def _snapshots() -> dict[str, int]:
    return {
        s.street.name: s.data["intake_today"]["total"]
        for s in Snapshot.objects.filter(job=Job.NIGHTLY, period_start=dt.date(2023, 3, 15)).select_related("street")
    }


@pytest.mark.django_db(transaction=True)
def test_one_streets_failure_does_not_stop_the_others(tmp_path):
    counts = _streets_with_tickets()
    queue = f"streets-{uuid.uuid4().hex[:8]}"
    worker = Worker(tmp_path / "worker.log", queue=queue, include="tests.reporting.fault_jobs")
    try:
        every_street.apply_async(args=["tests.nightly_unless", DAY, "将台街道"], kwargs={"queue": queue}, queue=queue)
        assert wait_for(lambda: len(_snapshots()) == 2, timeout=60), (tmp_path / "worker.log").read_text()
        log = (tmp_path / "worker.log").read_text()
        assert wait_for(lambda: "the nightly job of 将台街道 failed" in (tmp_path / "worker.log").read_text(), 30), log
    finally:
        worker.stop()
    # the broken street has no snapshot; the others have theirs, each with its own tickets only
    assert _snapshots() == {"酒仙桥街道": counts["酒仙桥街道"], "东坝乡": counts["东坝乡"]}


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_a_districts_night(tmp_path):
    counts = _streets_with_tickets()
    queue = f"streets-{uuid.uuid4().hex[:8]}"
    workers = [Worker(tmp_path / f"worker{n}.log", queue=queue) for n in (1, 2)]
    try:
        every_street.apply_async(args=["reporting.nightly_snapshot", DAY], kwargs={"queue": queue}, queue=queue)
        assert wait_for(lambda: len(_snapshots()) == 3, timeout=90), [
            (tmp_path / f"worker{n}.log").read_text() for n in (1, 2)
        ]
    finally:
        for worker in workers:
            worker.stop()
    assert _snapshots() == counts

"""A test-only job for the fault tests, loaded only by the worker those tests start (``--include``):
it notes each attempt (the pid of the process running it) in a file, waits long enough to be killed
mid-job, then runs the real nightly snapshot job."""

import os
import time

from jxq_cases.celery import app
from reporting import tasks


@app.task(name="tests.slow_nightly_snapshot")
def slow_nightly_snapshot(attempts_file: str, on: str, seconds: float) -> int:
    with open(attempts_file, "a") as attempts:
        attempts.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    return tasks.nightly_snapshot(on)


@app.task(name="tests.nightly_unless")
def nightly_unless(on: str, broken_street: str, street_id: int) -> int:
    """The real nightly job of one street, except for ``broken_street``, whose job fails (a bug, not
    retried): for the test that one street's failure does not stop the others."""
    from org.models import Street

    if Street.objects.get(pk=street_id).name == broken_street:
        raise RuntimeError(f"the nightly job of {broken_street} failed")
    return tasks.nightly_snapshot(on, street_id=street_id)

"""scripts/ensure-browser.sh waits for apt's locks instead of failing while another apt-get holds them.

The tests hold the locks as apt itself does (fcntl write locks) and run the script's two apt functions:
installing a package that is already installed (Chromium, which the browser tests need anyway) needs
the dpkg lock and nothing from the network; the lists update is only watched waiting, then stopped.
"""

import fcntl
import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from tests.project.production import ROOT

SCRIPT = ROOT / "scripts" / "ensure-browser.sh"
DPKG_LOCK = Path("/var/lib/dpkg/lock-frontend")
LISTS_LOCK = Path("/var/lib/apt/lists/lock")


@contextmanager
def holding(lock: Path, seconds: float | None = None):
    """Hold apt's lock file; with ``seconds``, let go after that long while the body runs."""
    with lock.open("a") as handle:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        release = threading.Timer(seconds, fcntl.lockf, (handle, fcntl.LOCK_UN)) if seconds else None
        if release:
            release.start()
        try:
            yield
        finally:
            if release:
                release.cancel()
            fcntl.lockf(handle, fcntl.LOCK_UN)


def script_function(call: str) -> list[str]:
    return ["bash", "-c", f'source "{SCRIPT}" && {call}']


def test_install_waits_for_the_dpkg_lock():
    started = time.monotonic()
    with holding(DPKG_LOCK, seconds=3):
        result = subprocess.run(
            script_function("apt_get_install --no-upgrade chromium"), capture_output=True, text=True, timeout=300
        )
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 3  # it waited for the lock rather than failing at once


def test_update_waits_for_the_package_lists_lock():
    with holding(LISTS_LOCK):
        update = subprocess.Popen(
            script_function("apt_get_update"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(3)
        still_waiting = update.poll() is None
        os.killpg(update.pid, signal.SIGTERM)
        output, errors = update.communicate(timeout=30)
    assert still_waiting, errors
    assert "waiting for another apt-get to release the package lists" in output

"""The pages on the embedded defaults (SQLite, the filesystem broker): what `make run` gives a newcomer.
The rest of the suite runs on PostgreSQL; a query only SQLite refuses (an ORDER BY inside a UNION made
the unit inbox a server error there) is caught here, in a process of its own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_demo_person_crawls_the_demo_street_on_sqlite_without_an_error(tmp_path):
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env.update({"JXQ_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "jxq_cases.settings"})
    result = subprocess.run(
        [sys.executable, "tests/project/embedded_crawl.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "handler: " in result.stdout and "no page failed" in result.stdout
    assert (tmp_path / "jxq_cases.sqlite3").exists()  # it ran on the embedded database

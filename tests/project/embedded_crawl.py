"""What a newcomer's `make run` serves, crawled: run as a script on the embedded defaults (no
DATABASE_URL, no broker: SQLite and the filesystem transport under JXQ_VAR_DIR), it migrates, seeds a
small demo street and follows the links each demo person is shown (tests.crawl), as
tests/pages/test_every_link.py does on PostgreSQL. Prints every page that answered with an error and
exits 1 if there was one.

    JXQ_VAR_DIR=$(mktemp -d) .venv/bin/python tests/project/embedded_crawl.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from org.models import User  # noqa: E402
from tests.crawl import PEOPLE, crawl  # noqa: E402


def main() -> int:
    assert connection.vendor == "sqlite", connection.vendor  # the embedded defaults, not a server
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", "--tickets", "120", "--days", "20", verbosity=0)
    failures = []
    for username in PEOPLE:
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages, failed = crawl(client)
        print(f"{username}: {len(pages)} pages")
        failures += [f"{username}: {status} {url} (linked from {on})" for url, (status, on) in failed.items()]
    print("\n".join(failures) or "no page failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

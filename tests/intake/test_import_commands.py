"""The import commands: counts on success; every bad row and a non-zero exit on failure."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from intake.models import ReturnVisit, Ticket

from .helpers import ZH_TICKET_HEADER, ZH_VISIT_HEADER, write_csv, zh_ticket

pytestmark = pytest.mark.django_db


def run_command(*args) -> subprocess.CompletedProcess:
    """The command in a real process (its exit status is what scripts and cron see), on the test database."""
    db = connection.settings_dict
    login = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    url = f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url} if connection.vendor == "postgresql" else dict(os.environ)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_import_tickets_prints_the_counts(sample_exports):
    out = StringIO()
    call_command("import_tickets", str(sample_exports / "tickets_gb18030.csv"), stdout=out)
    assert "300 rows (gb18030): 300 created, 0 updated, 0 unchanged" in out.getvalue()

    call_command("import_visits", str(sample_exports / "visits_utf8_bom.csv"), stdout=out)
    assert "270 rows (utf-8): 270 created, 0 updated, 0 unchanged" in out.getvalue()


def test_import_tickets_lists_bad_rows_and_fails(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [ZH_TICKET_HEADER, zh_ticket("C1"), zh_ticket("C2", community="火星社区")])
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_tickets", str(path), stderr=err)

    assert 'row 3, column community, value "火星社区": is not a community of the street' in err.getvalue()
    assert "not imported" in str(caught.value)
    assert Ticket.objects.count() == 0


def test_import_visits_fails_for_an_unknown_ticket(tmp_path):
    path = write_csv(tmp_path / "v.csv", [ZH_VISIT_HEADER, "NOPE,2024-05-09 10:00,是,是,是,否"])
    with pytest.raises(CommandError):
        call_command("import_visits", str(path), stderr=StringIO())
    assert ReturnVisit.objects.count() == 0


# transactional: the command runs in another process, which sees only committed rows (the street and
# its units, reloaded and committed by the reference-data fixture when a flush removed them)
@pytest.mark.django_db(transaction=True)
def test_the_command_exit_code_is_non_zero_on_a_bad_file(tmp_path):
    # a real process: the exit status is what scripts and cron see
    path = tmp_path / "missing-column.csv"
    write_csv(path, ["工单编号,来源", "A1,市级直派"])
    done = run_command("import_tickets", str(path))
    assert done.returncode == 1
    assert "received_at (受理时间)" in done.stderr


def test_an_unknown_user_is_refused(tmp_path):
    path = write_csv(tmp_path / "ok.csv", [ZH_TICKET_HEADER, zh_ticket("U1")])
    with pytest.raises(CommandError, match="no user"):
        call_command("import_tickets", str(path), "--user", "nobody")
    assert Ticket.objects.count() == 0


# transactional: the command runs in another process, which sees only committed rows (the street and
# its units, reloaded and committed by the reference-data fixture when a flush removed them)
@pytest.mark.django_db(transaction=True)
def test_the_messages_are_in_chinese_by_default(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [ZH_TICKET_HEADER, zh_ticket("C2", community="火星社区")])
    done = run_command("import_tickets", str(path))
    assert done.returncode == 1
    assert "第 2 行,列 community,值“火星社区”:不是本街道的社区" in done.stderr
    assert "文件未导入(未做任何修改)" in done.stderr

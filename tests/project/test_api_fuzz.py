"""The whole API, fuzzed: schemathesis (pinned in requirements.txt) generates requests from the
OpenAPI document — boundary values, wrong types, odd JSON, sequences of calls — against the product
served by gunicorn in its own process, with data in most workflow states, authenticated with real
tokens from ``POST /api/v1/auth/token/``. No answer may be a server error, and every answer must
match the document (docs/architecture.md, "API checks").

The run is bounded and repeatable: a fixed seed, few examples per operation. The server's broker is a
port nothing listens on, so nothing generated is queued for a later test's worker, and the one
operation that queues a job (``POST /api/v1/hotspots/run/``) must answer its documented 503.
"""

import json
import os
import re
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from dispatch.models import ExclusionStatus
from intake.models import Status
from org.models import Unit
from proactive import cases
from proactive.hotspots import find_hotspots
from tests.dispatch.helpers import add_exclusion, add_extension, add_pending_draft, add_send_back, add_signed_draft
from tests.factories import make_ticket, ticket_in
from tests.proactive.conftest import MARKET
from tests.processes import Server, api_token, closed_port, use_product_password_hashing

# a fixed seed: the same cases every run (JXQ_FUZZ_SEED explores others)
SEED = int(os.environ.get("JXQ_FUZZ_SEED", "20260601"))
# examples per operation and generation phase, as center staff / as a unit handler; the coverage
# phase adds its boundary cases on top. About a minute and a half in all on the 2-core machine.
MAX_EXAMPLES = {"center": 25, "handler": 12}
# the schemathesis CLI, with a guard against a Python 3.11.7 bug (see the module)
SCHEMATHESIS = [sys.executable, str(Path(__file__).with_name("schemathesis_cli.py"))]


def _tickets(unit, co_unit, author, leader) -> list[str]:
    """Tickets in most workflow states, with what waits on them (drafts, requests)."""
    now = timezone.now()
    made = [
        make_ticket(),
        make_ticket(content="灯"),  # one character: too short for any similarity feature
        ticket_in(Status.TRIAGED),
        ticket_in(Status.DISPATCHED, lead_unit=unit),
        ticket_in(Status.DISPATCHED, lead_unit=unit, acknowledged_at=now - timedelta(hours=1)),
        ticket_in(Status.CONTACTED, lead_unit=unit),
        ticket_in(Status.REVIEWED, lead_unit=unit),
        ticket_in(Status.REPLIED, lead_unit=unit),
        ticket_in(Status.VISITED, lead_unit=unit),
        ticket_in(Status.CLOSED, lead_unit=unit),
        ticket_in(Status.SENT_BACK),
    ]
    co_handled = ticket_in(Status.HANDLING, lead_unit=co_unit)
    co_handled.co_units.add(unit)
    drafted = ticket_in(Status.HANDLING, lead_unit=unit, is_key=True)
    add_pending_draft(drafted, author, chain=("section_leader", "principal_leader"))
    excluding = ticket_in(Status.HANDLING, lead_unit=unit)
    add_exclusion(excluding, author)
    decided = ticket_in(Status.HANDLING, lead_unit=unit)
    add_exclusion(decided, author, status=ExclusionStatus.SIGNED_OFF)
    asking = ticket_in(Status.CONTACTED, lead_unit=unit)
    add_extension(asking, author)
    add_send_back(asking, author)
    add_signed_draft(made[6], author)
    merged = ticket_in(Status.MERGED, merged_into=made[0])
    taken = ticket_in(Status.HANDLING, lead_unit=unit, taken_by=leader)
    made += [co_handled, drafted, excluding, decided, asking, merged, taken]
    return [t.ticket_no for t in made]


def _market_hotspot(center_staff) -> list[int]:
    """A hot spot (four tellings of one matter) and a proactive case on it: ids for the id paths."""
    community = Unit.objects.get(name="南路社区")
    for days, text in enumerate(MARKET):
        make_ticket(content=text, community=community, received_at=timezone.now() - timedelta(days=days + 1))
    run = find_hotspots(timezone.localdate(), days=30)
    hotspot = run.hotspots.first()
    case = cases.create_case(actor=center_staff, title="早市噪音", hotspot=hotspot)
    return [hotspot.pk, case.pk]


def _config(path: Path, ticket_nos: list[str], ids: list[int]) -> Path:
    """Schemathesis's configuration: the existing tickets and ids are offered to the path parameters
    (so that most requests reach a real ticket instead of a 404), and the job queue's 503 is expected."""
    path.write_text(
        f"""
[dictionaries.tickets]
values = {json.dumps(ticket_nos, ensure_ascii=False)}

[dictionaries.ids]
values = {json.dumps(ids)}

[parameters]
"path.ticket_no" = {{ dictionary = "tickets", probability = 0.9 }}
"path.id" = {{ dictionary = "ids", probability = 0.9 }}

[[operations]]
include-path = "/api/v1/hotspots/run/"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]
""",
        encoding="utf-8",
    )
    return path


def _document(server: Server, path: Path) -> Path:
    """The server's OpenAPI document as the fuzzer reads it: without the multipart variant of the
    action body (a note with its photos). Schemathesis 4.32 cannot generate invalid or
    dictionary-bound bodies holding a list of files — it stops with its own runtime error
    "Unsupported type: 'Binary'"; the JSON variant carries every action, and notes with files are
    tested in tests/dispatch/test_attachments.py. Everything else, responses included, is as served."""
    with urllib.request.urlopen(f"{server.url}/api/schema/?format=json", timeout=30) as answer:
        document = json.loads(answer.read())
    body = document["paths"]["/api/v1/tickets/{ticket_no}/actions/"]["post"]["requestBody"]["content"]
    del body["multipart/form-data"]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _fuzz(server: Server, document: Path, token: str, config: Path, max_examples: int, workdir: Path):
    args = [*SCHEMATHESIS, "--config-file", str(config), "--no-color", "run", str(document), "--url", server.url]
    args += ["--header", f"Authorization: Token {token}", "--seed", str(SEED), "--max-examples", str(max_examples)]
    args += ["--checks", "not_a_server_error,response_schema_conformance", "--workers", "2", "--no-shrink"]
    args += ["--request-timeout", "30", "--warnings", "off"]
    # the token endpoints belong to the authentication tests: fuzzing them only locks accounts or
    # revokes the very token the run authenticates with
    args += ["--exclude-path", "/api/v1/auth/token/", "--exclude-path", "/api/v1/auth/token/revoke/"]
    # the hypothesis database and any report stay in the test's own directory, not the repository
    return subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=600)


@pytest.mark.django_db(transaction=True)
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    tmp_path, settings, center_staff, unit_handler, handler_unit, other_unit, section_leader
):
    use_product_password_hashing(settings, center_staff, unit_handler)
    ticket_nos = _tickets(handler_unit, other_unit, unit_handler, section_leader)
    ids = _market_hotspot(center_staff)
    config = _config(tmp_path / "schemathesis.toml", ticket_nos, ids)

    server = Server(tmp_path / "server.log", CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0")
    try:
        document = _document(server, tmp_path / "openapi.json")
        for username, user in (("center", center_staff), ("handler", unit_handler)):
            assert user.username == username
            run = _fuzz(server, document, api_token(server, username), config, MAX_EXAMPLES[username], tmp_path)
            (tmp_path / f"schemathesis-{username}.log").write_text(run.stdout)
            summary = run.stdout[-6000:]
            assert run.returncode == 0, f"schemathesis as {username}:\n{summary}\n{run.stderr[-2000:]}"
            assert re.search(r"\d+ generated, \d+ passed", summary), summary
    finally:
        server.stop()
    assert "Internal Server Error" not in (tmp_path / "server.log").read_text()

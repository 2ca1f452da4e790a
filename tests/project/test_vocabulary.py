"""The time and status vocabulary stays in one place (docs/architecture.md, "Vocabulary").

Product code is every Python file of the project's top-level packages but the tests and the
benchmarks, migrations left out. In it:

- only the settings spell the street's time zone (``TIME_ZONE``), comments included;
- only ``jxq_cases/lib/clock.py`` makes a ``ZoneInfo`` or reads Django's local clock
  (``timezone.localdate`` / ``timezone.localtime``): everything else asks the clock;
- only ``intake/models.py`` lists two or more statuses together (``Status.X`` members, or their
  codes as strings): everything else names a group defined there — except the ``moves_to=`` of a
  workflow declaration, which says where that one action leads rather than naming a group;
- the settings read numbers through the loud readers of ``jxq_cases/lib/env.py``, never
  ``float(...)`` or ``int(...)`` around a raw read of the environment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from intake.models import Status

ROOT = Path(__file__).resolve().parents[2]
NOT_PRODUCT = {"tests", "bench"}
SETTINGS = "jxq_cases/settings.py"
CLOCK = "jxq_cases/lib/clock.py"
STATUS_HOME = "intake/models.py"
ZONE = settings.TIME_ZONE

# Files that another change is rewriting or moving, which still break a rule. Each entry is the
# rule and the file; the list only shrinks: an entry that is no longer needed fails the test too.
PENDING = {}


def product_files() -> list[Path]:
    files = []
    for package in sorted(ROOT.iterdir()):
        if package.name in NOT_PRODUCT or not (package / "__init__.py").is_file():
            continue
        files += [p for p in sorted(package.rglob("*.py")) if "migrations" not in p.relative_to(ROOT).parts]
    return files


# --- the rules: each takes a file's path (relative, posix) and text, and returns its offending lines ---


def zone_spelled(path: str, text: str) -> list[int]:
    if path == SETTINGS:
        return []
    return [number for number, line in enumerate(text.splitlines(), 1) if ZONE in line]


def zone_made(path: str, text: str) -> list[int]:
    if path == CLOCK:
        return []
    return [node.lineno for node in ast.walk(ast.parse(text)) if _is_call(node, "ZoneInfo")]


def local_clock(path: str, text: str) -> list[int]:
    if path == CLOCK:
        return []
    return [
        node.lineno
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"localdate", "localtime"}
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "timezone"
    ]


def status_groups(path: str, text: str) -> list[int]:
    if path == STATUS_HOME:
        return []
    lines = []
    tree = ast.parse(text)
    declared_targets = {
        id(keyword.value)
        for keyword in ast.walk(tree)
        if isinstance(keyword, ast.keyword) and keyword.arg == "moves_to"
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Tuple | ast.List | ast.Set) or id(node) in declared_targets:
            continue
        members = [e for e in node.elts if _is_status_member(e)]
        codes = [e for e in node.elts if isinstance(e, ast.Constant) and e.value in Status.values]
        # a list of words that are all status codes is a group too ("sent_back", "merged")
        if len(members) >= 2 or (len(codes) >= 2 and len(codes) == len(node.elts)):
            lines.append(node.lineno)
    return lines


def env_bypassed(path: str, text: str) -> list[int]:
    if path != SETTINGS:
        return []
    return [
        node.lineno
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"float", "int", "bool"}
        and any(_reads_environment(arg) for arg in node.args)
    ]


def _is_call(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (isinstance(func, ast.Attribute) and func.attr == name)


def _is_status_member(node: ast.AST) -> bool:
    if not isinstance(node, ast.Attribute) or node.attr not in Status.names:
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id == "Status") or (
        isinstance(owner, ast.Attribute) and owner.attr == "Status"
    )


def _reads_environment(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if _is_call(inner, "env_str") or _is_call(inner, "getenv"):
            return True
        if isinstance(inner, ast.Attribute) and inner.attr == "environ":
            return True
    return False


RULES = {
    "zone_spelled": zone_spelled,
    "zone_made": zone_made,
    "local_clock": local_clock,
    "status_groups": status_groups,
    "env_bypassed": env_bypassed,
}


def findings(rule: str) -> dict[str, list[int]]:
    found = {}
    for file in product_files():
        path = file.relative_to(ROOT).as_posix()
        lines = sorted(RULES[rule](path, file.read_text(encoding="utf-8")))
        if lines:
            found[path] = lines
    return found


@pytest.mark.parametrize("rule", RULES)
def test_product_code_keeps_the_vocabulary_in_one_place(rule):
    found = findings(rule)
    pending = {path for name, path in PENDING if name == rule}
    offending = {path: lines for path, lines in found.items() if path not in pending}
    assert offending == {}, f"{rule}: use jxq_cases.lib.clock / the status groups of intake.models ({offending})"
    stale = pending - set(found)
    assert stale == set(), f"{rule}: these files keep the rule now; take them off PENDING: {sorted(stale)}"


def test_the_product_code_is_found():
    paths = {file.relative_to(ROOT).as_posix() for file in product_files()}
    assert {SETTINGS, CLOCK, STATUS_HOME, "reporting/rates.py", "dispatch/deadlines.py"} <= paths
    assert not any(path.startswith(("tests/", "bench/")) or "/migrations/" in path for path in paths)


# --- each rule catches what it is meant to catch (and lets its home through) ---


def test_the_zone_is_spelled_only_in_the_settings():
    text = f'TZ = "{ZONE}"\n# wall clock in {ZONE}\n'
    assert zone_spelled("reporting/rates.py", text) == [1, 2]
    assert zone_spelled(SETTINGS, text) == []


def test_zone_info_is_made_only_by_the_clock():
    text = "import zoneinfo\nfrom zoneinfo import ZoneInfo\nA = ZoneInfo('UTC')\nB = zoneinfo.ZoneInfo('UTC')\n"
    assert sorted(zone_made("proactive/cases.py", text)) == [3, 4]
    assert zone_made(CLOCK, text) == []


def test_djangos_local_clock_is_read_only_by_the_clock():
    text = (
        "from django.utils import timezone\n"
        "day = timezone.localdate()\n"
        "at = timezone.localtime(x)\n"
        "n = timezone.now()\n"
    )
    assert sorted(local_clock("reporting/views.py", text)) == [2, 3]
    assert local_clock(CLOCK, text) == []


def test_status_groups_live_beside_status():
    text = (
        "A = (Status.SENT_BACK, Status.MERGED)\n"
        "B = frozenset({models.Status.HANDLING, models.Status.REHANDLING})\n"
        "C = ['sent_back', 'merged']\n"
        "D = (Status.CLOSED,)\n"
        "E = ('pending', 'signed_off')\n"
        "F = ('closed', 'a word')\n"
    )
    assert sorted(status_groups("reporting/drilldown.py", text)) == [1, 2, 3]
    assert status_groups(STATUS_HOME, text) == []


def test_settings_read_numbers_through_the_loud_readers():
    text = (
        "import os\n"
        "A = float(env_str('A', '0.5'))\n"
        "B = int(os.environ.get('B', '1'))\n"
        "C = float(os.getenv('C') or 2)\n"
        "D = env_float('D', 0.5)\n"
        "E = int(2.5)\n"
    )
    assert sorted(env_bypassed(SETTINGS, text)) == [2, 3, 4]

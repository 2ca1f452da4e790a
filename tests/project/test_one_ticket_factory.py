"""The tests write tickets in one place (tests/factories.py), so a new required column is added once."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FACTORY = TESTS / "factories.py"


def _ticket_writes(path: Path) -> list[str]:
    """``Ticket.objects.create(...)``, ``Ticket.objects.bulk_create(...)`` and ``Ticket(...)`` in a file."""
    found = []
    where = path.relative_to(TESTS.parent) if path.is_relative_to(TESTS.parent) else path
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Ticket":
            found.append(f"{where}:{node.lineno} Ticket(...)")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "Ticket"
        ):
            found.append(f"{where}:{node.lineno} Ticket.objects.{func.attr}(...)")
    return found


def test_tickets_are_written_only_by_the_factory():
    writes = [hit for path in sorted(TESTS.rglob("*.py")) if path != FACTORY for hit in _ticket_writes(path)]
    assert writes == [], "write test tickets with tests/factories.py:\n" + "\n".join(writes)


def test_the_guard_sees_a_ticket_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("Ticket.objects.create(ticket_no='x')\nTicket(ticket_no='y')\n", encoding="utf-8")
    assert len(_ticket_writes(sample)) == 2
    assert len(_ticket_writes(FACTORY)) == 1

"""The layer rule of docs/architecture.md, checked on the code: no app imports one to its right.

Floors, bottom first: ``jxq_cases.lib`` (imports no app), org, intake, dispatch, proactive, reporting,
demo. ``jxq_cases``'s own modules (settings, URLs, Celery, wsgi/asgi, the health probe) are the roof:
they may import any app, and no app imports them. Every Python module of the apps is parsed
(migrations, management commands and imports inside functions included).
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ["jxq_cases.lib", "org", "intake", "dispatch", "proactive", "reporting", "demo"]
ROOF = "jxq_cases"
ROOF_MODULES = {"__init__.py", "settings.py", "urls.py", "celery.py", "wsgi.py", "asgi.py", "healthcheck.py"}


def floor_of(module: str) -> str | None:
    """The floor (or the roof) a dotted module name belongs to; None for anything outside the product."""
    if module == "jxq_cases.lib" or module.startswith("jxq_cases.lib."):
        return "jxq_cases.lib"
    top = module.split(".")[0]
    if top == ROOF:
        return ROOF
    return top if top in FLOORS else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path):
    """(line, imported module, the import as written) for every import in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the module's package
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = ", ".join(alias.name for alias in node.names)
            written = f"from {'.' * node.level}{node.module or ''} import {names}"
            # "from jxq_cases import lib" imports the floor, not the roof
            targets = [f"{module}.{alias.name}" for alias in node.names] if module == ROOF else [module]
            for target in targets:
                yield node.lineno, target, written


def product_files() -> list[Path]:
    files = []
    for top in [ROOF, *FLOORS[1:]]:
        files += sorted(p for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def violations(path: Path) -> list[str]:
    own = floor_of(module_name(path))
    found = []
    for line, target, written in imported_modules(path):
        other = floor_of(target)
        if other is None or other == own:
            continue
        where = f"{path.relative_to(ROOT)}:{line}: {written}"
        if other == ROOF:
            found.append(f"{where} (the roof: no app imports jxq_cases' own modules)")
        elif own == ROOF:
            continue  # the roof may import any app
        elif FLOORS.index(other) > FLOORS.index(own):
            found.append(f"{where} ({own} is below {other})")
    return found


def test_no_app_imports_one_to_its_right():
    files = product_files()
    assert len(files) > 100  # the walk found the product, not an empty folder
    found = [v for path in files for v in violations(path)]
    assert not found, "imports against the layers:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "from reporting.rates import percent\n",
            "intake/bad.py:1: from reporting.rates import percent (intake is below reporting)",
        ),
        ("def f():\n    import demo.seed\n", "intake/bad.py:2: import demo.seed (intake is below demo)"),
        ("from jxq_cases.settings import DEBUG\n", "intake/bad.py:1: from jxq_cases.settings import DEBUG (the roof"),
        ("from jxq_cases import celery\n", "intake/bad.py:1: from jxq_cases import celery (the roof"),
        (
            "from ..dispatch import models\n",
            "intake/bad.py:1: from ..dispatch import models (intake is below dispatch)",
        ),
    ],
)
def test_an_import_to_the_right_is_named_with_its_file_and_line(tmp_path, monkeypatch, source, expected):
    # given a module of intake that imports upwards (written into a copy of the layout)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "intake").mkdir()
    bad = tmp_path / "intake" / "bad.py"
    bad.write_text(source)

    # then the check names the module, the line and the import
    found = violations(bad)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_the_floor_and_the_apps_below_may_be_imported(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "reporting").mkdir()
    fine = tmp_path / "reporting" / "fine.py"
    fine.write_text("from jxq_cases.lib.errors import DomainError\nfrom jxq_cases import lib\nimport org.models\n")
    assert violations(fine) == []


def test_jxq_cases_holds_only_the_roof_and_the_floor():
    entries = {p.name for p in (ROOT / ROOF).iterdir() if p.name != "__pycache__"}
    assert entries == ROOF_MODULES | {"lib"}, sorted(entries - ROOF_MODULES - {"lib"})
    lib_imports = [
        (path, target) for path in (ROOT / ROOF / "lib").rglob("*.py") for _line, target, _w in imported_modules(path)
    ]
    assert not [(p.name, t) for p, t in lib_imports if floor_of(t) not in (None, "jxq_cases.lib")]

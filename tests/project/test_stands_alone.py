"""The checkout stands alone: nothing in it reads or cites a file beside it (docs/domain.md is our reference)."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The product brief's two files, which are not in the repository (named in parts, so that this file
# does not cite them itself).
BRIEF = ("DOMAIN", "ARCHITECTURE")
# A path that leaves the checkout, or a file of the brief.
OUTSIDE = re.compile(r"\.\./shared|(?<![\w/])\.\./\.\.|\b(?:" + "|".join(BRIEF) + r")\.md\b")
BINARY = {".png", ".jpg", ".ico", ".woff", ".woff2", ".ttf", ".mo", ".xlsx", ".docx", ".pdf", ".gz", ".br"}


def _tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    paths = [ROOT / name for name in names.splitlines()]
    return [p for p in paths if p.suffix not in BINARY and "static/vendor" not in p.as_posix() and p.is_file()]


def test_nothing_reads_or_cites_a_file_beside_the_checkout():
    files = _tracked_text_files()
    assert len(files) > 100  # the repository was found
    hits = []
    for path in files:
        if path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert hits == [], "the checkout must stand alone:\n" + "\n".join(hits)


def test_the_pattern_sees_a_reference_outside():
    for name in BRIEF:
        assert OUTSIDE.search(f"see the brief's {name}.md")
    assert OUTSIDE.search("open('" + "../" * 2 + "data.csv')")
    assert not OUTSIDE.search("docs/domain.md")

"""Regenerate the sample upstream exports under tests/data/samples/ from the demo arrivals (demo/exports.py).

The files are committed; tests read them, never this script. Run it only to change the samples:

    DEBUG=1 DATABASE_URL=sqlite:///var/samples.sqlite3 .venv/bin/python tests/data/make_samples.py

- tickets_gb18030.csv: 300 tickets of March 2023, Chinese headers and labels, GB18030, CRLF
  (what Excel on Chinese Windows writes)
- visits_utf8_bom.csv: their return visits (about 90%), UTF-8 with a byte-order mark, CRLF
"""

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from demo.exports import write_demo_exports  # noqa: E402

OUT = Path(__file__).resolve().parent / "samples"


def main() -> None:
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp:
        tickets, visits = Path(tmp) / "t.csv", Path(tmp) / "v.csv"
        end = datetime(2023, 3, 31, 15, 0, tzinfo=UTC)  # 23:00 on 31 March in Beijing
        write_demo_exports(tickets, 300, seed=20230331, days=31, end_at=end, visits_path=visits, encoding="utf-8")
        rows = tickets.read_text("utf-8").splitlines()
        (OUT / "tickets_gb18030.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gb18030"))
        rows = visits.read_text("utf-8").splitlines()
        (OUT / "visits_utf8_bom.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8-sig"))


if __name__ == "__main__":
    main()

"""Precision and recall of "same matter" on the labelled set, at the default threshold and around it.

DEBUG=1 .venv/bin/python bench/similarity_bench.py [path/to/labelled.csv]
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from proactive.evaluation import load_labelled, quality, scored_pairs  # noqa: E402


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "similarity" / "labelled.csv"
    started = time.perf_counter()
    tickets = load_labelled(path)
    loaded = time.perf_counter()
    pairs = scored_pairs(tickets)
    scored = time.perf_counter()
    groups = {t.group for t in tickets if not t.group.startswith("n")}
    negatives = sum(1 for t in tickets if t.group.startswith("n"))
    positives = sum(1 for _s, same in pairs if same)
    print(f"labelled set: {len(tickets)} tickets, {len(groups)} groups, {negatives} hard negatives")
    print(f"pairs: {len(pairs)} ({positives} same-matter)")
    per_pair = (scored - loaded) * 1e6 / len(pairs)
    print(f"profiles: {loaded - started:.2f}s (incl. dictionary load), scoring: {per_pair:.1f} µs/pair")
    default = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    print("threshold  precision  recall   F1")
    for threshold in sorted({default, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9}):
        q = quality(pairs, threshold)
        f1 = 2 * q.precision * q.recall / (q.precision + q.recall) if q.precision + q.recall else 0.0
        mark = "  <- default (PROACTIVE_SAME_MATTER_THRESHOLD)" if threshold == default else ""
        print(f"  {threshold:.2f}     {q.precision:.3f}     {q.recall:.3f}   {f1:.3f}{mark}")


if __name__ == "__main__":
    main()

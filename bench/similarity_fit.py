"""Fit the same-matter score (proactive/similarity_model.json) on the labelled pairs, never the hold-out.

    DEBUG=1 .venv/bin/python bench/similarity_fit.py            # fit, write the model, print the figures
    DEBUG=1 .venv/bin/python bench/similarity_fit.py --check    # only print the figures of the stored model

Fitted on every pair of tests/data/similarity/labelled.csv and hard_dev.csv (a logistic regression,
scikit-learn, over the text features of ``proactive.similarity.pair_features`` each multiplied by each
context feature, so that context only scales what the texts share). hard_holdout.csv is only scored.
Prints precision and recall per set at thresholds around the default, and the threshold of the best
recall at precision >= 0.90 on hard_dev.csv (the dev set chooses, the hold-out reports).
"""

import argparse
import json
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

from proactive import similarity  # noqa: E402
from proactive.evaluation import load_labelled, quality, scored_pairs  # noqa: E402

DATA = ROOT / "tests" / "data" / "similarity"
FIT_ON = ("labelled.csv", "hard_dev.csv")
SETS = ("labelled.csv", "hard_dev.csv", "hard_holdout.csv")


def design(tickets, time_scale: float):
    import itertools

    rows, labels = [], []
    for a, b in itertools.combinations(tickets, 2):
        text, context = similarity.pair_features(a.profile, b.profile, time_scale)
        rows.append([t * c for t in text for c in context])
        labels.append(a.same_matter(b))
    return rows, labels


def fit(loaded: dict) -> None:
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for name in FIT_ON:
        r, y = design(loaded[name], settings.PROACTIVE_TIME_SCALE_DAYS)
        rows += r
        labels += y
    model = LogisticRegression(C=1.0, max_iter=5000).fit(rows, labels)
    width = len(similarity.CONTEXT_FEATURES)
    coef = [
        [round(float(v), 4) for v in model.coef_[0][i * width : (i + 1) * width]]
        for i in range(len(similarity.TEXT_FEATURES))
    ]
    data = {
        "fitted_on": list(FIT_ON),
        "pairs": len(labels),
        "same_matter_pairs": int(sum(labels)),
        "text_features": list(similarity.TEXT_FEATURES),
        "context_features": list(similarity.CONTEXT_FEATURES),
        "coef": coef,
        "intercept": round(float(model.intercept_[0]), 4),
    }
    similarity.MODEL_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    similarity._fitted.cache_clear()
    print(f"fitted on {len(labels)} pairs of {', '.join(FIT_ON)}: {similarity.MODEL_FILE.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="do not fit: score with the stored model")
    args = parser.parse_args()
    started = time.perf_counter()
    loaded = {name: load_labelled(DATA / name) for name in SETS}
    if not args.check:
        fit(loaded)
    pairs = {name: scored_pairs(tickets) for name, tickets in loaded.items()}
    default = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    best = None
    for step in range(5, 100):
        q = quality(pairs["hard_dev.csv"], step / 100)
        if q.precision >= 0.9 and (best is None or q.recall > best[1]):
            best = (step / 100, q.recall)
    print(f"best recall at precision >= 0.90 on hard_dev.csv: threshold {best[0] if best else '-'}")
    thresholds = sorted({default, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, *([best[0]] if best else [])})
    for name, scored in pairs.items():
        positives = sum(1 for _s, same in scored if same)
        role = "fitted on" if name in FIT_ON else "HOLD-OUT, never fitted on"
        print(f"{name} ({role}): {len(loaded[name])} tickets, {len(scored)} pairs, {positives} same-matter")
        for threshold in thresholds:
            q = quality(scored, threshold)
            mark = "  <- default (PROACTIVE_SAME_MATTER_THRESHOLD)" if threshold == default else ""
            print(f"  {threshold:.2f}  precision {q.precision:.3f}  recall {q.recall:.3f}{mark}")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

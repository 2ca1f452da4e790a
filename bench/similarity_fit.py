"""Fit the same-matter score (proactive/similarity_model.json) on the labelled pairs, never the hold-out.

    DEBUG=1 .venv/bin/python bench/similarity_fit.py            # fit, write the model, print the figures
    DEBUG=1 .venv/bin/python bench/similarity_fit.py --check    # only print the figures of the stored model

First counts the document frequencies of the character and syllable n-grams over the tickets of
labelled.csv and hard_dev.csv (proactive/ngram_df.json: the IDF of the char and sound cosines), then
fits on every pair of those two sets (a logistic regression, scikit-learn, over TERMS: the text
features of ``proactive.similarity.pair_features`` each multiplied by each context feature, so that
context only scales what the texts share; ``--terms matter`` and the others refit with other terms).
The hold-outs (hard_holdout*.csv) are only scored.
Prints precision and recall per set at thresholds around the default, and the threshold chosen on the
cross-validated dev pairs (the dev sets choose, the hold-outs report). ``--errors`` prints the dev pairs
that the cross-validated scores get wrong at that threshold.
"""

import argparse
import itertools
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
SETS = tuple(
    name
    for name in ("labelled.csv", "hard_dev.csv", "hard_holdout.csv", "hard_holdout2.csv", "hard_holdout3.csv")
    if (DATA / name).exists()
)


# The model's terms: features of ``proactive.similarity.pair_features`` alone or multiplied. Each text
# feature is multiplied by each context feature, so that the context only scales what the texts share.
# "matter": the cosines of the matter part only (less the place text of either ticket); compared with
# "cosines" by the same cross-validation (docs/proactive.md), they did not gain: what they win on
# hard_dev.csv they lose on labelled.csv. ``--terms`` refits with another set.
CONTEXT_TERMS = ("", "same_category", "same_community", "place", "time")


def _products(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{t}*{c}" if c else t for t in texts for c in CONTEXT_TERMS)


TERM_SETS = {
    "cosines": _products(("word_cosine", "char_cosine", "sound_cosine")),
    "matter": _products(("matter_word_cosine", "matter_char_cosine", "matter_sound_cosine")),
    "cosines+matter": _products(("word_cosine", "char_cosine", "sound_cosine"))
    + (
        "matter_word_cosine",
        "matter_word_cosine*same_community",
        "matter_char_cosine",
        "matter_char_cosine*same_community",
    ),
    "cosines+place_share": _products(("word_cosine", "char_cosine", "sound_cosine"))
    + ("place_share*char_cosine", "place_share*char_cosine*same_community"),
}
TERMS = TERM_SETS["cosines"]
C = 1.0  # the logistic regression's inverse regularisation


def term_values(features: tuple[float, ...], terms) -> list[float]:
    out = []
    for term in terms:
        value = 1.0
        for position in term:
            value *= features[position]
        out.append(value)
    return out


def design(tickets, time_scale: float, keep=None, terms=None):
    """Rows (the terms' values) and labels of the pairs above the text floor (below it the score is 0
    whatever the model says: not fitted on); ``keep(i, j)`` chooses pairs by ticket position."""
    parsed = similarity.parse_terms(list(terms or TERMS))
    floor = similarity.FEATURES.index("char_cosine")
    rows, labels = [], []
    for (i, a), (j, b) in itertools.combinations(enumerate(tickets), 2):
        if keep is not None and not keep(i, j):
            continue
        features = similarity.pair_features(a.profile, b.profile, time_scale)
        if features[floor] < settings.PROACTIVE_TEXT_FLOOR:
            continue
        rows.append(term_values(features, parsed))
        labels.append(a.same_matter(b))
    return rows, labels


def cross_validated(folds: int = 4, terms=None) -> dict[str, dict[tuple[int, int], tuple[float, bool]]]:
    """Out-of-fold scores of every pair of labelled.csv and hard_dev.csv (per set, by ticket positions).
    The groups of each set (a group and its different matter at the same address share a number) are
    dealt into ``folds`` folds; each fold's pairs are scored by a model fitted only on the pairs of the
    other folds, with n-gram frequencies counted without the fold's tickets (so its n-grams are as new to
    the measure as a new ticket's). The threshold is chosen on these."""
    import tempfile

    from sklearn.linear_model import LogisticRegression

    terms = terms or TERMS
    time_scale = settings.PROACTIVE_TIME_SCALE_DAYS
    parsed = similarity.parse_terms(list(terms))
    floor = similarity.FEATURES.index("char_cosine")
    names = {name: sorted({t.group[1:] for t in load_labelled(DATA / name)}) for name in FIT_ON}

    def fold_of(name: str, ticket) -> int:
        return names[name].index(ticket.group[1:]) % folds

    out: dict[str, dict[tuple[int, int], tuple[float, bool]]] = {name: {} for name in FIT_ON}
    shipped = similarity.NGRAM_DF_FILE
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for k in range(folds):
                count_ngrams(lambda name, t, k=k: fold_of(name, t) != k, Path(tmp) / "df.json")
                loaded = {name: load_labelled(DATA / name) for name in FIT_ON}
                rows, labels = [], []
                for name, tickets in loaded.items():
                    fold = [fold_of(name, t) for t in tickets]
                    r, y = design(
                        tickets, time_scale, lambda i, j, k=k, fold=fold: k not in (fold[i], fold[j]), terms=terms
                    )
                    rows += r
                    labels += y
                model = LogisticRegression(C=C, max_iter=5000).fit(rows, labels)
                for name, tickets in loaded.items():
                    fold = [fold_of(name, t) for t in tickets]
                    pending, pending_rows = [], []
                    for i, j in itertools.combinations(range(len(tickets)), 2):
                        if min(fold[i], fold[j]) != k:
                            continue  # a pair is scored by the first fold that holds one of its tickets
                        features = similarity.pair_features(tickets[i].profile, tickets[j].profile, time_scale)
                        label = tickets[i].same_matter(tickets[j])
                        if features[floor] < settings.PROACTIVE_TEXT_FLOOR:
                            out[name][i, j] = (0.0, label)
                        else:
                            pending.append((i, j, label))
                            pending_rows.append(term_values(features, parsed))
                    if pending_rows:
                        for (i, j, label), value in zip(pending, model.predict_proba(pending_rows)[:, 1], strict=True):
                            out[name][i, j] = (float(value), label)
    finally:
        similarity.NGRAM_DF_FILE = shipped
        similarity._ngram_idf.cache_clear()
    return out


def fit(loaded: dict) -> None:
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for name in FIT_ON:
        r, y = design(loaded[name], settings.PROACTIVE_TIME_SCALE_DAYS)
        rows += r
        labels += y
    model = LogisticRegression(C=C, max_iter=5000).fit(rows, labels)
    data = {
        "fitted_on": list(FIT_ON),
        "pairs": len(labels),
        "same_matter_pairs": int(sum(labels)),
        "regularisation_C": C,
        "terms": list(TERMS),
        "coef": [round(float(v), 4) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 4),
    }
    similarity.MODEL_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    similarity._fitted.cache_clear()
    print(f"fitted on {len(labels)} pairs of {', '.join(FIT_ON)}: {similarity.MODEL_FILE.relative_to(ROOT)}")


def print_errors(name: str, cv: dict, threshold: float) -> None:
    """The pairs of a dev set the cross-validated scores get wrong at ``threshold``, with their features."""
    import csv

    with (DATA / name).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    dev = load_labelled(DATA / name)
    print(f"{name} pairs misjudged at {threshold:.2f} (cross-validated scores); features: {similarity.FEATURES}")
    for (i, j), (value, same) in sorted(cv.items(), key=lambda item: (not item[1][1], item[0])):
        if (value >= threshold) == same:
            continue
        features = similarity.pair_features(dev[i].profile, dev[j].profile, settings.PROACTIVE_TIME_SCALE_DAYS)
        kind = "missed" if same else "false match"
        print(f"  {kind} {value:.2f} {rows[i]['group']}/{rows[j]['group']}  " + " ".join(f"{f:.2f}" for f in features))
        for r in (rows[i], rows[j]):
            print(f"      {r['category']} | {r['address']} | {r['content']}")


def count_ngrams(keep=None, path: Path | None = None) -> None:
    """Write ngram_df.json (or ``path``, then used by the measure) from the tickets fitted on (their
    texts only, not their labels); ``keep(set name, ticket)`` chooses tickets."""
    profiles = [t.profile for name in FIT_ON for t in load_labelled(DATA / name) if keep is None or keep(name, t)]
    data = similarity.ngram_document_frequencies(profiles)
    target = path or similarity.NGRAM_DF_FILE
    target.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    similarity.NGRAM_DF_FILE = target
    similarity._ngram_idf.cache_clear()
    if path is None:
        print(f"n-gram document frequencies of {len(profiles)} tickets: {target.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="do not fit: score with the stored model")
    parser.add_argument("--dev", action="store_true", help="leave the hold-outs out (while tuning)")
    parser.add_argument("--terms", choices=sorted(TERM_SETS), default="cosines", help="the model's terms")
    parser.add_argument("--errors", action="store_true", help="print the dev pairs misjudged under cross-validation")
    args = parser.parse_args()
    global TERMS
    TERMS = TERM_SETS[args.terms]
    started = time.perf_counter()
    sets = FIT_ON if args.dev else SETS
    loaded = {name: load_labelled(DATA / name) for name in sets}
    if not args.check:
        count_ngrams()
        loaded = {name: load_labelled(DATA / name) for name in sets}  # norms under the new counts
        fit(loaded)
    pairs = {}
    dev_cv, lab_cv = "hard_dev.csv (cross-validated)", "labelled.csv (cross-validated)"
    if not args.check:
        cv = cross_validated()
        pairs[dev_cv] = list(cv["hard_dev.csv"].values())
        pairs[lab_cv] = list(cv["labelled.csv"].values())
    pairs.update({name: scored_pairs(tickets) for name, tickets in loaded.items()})
    default = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    # The threshold: the highest recall on hard_dev.csv at which the cross-validated precision reaches 0.90
    # on both dev sets (labelled.csv holds the many ordinary pairs, hard_dev.csv the hard ones); of equal
    # recalls the highest threshold. With --check (no cross-validation) the fitted-on scores stand in.
    chooser, also = (dev_cv, lab_cv) if not args.check else ("hard_dev.csv", "labelled.csv")
    best = None
    for step in range(5, 100):
        q = quality(pairs[chooser], step / 100)
        if q.precision >= 0.9 and quality(pairs[also], step / 100).precision >= 0.9:
            if best is None or q.recall >= best[1]:
                best = (step / 100, q.recall)
    at_recall = max(
        (step / 100 for step in range(5, 100) if quality(pairs[chooser], step / 100).recall >= 0.8), default=None
    )
    if args.check:
        print("(the pairs of the dev sets were fitted on: the threshold is chosen by the cross-validation of a refit)")
    print(f"highest recall on {chooser} at precision >= 0.90 on it and on {also}: threshold {best[0] if best else '-'}")
    print(f"highest threshold keeping recall >= 0.80 on {chooser}: {at_recall if at_recall else '-'}")
    marks = [t for t in (best[0] if best else None, at_recall) if t is not None]
    thresholds = sorted({default, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, *marks})
    for name, scored in pairs.items():
        positives = sum(1 for _s, same in scored if same)
        if name not in loaded:
            print(f"{name}: {len(scored)} pairs, {positives} same-matter, each scored by a model not fitted on it")
        else:
            role = "fitted on" if name in FIT_ON else "HOLD-OUT, never fitted on"
            print(f"{name} ({role}): {len(loaded[name])} tickets, {len(scored)} pairs, {positives} same-matter")
        for threshold in thresholds:
            q = quality(scored, threshold)
            mark = "  <- default (PROACTIVE_SAME_MATTER_THRESHOLD)" if threshold == default else ""
            print(f"  {threshold:.2f}  precision {q.precision:.3f}  recall {q.recall:.3f}{mark}")
    if args.errors and not args.check:
        for name in FIT_ON:
            print_errors(name, cv[name], best[0] if best else default)
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

"""Precision and recall of "same matter" on a labelled set (bench/similarity_bench.py and the floor test).

The set is a CSV (tests/data/similarity/labelled.csv): ``group,day,category,community,address,content``
and optionally ``grid`` (the grid cell the ticket was placed in; empty: not placed).
Tickets of one group (``g*``, ``h*``) describe the same matter; ``n*`` rows are hard negatives, each its own
matter, written to share words, place and category with a group. Every unordered pair is judged:
predicted "same" when the score reaches the threshold.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from proactive.similarity import Profile, Weights, profile_of, similarity

_BASE = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class LabelledTicket:
    group: str
    profile: Profile

    def same_matter(self, other: LabelledTicket) -> bool:
        return self.group == other.group and not self.group.startswith("n")


@dataclass(frozen=True)
class Quality:
    threshold: float
    pairs: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 0.0


def load_labelled(path: Path) -> list[LabelledTicket]:
    categories: dict[str, int] = {}
    communities: dict[str, int] = {}
    grids: dict[str, int] = {}
    out = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            profile = profile_of(
                row["content"],
                address=row["address"],
                category_id=categories.setdefault(row["category"], len(categories) + 1),
                community_id=communities.setdefault(row["community"], len(communities) + 1),
                grid_cell_id=grids.setdefault(row["grid"], len(grids) + 1) if row.get("grid") else None,
                received_at=_BASE + timedelta(days=int(row["day"])),
            )
            out.append(LabelledTicket(group=row["group"], profile=profile))
    return out


def scored_pairs(tickets: list[LabelledTicket]) -> list[tuple[float, bool]]:
    weights = Weights.from_settings()
    return [
        (similarity(a.profile, b.profile, weights).score, a.same_matter(b))
        for a, b in itertools.combinations(tickets, 2)
    ]


def quality(pairs: list[tuple[float, bool]], threshold: float) -> Quality:
    tp = sum(1 for score, same in pairs if same and score >= threshold)
    fp = sum(1 for score, same in pairs if not same and score >= threshold)
    fn = sum(1 for score, same in pairs if same and score < threshold)
    return Quality(threshold=threshold, pairs=len(pairs), true_positives=tp, false_positives=fp, false_negatives=fn)

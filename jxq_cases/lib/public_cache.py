"""Cache keys for what anonymous pages compute, in generations: a job that changes the figures
(the nightly job, a visit import) starts a new generation, so every earlier entry is never read
again (and expires by its own timeout) — no key has to be found and deleted."""

from __future__ import annotations

from django.core.cache import cache

GENERATION_KEY = "public:generation"
GENERATION_SECONDS = 7 * 24 * 3600  # far beyond any entry's timeout


def generation() -> int:
    return int(cache.get_or_set(GENERATION_KEY, 1, GENERATION_SECONDS))


def key(*parts: str) -> str:
    return ":".join(["public", str(generation()), *parts])


def figures_changed() -> None:
    """Start a new generation: the next anonymous request computes its figures again."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or it expired): the next one is new anyway
        cache.set(GENERATION_KEY, 2, GENERATION_SECONDS)

"""Reading ids out of submitted forms and query strings."""

from __future__ import annotations


def id_param(value: str | None) -> int:
    """The id a form sends (a row's primary key), or 0 — which no row has — when it is missing or not a
    whole number: ``filter(pk="abc")`` raises instead of finding nothing, a 500 where a 404 is meant."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else 0

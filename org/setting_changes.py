"""The record of every change to the street's settings (``SettingChange``): who changed what, when,
from which value to which. The settings pages call ``record`` inside the transaction of the change,
so a refused change leaves no record and a recorded change always happened."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone

from org.models import SettingChange


def shown(value: Any) -> str:
    """A value as the record keeps it: text, ``""`` for none, yes/no for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def record(
    user: Any,
    setting: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> list[SettingChange]:
    """One row per field whose shown value differs between ``before`` and ``after`` (a field missing
    from ``before`` was not there: a new setting; missing from ``after``: a removed one)."""
    now = now or timezone.now()
    rows = [
        SettingChange(
            changed_by=user,
            at=now,
            setting=setting[:80],
            field=field[:80],
            old=shown(before.get(field)),
            new=shown(after.get(field)),
        )
        for field in [*before, *(f for f in after if f not in before)]
        if shown(before.get(field)) != shown(after.get(field))
    ]
    return SettingChange.objects.bulk_create(rows)

"""The record of every change to the settings (``SettingChange``): who changed what, when, from
which value to which, and whose setting it was (a street's own, or a default of every street). The
functions that change a setting (``dispatch.deadlines.save_policy``, ``set_calendar_override``,
``remove_calendar_overrides``; ``dispatch.sign_off_chains``; ``reporting.policies``) call ``record``
inside the transaction of the change, so a refused change leaves no record, a recorded change always
happened, and the settings page and the Django admin record the same words. The words are the
street's language (``LANGUAGE_CODE``), whatever language the person who made it reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.utils import timezone, translation

from org.models import SettingChange, Street


def shown(value: Any) -> str:
    """A value as the record keeps it: text, ``""`` for none, yes/no for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):  # 0.2 from a form and 0.200 from the database are one value
        return format(value.normalize(), "f")
    return str(value)


def in_street_language() -> AbstractContextManager[None]:
    """Translate the record's labels into the street's language, not the request's."""
    return translation.override(settings.LANGUAGE_CODE)


def model_values(instance: Model, fields: Sequence[str]) -> dict[str, str]:
    """The fields of a row as the record keeps them: labelled by their verbose name, choices by their
    label, in the street's language."""
    values = {}
    with in_street_language():
        for name in fields:
            field = instance._meta.get_field(name)
            value = getattr(instance, name)
            if field.choices:
                value = dict(field.choices).get(value, value)
            values[str(field.verbose_name)] = shown(value)
    return values


def record(
    user: Any,
    setting: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    street: Street | int | None = None,
    now: datetime | None = None,
) -> list[SettingChange]:
    """One row per field whose shown value differs between ``before`` and ``after`` (a field missing
    from ``before`` was not there: a new setting; missing from ``after``: a removed one). ``street``:
    the street (or its id) whose own setting changed; None for a default of every street
    (docs/district.md)."""
    now = now or timezone.now()
    street_id = street.pk if isinstance(street, Street) else street
    rows = [
        SettingChange(
            changed_by=user,
            street_id=street_id,
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

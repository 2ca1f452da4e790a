"""Saving and deleting the scoring policies (``ScoringPolicy``), recorded in the same transaction
(``org.setting_changes``): the settings page and the Django admin both come through here, so every
change is recorded, in the same words, whichever way it came."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from org import setting_changes
from reporting.models import ScoringPolicy

if TYPE_CHECKING:
    from org.models import User

# what a policy is made of, as the record lists it
FIELDS = ["name", "effective_from", "w_response", "w_resolution", "w_satisfaction", "decimals", "min_counted_to_rank"]


def _setting(policy: ScoringPolicy) -> str:
    with setting_changes.in_street_language():
        return gettext("Scoring policy from %(on)s") % {"on": policy.effective_from.isoformat()}


def save_scoring_policy(policy: ScoringPolicy, *, by: User) -> ScoringPolicy:
    """Save a new or changed policy (the model's rules hold: ``full_clean``) and record the change."""
    with transaction.atomic():
        stored = ScoringPolicy.objects.select_for_update().filter(pk=policy.pk).first() if policy.pk else None
        before = setting_changes.model_values(stored, FIELDS) if stored else {}
        policy.full_clean()
        policy.save()
        after = setting_changes.model_values(policy, FIELDS)
        setting_changes.record(by, _setting(policy), before, after, street=policy.street_id)
    return policy


def delete_scoring_policies(policies: Iterable[ScoringPolicy], *, by: User) -> int:
    """Delete these policies and record each removal; returns how many were deleted."""
    with transaction.atomic():
        rows = list(ScoringPolicy.objects.select_for_update().filter(pk__in=[p.pk for p in policies]))
        for row in rows:
            setting_changes.record(
                by, _setting(row), setting_changes.model_values(row, FIELDS), {}, street=row.street_id
            )
        ScoringPolicy.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)

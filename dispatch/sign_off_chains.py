"""Saving and removing the sign-off chains (``SignOffChain``), recorded in the same transaction
(``org.setting_changes``): the settings page and the Django admin both come through here, so every
change is recorded, in the same words and with its street, whichever way it came. Which chain a
document follows is ``dispatch.workflow.signoff.chains``; a document keeps the chain it was
submitted with, so a change here never strands one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from dispatch.models import SignOffChain, SignOffChainKind
from dispatch.workflow import signoff
from org import setting_changes
from org.models import Role

if TYPE_CHECKING:
    from org.models import Street, User


def roles_shown(roles: Sequence[str]) -> str:
    """A chain's signers as people read them: 科室负责人 → 主要领导."""
    return " → ".join(str(Role(role).label) if role in Role.values else str(role) for role in roles)


def _setting(chain: str) -> str:
    with setting_changes.in_street_language():
        return gettext("Sign-off chain: %(document)s") % {"document": SignOffChainKind(chain).label}


def _values(row: SignOffChain | None) -> dict[str, str]:
    if row is None:
        return {}
    with setting_changes.in_street_language():
        label = str(SignOffChain._meta.get_field("roles").verbose_name)
        return {label: roles_shown(row.roles)}


def save_chain(chain: str, roles: list[str], *, by: User, street: Street | None = None) -> SignOffChain:
    """Set a document kind's signers — the default of every street (``street`` None) or a street's
    own — and record the change (a street's first own row against the chain that was in effect for
    it); the model's rules hold (``full_clean``: signing roles only).
    Documents already submitted keep their chain."""
    with transaction.atomic():
        rows = SignOffChain.objects.select_for_update().filter(chain=chain)
        row = (rows.filter(street=street) if street is not None else rows.filter(street__isnull=True)).first()
        if row is None and street is not None:  # the street's first own row: from the chain in effect
            before = _values(SignOffChain(chain=chain, roles=signoff.chains(street.pk)[chain]))
        else:
            before = _values(row)
        row = row or SignOffChain(chain=chain, street=street)
        row.roles = list(roles)
        row.full_clean()
        row.save()
        setting_changes.record(by, _setting(chain), before, _values(row), street=street)
    return row


def delete_chains(rows: Iterable[SignOffChain], *, by: User) -> int:
    """Remove these chains (the default, or the built-in chain, holds again) and record each removal
    with its street; returns how many were removed."""
    with transaction.atomic():
        found = list(SignOffChain.objects.select_for_update().filter(pk__in=[row.pk for row in rows]))
        for row in found:
            setting_changes.record(by, _setting(row.chain), _values(row), {}, street=row.street_id)
        SignOffChain.objects.filter(pk__in=[row.pk for row in found]).delete()
    return len(found)

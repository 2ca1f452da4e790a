"""Sign-off chains (审核): which roles sign a reply draft or an exclusion request, in order.

Defaults (docs/domain.md §3, §7): a reply needs the section leader of the lead unit; the reply of a key or
supervised ticket needs the section leader and then the principal leader; an exclusion request needs
the section leader and then the principal leader (the street's leaders sign exclusions personally).
A deployment changes them with ``JXQ_SIGN_OFF_CHAINS`` in settings (same keys, lists of roles). The
chain is copied onto each draft when it is submitted, so a later change never strands a draft.
"""

from django.conf import settings

from intake.models import Ticket
from org.models import Role

DEFAULT_CHAINS: dict[str, list[str]] = {
    "reply": [Role.SECTION_LEADER],
    "reply_key": [Role.SECTION_LEADER, Role.PRINCIPAL_LEADER],
    "exclusion": [Role.SECTION_LEADER, Role.PRINCIPAL_LEADER],
}
SIGNING_ROLES = {Role.SECTION_LEADER, Role.PRINCIPAL_LEADER}


def chains() -> dict[str, list[str]]:
    configured = {**DEFAULT_CHAINS, **getattr(settings, "JXQ_SIGN_OFF_CHAINS", {})}
    for name, roles in configured.items():
        if not roles or any(role not in SIGNING_ROLES for role in roles):
            raise ValueError(f"sign-off chain {name!r} must list only {sorted(SIGNING_ROLES)}")
    return {name: [str(r) for r in roles] for name, roles in configured.items()}


def reply_chain(ticket: Ticket) -> list[str]:
    key = "reply_key" if (ticket.is_key or ticket.supervision) else "reply"
    return chains()[key]


def exclusion_chain(ticket: Ticket) -> list[str]:
    return chains()["exclusion"]

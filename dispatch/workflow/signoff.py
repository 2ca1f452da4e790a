"""Sign-off chains (审核), one mechanism for every signed document (reply drafts, exclusion requests).

Which roles sign, in order (docs/domain.md §3, §7): a reply needs the section leader of the lead unit;
the reply of a key or supervised ticket needs the section leader and then the principal leader; an
exclusion request needs the section leader and then the principal leader (the street's leaders sign
exclusions personally). A deployment changes them with ``JXQ_SIGN_OFF_CHAINS`` in settings (same
keys, lists of roles); ``SignOffChain`` rows override those, a street's own row the default row
(docs/district.md). The chain is copied onto each document when it is submitted, so a later change
never strands a document.

A document (``dispatch.models.SignedDocument``) is submitted in a new version, signed step by step
by the role its chain names next (``access`` relations ``reply_signer``/``exclusion_signer``), and
either completes the chain or is returned to its author with a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db.models import Q

from dispatch.models import SignedDocument, SignOffChain
from dispatch.workflow import core
from dispatch.workflow.core import Step
from intake.models import Ticket
from org.models import Role

if TYPE_CHECKING:
    from org.models import User

DEFAULT_CHAINS: dict[str, list[str]] = {
    "reply": [Role.SECTION_LEADER],
    "reply_key": [Role.SECTION_LEADER, Role.PRINCIPAL_LEADER],
    "exclusion": [Role.SECTION_LEADER, Role.PRINCIPAL_LEADER],
}
SIGNING_ROLES = {Role.SECTION_LEADER, Role.PRINCIPAL_LEADER}
Document = TypeVar("Document", bound=SignedDocument)


def chains(street_id: int | None = None) -> dict[str, list[str]]:
    """The chains of a street: the built-in ones, ``JXQ_SIGN_OFF_CHAINS``, the default rows
    (``SignOffChain`` without a street), then the street's own rows (docs/district.md)."""
    configured = {**DEFAULT_CHAINS, **getattr(settings, "JXQ_SIGN_OFF_CHAINS", {})}
    rows = SignOffChain.objects.filter(Q(street__isnull=True) | Q(street_id=street_id))
    for row in sorted(rows, key=lambda row: row.street_id is not None):  # the street's rows last: they win
        configured[row.chain] = row.roles
    for name, roles in configured.items():
        if not roles or any(role not in SIGNING_ROLES for role in roles):
            raise ValueError(f"sign-off chain {name!r} must list only {sorted(SIGNING_ROLES)}")
    return {name: [str(r) for r in roles] for name, roles in configured.items()}


def reply_chain(ticket: Ticket) -> list[str]:
    key = "reply_key" if (ticket.is_key or ticket.supervision) else "reply"
    return chains(ticket.street_id)[key]


def exclusion_chain(ticket: Ticket) -> list[str]:
    return chains(ticket.street_id)["exclusion"]


def submit(
    model: type[Document], ticket: Ticket, *, actor: User, now: datetime, chain: list[str], **fields: Any
) -> Document:
    """A new version of a document of ``model`` on this ticket, waiting for the chain's first signer."""
    last = model.objects.filter(ticket=ticket).order_by("-version").values_list("version", flat=True).first()
    return model.objects.create(
        ticket=ticket,
        version=(last or 0) + 1,
        author=actor,
        author_unit_id=core.actor_unit_id(actor, ticket),
        created_at=now,
        chain=chain,
        **fields,
    )


def pending(model: type[Document], ticket: Ticket) -> Document:
    """The document of ``model`` waiting for sign-off on this ticket, locked (the declaration's
    condition checked that there is one)."""
    return model.objects.select_for_update().get(ticket=ticket, status="pending")


def sign(document: SignedDocument, actor: User, comment: str, now: datetime) -> Step:
    """Add the actor's signature and advance the chain; ``document.complete`` tells whether that was
    the last signature. The caller sets the document's final status and saves it."""
    document.signatures = [*document.signatures, {"role": actor.role, "user": actor.pk, "at": now.isoformat()}]
    document.step += 1
    comment = core.text(comment, "comment", required=False)
    return Step(data={"version": document.version, "step": document.step, "comment": comment})


def is_complete(document: SignedDocument) -> bool:
    return document.step >= len(document.chain)


def next_signer(document: SignedDocument) -> str:
    return document.chain[document.step]


def return_to_author(
    document: SignedDocument, *, status: str, reason: str, now: datetime, kind: str, message: str, ticket: Ticket
) -> Step:
    """Close a document's sign-off as returned, with the reason, and tell its author."""
    document.status, document.return_reason, document.decided_at = status, reason, now
    document.save(update_fields=["status", "return_reason", "decided_at"])
    step = Step(data={"version": document.version, "reason": reason})
    notice = message % {"ticket_no": ticket.ticket_no, "reason": reason}
    step.notices.append(core.person_notice(document.author_id, kind, notice))
    return step

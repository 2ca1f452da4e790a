"""What actions need besides the ticket's state (``Condition``s of the declarations), and the state
sets their declarations run from.

A condition reads what the action acts on — a draft waiting for sign-off, a signed-off exclusion
awaiting the upstream decision, a pending request — and says in its refusal what is missing (409).
Documents are read once per ticket object and kind; the framed step re-reads the ticket under its row
lock, so a stale read can never let an action through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dispatch import access
from dispatch.models import ExclusionRequest, ExtensionRequest, PreVisit, ReplyDraft, SendBackRequest
from dispatch.workflow.registry import Condition
from intake import models as status_groups
from intake.models import Ticket

if TYPE_CHECKING:
    from dispatch.access import AnyUser

# --- the states actions run from (docs/domain.md §3; the groups are named beside Status) ---

AWAITING_CENTER = frozenset(status_groups.AWAITING_CENTER)
OPEN_FOR_HANDLING = frozenset(status_groups.OPEN_FOR_HANDLING)  # notes and reply drafts
SIGNING = frozenset(status_groups.IN_HANDLING)  # a draft exists only once handling started
IN_THE_UNITS = frozenset(status_groups.IN_THE_UNITS)  # extensions, send-back requests
EXCLUDABLE = frozenset(status_groups.SINCE_DISPATCH)  # an exclusion concerns a ticket the units took on
WATCHABLE = frozenset(status_groups.IN_FLIGHT)  # supervision, taking a ticket personally
REPLY_SENT = frozenset(status_groups.REPLY_SENT)  # the public reply

_DOCUMENTS: dict[str, type[ReplyDraft | ExclusionRequest | ExtensionRequest | SendBackRequest]] = {
    "reply": ReplyDraft,
    "exclusion": ExclusionRequest,
    "extension": ExtensionRequest,
    "send_back": SendBackRequest,
}


def _statuses(ticket: Ticket, kind: str) -> set[str]:
    """The statuses of the ticket's reply drafts, exclusion, extension or send-back requests."""
    cache = ticket.__dict__.setdefault("_jxq_document_statuses", {})
    if kind not in cache:
        cache[kind] = set(_DOCUMENTS[kind].objects.filter(ticket_id=ticket.pk).values_list("status", flat=True))
    return cache[kind]


def has(kind: str, *statuses: str, refusal: str | Promise) -> Condition:
    """A document of ``kind`` in one of ``statuses`` exists."""
    return Condition(lambda ticket, user: bool(_statuses(ticket, kind) & set(statuses)), refusal)


def lacks(kind: str, *statuses: str, refusal: str | Promise) -> Condition:
    """No document of ``kind`` is in any of ``statuses``."""
    return Condition(lambda ticket, user: not _statuses(ticket, kind) & set(statuses), refusal)


def _acknowledged(ticket: Ticket, user: AnyUser) -> bool:
    return ticket.acknowledged_at is not None


ACKNOWLEDGED_BEFORE_CONTACT = Condition(
    _acknowledged, _("ticket %(ticket_no)s must be acknowledged before the first contact")
)
ACKNOWLEDGED_BEFORE_EXTENSION = Condition(
    _acknowledged, _("ticket %(ticket_no)s must be acknowledged before an extension is requested")
)
NOT_YET_ACKNOWLEDGED = Condition(
    lambda ticket, user: not _acknowledged(ticket, user), _("ticket %(ticket_no)s was already acknowledged")
)
NOT_ACKNOWLEDGED_FOR_REFUSAL = Condition(
    lambda ticket, user: not _acknowledged(ticket, user),
    _("ticket %(ticket_no)s was acknowledged; ask for a send-back instead"),
)
NOT_DOUBLE_YES = Condition(
    lambda ticket, user: not ticket.is_double_yes, _("ticket %(ticket_no)s was double-yes; nothing to handle again")
)
NOT_EXCLUDED = Condition(lambda ticket, user: not ticket.is_excluded, _("ticket %(ticket_no)s is already excluded"))
NOT_TAKEN_BY_ME = Condition(
    lambda ticket, user: ticket.taken_by_id != getattr(user, "pk", None),
    _("you have already taken ticket %(ticket_no)s"),
)
# the center sends back directly (deciding a pending request with it); a unit asks only once
ONE_SEND_BACK_REQUEST = Condition(
    lambda ticket, user: (
        access.has_relation(user, ticket, access.CENTER) or "pending" not in _statuses(ticket, "send_back")
    ),
    _("a send-back request of ticket %(ticket_no)s already waits for the center"),
)

# one pre-visit per handling round: the reply of this round has not been checked by us yet
NO_PRE_VISIT_THIS_ROUND = Condition(
    lambda ticket, user: not PreVisit.objects.filter(ticket_id=ticket.pk, round=ticket.rehandling_count).exists(),
    _("our pre-visit of ticket %(ticket_no)s for this reply is already recorded"),
)

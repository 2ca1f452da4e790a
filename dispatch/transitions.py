"""The workflow's transition table (docs/domain.md §3): which action may run in which ticket state,
and beside it ``READY``: what each action needs besides the state.

Both are read by ``dispatch.workflow`` (which enforces them) and by ``dispatch.access`` (which lists
the actions a user can take now). The state after an action is decided by the action itself (see the
table in docs/workflow.md); actions that record something without moving the ticket (a note, a
request, a sign-off step that is not the last) keep the state.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Role

OPEN_FOR_HANDLING = frozenset({Status.CONTACTED, Status.HANDLING, Status.REHANDLING})
# Where a dispatched ticket is still in the units' hands (extension, send-back and supervision apply).
IN_THE_UNITS = frozenset({Status.DISPATCHED, Status.CONTACTED, Status.HANDLING, Status.REHANDLING})
# Everything but the two exits: a sent-back or merged ticket is no longer the street's.
NOT_GONE = frozenset(set(Status) - {Status.SENT_BACK, Status.MERGED})

ALLOWED: dict[str, frozenset[str]] = {
    "triage": frozenset({Status.RECEIVED, Status.TRIAGED}),
    "dispatch": frozenset({Status.TRIAGED}),
    "acknowledge": frozenset({Status.DISPATCHED}),
    "refuse": frozenset({Status.DISPATCHED}),
    "contact": frozenset({Status.DISPATCHED}),
    "note": OPEN_FOR_HANDLING,
    "submit_reply": OPEN_FOR_HANDLING,
    "approve_reply": frozenset({Status.HANDLING, Status.REHANDLING}),
    "return_reply": frozenset({Status.HANDLING, Status.REHANDLING}),
    "reply": frozenset({Status.REVIEWED}),
    "visit": frozenset({Status.REPLIED}),
    "reopen": frozenset({Status.VISITED}),
    "close": frozenset({Status.VISITED}),
    "send_back": frozenset({Status.RECEIVED, Status.TRIAGED}) | IN_THE_UNITS,
    "approve_send_back": IN_THE_UNITS,
    "merge": frozenset({Status.RECEIVED, Status.TRIAGED}),
    "request_extension": IN_THE_UNITS,
    "approve_extension": IN_THE_UNITS,
    "request_exclusion": NOT_GONE - {Status.RECEIVED, Status.TRIAGED},
    "approve_exclusion": NOT_GONE - {Status.RECEIVED, Status.TRIAGED},
    "return_exclusion": NOT_GONE - {Status.RECEIVED, Status.TRIAGED},
    "exclusion_decision": NOT_GONE - {Status.RECEIVED, Status.TRIAGED},
    "supervise": NOT_GONE - {Status.CLOSED},
    "take": NOT_GONE - {Status.CLOSED},
}

ACTIONS: tuple[str, ...] = tuple(ALLOWED)


# --- readiness: what an action needs besides the state (409 when missing) ---
#
# Per action, the conditions that must hold for it to succeed now, each with the refusal shown when
# it does not: (predicate(ticket, user) -> bool, message with %(ticket_no)s). The state table above
# says *when* in the workflow an action belongs; this one says whether the thing it acts on is there
# (a draft waiting for sign-off, a signed-off exclusion awaiting the decision, a pending request).
# dispatch.access.available_actions combines both with the role, for the pages and the API alike, and
# dispatch.workflow checks them again under the ticket's row lock.


def _statuses(ticket: Ticket, kind: str) -> set[str]:
    """The statuses of the ticket's reply drafts, exclusion, extension or send-back requests (``kind``),
    read once per ticket object and kind (the workflow re-reads the ticket under lock: fresh there)."""
    cache = ticket.__dict__.setdefault("_jxq_document_statuses", {})
    if kind not in cache:
        from dispatch.models import ExclusionRequest, ExtensionRequest, ReplyDraft, SendBackRequest

        model = {
            "reply": ReplyDraft,
            "exclusion": ExclusionRequest,
            "extension": ExtensionRequest,
            "send_back": SendBackRequest,
        }[kind]
        cache[kind] = set(model.objects.filter(ticket_id=ticket.pk).values_list("status", flat=True))
    return cache[kind]


def _has(kind: str, *statuses: str) -> Callable[[Ticket, object], bool]:
    return lambda ticket, user: bool(_statuses(ticket, kind) & set(statuses))


def _lacks(kind: str, *statuses: str) -> Callable[[Ticket, object], bool]:
    return lambda ticket, user: not _statuses(ticket, kind) & set(statuses)


def _acknowledged(ticket: Ticket, user) -> bool:
    return ticket.acknowledged_at is not None


def _not_acknowledged(ticket: Ticket, user) -> bool:
    return ticket.acknowledged_at is None


def _center_or_no_pending_send_back(ticket: Ticket, user) -> bool:
    # the center sends back directly (deciding a pending request with it); a unit only asks once
    return getattr(user, "role", None) == Role.CENTER_STAFF or "pending" not in _statuses(ticket, "send_back")


_MUST_BE_ACKNOWLEDGED = gettext_lazy("ticket %(ticket_no)s must be acknowledged before an extension is requested")
_NO_DRAFT_WAITING = gettext_lazy("no reply draft of ticket %(ticket_no)s waits for sign-off")
_NO_EXCLUSION_WAITING = gettext_lazy("no exclusion request of ticket %(ticket_no)s waits for sign-off")

READY: dict[str, tuple[tuple[Callable[[Ticket, object], bool], str], ...]] = {
    "acknowledge": ((_not_acknowledged, gettext_lazy("ticket %(ticket_no)s was already acknowledged")),),
    "refuse": (
        (_not_acknowledged, gettext_lazy("ticket %(ticket_no)s was acknowledged; ask for a send-back instead")),
    ),
    "contact": ((_acknowledged, gettext_lazy("ticket %(ticket_no)s must be acknowledged before the first contact")),),
    "submit_reply": (
        (
            _lacks("reply", "pending"),
            gettext_lazy("a reply draft of ticket %(ticket_no)s already waits for sign-off"),
        ),
    ),
    "approve_reply": ((_has("reply", "pending"), _NO_DRAFT_WAITING),),
    "return_reply": ((_has("reply", "pending"), _NO_DRAFT_WAITING),),
    "reply": ((_has("reply", "signed_off"), gettext_lazy("ticket %(ticket_no)s has no signed reply")),),
    "reopen": (
        (
            lambda ticket, user: not ticket.is_double_yes,
            gettext_lazy("ticket %(ticket_no)s was double-yes; nothing to handle again"),
        ),
    ),
    "send_back": (
        (
            _center_or_no_pending_send_back,
            gettext_lazy("a send-back request of ticket %(ticket_no)s already waits for the center"),
        ),
    ),
    "approve_send_back": (
        (_has("send_back", "pending"), gettext_lazy("no send-back request of ticket %(ticket_no)s is waiting")),
    ),
    "request_extension": (
        (_acknowledged, _MUST_BE_ACKNOWLEDGED),
        (
            _lacks("extension", "pending"),
            gettext_lazy("an extension request of ticket %(ticket_no)s is already waiting"),
        ),
    ),
    "approve_extension": (
        (_has("extension", "pending"), gettext_lazy("no extension request of ticket %(ticket_no)s is waiting")),
    ),
    "request_exclusion": (
        (lambda ticket, user: not ticket.is_excluded, gettext_lazy("ticket %(ticket_no)s is already excluded")),
        (
            _lacks("exclusion", "pending", "signed_off"),
            gettext_lazy("an exclusion request of ticket %(ticket_no)s is already under way"),
        ),
    ),
    "approve_exclusion": ((_has("exclusion", "pending"), _NO_EXCLUSION_WAITING),),
    "return_exclusion": ((_has("exclusion", "pending"), _NO_EXCLUSION_WAITING),),
    "exclusion_decision": (
        (
            _has("exclusion", "signed_off"),
            gettext_lazy("no signed-off exclusion request of ticket %(ticket_no)s awaits a decision"),
        ),
    ),
    "take": (
        (
            lambda ticket, user: ticket.taken_by_id != getattr(user, "pk", None),
            gettext_lazy("you have already taken ticket %(ticket_no)s"),
        ),
    ),
}

# What each action is called on a button or in a message.
ACTION_LABELS = {
    "triage": gettext_lazy("triage"),
    "dispatch": gettext_lazy("dispatch"),
    "acknowledge": gettext_lazy("acknowledge"),
    "refuse": gettext_lazy("refuse as misrouted"),
    "contact": gettext_lazy("record first contact"),
    "note": gettext_lazy("add a handling note"),
    "submit_reply": gettext_lazy("submit a reply draft"),
    "approve_reply": gettext_lazy("sign off the reply"),
    "return_reply": gettext_lazy("return the reply draft"),
    "reply": gettext_lazy("reply upstream"),
    "visit": gettext_lazy("record a return visit"),
    "reopen": gettext_lazy("reopen for second handling"),
    "close": gettext_lazy("close"),
    "send_back": gettext_lazy("send back"),
    "approve_send_back": gettext_lazy("decide the send-back"),
    "merge": gettext_lazy("merge"),
    "request_extension": gettext_lazy("request an extension"),
    "approve_extension": gettext_lazy("decide the extension"),
    "request_exclusion": gettext_lazy("request an exclusion"),
    "approve_exclusion": gettext_lazy("sign off the exclusion"),
    "return_exclusion": gettext_lazy("return the exclusion request"),
    "exclusion_decision": gettext_lazy("record the upstream exclusion decision"),
    "supervise": gettext_lazy("set supervision"),
    "take": gettext_lazy("take personally"),
}


def is_allowed(action: str, status: str) -> bool:
    return status in ALLOWED.get(action, ())


def not_ready(action: str, ticket: Ticket, user) -> DomainError | None:
    """409 naming the first readiness condition of ``action`` that does not hold now, else None."""
    for ready, message in READY.get(action, ()):
        if not ready(ticket, user):
            return DomainError(ErrorCode.ILLEGAL_TRANSITION, str(message) % {"ticket_no": ticket.ticket_no})
    return None


def illegal_transition(action: str, ticket: Ticket) -> DomainError:
    """409: ``action`` is not allowed in the ticket's current state (the message names both)."""
    return DomainError(
        ErrorCode.ILLEGAL_TRANSITION,
        _("Cannot %(action)s ticket %(ticket_no)s: it is %(status_label)s (%(status)s).")
        % {
            "action": ACTION_LABELS.get(action, action),
            "ticket_no": ticket.ticket_no,
            "status_label": ticket.get_status_display(),
            "status": ticket.status,
        },
    )

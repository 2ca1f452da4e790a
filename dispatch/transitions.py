"""The workflow's transition table (docs/domain.md §3): which action may run in which ticket state.

One table, read by ``dispatch.workflow`` (which enforces it) and by ``dispatch.access`` (which
lists the actions a user may take now). The state after an action is decided by the action itself
(see the table in docs/workflow.md); actions that record something without moving the ticket
(a note, a request, a sign-off step that is not the last) keep the state.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode

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

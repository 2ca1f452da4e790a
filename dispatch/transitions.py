"""The workflow's transition table (DOMAIN §3): which action may run in which ticket state.

One table, read by ``dispatch.workflow`` (which enforces it) and by ``dispatch.access`` (which
lists the actions a user may take now). The state after an action is decided by the action itself
(see the table in docs/workflow.md); actions that record something without moving the ticket
(a note, a request, a sign-off step that is not the last) keep the state.
"""

from intake.models import Status

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


def is_allowed(action: str, status: str) -> bool:
    return status in ALLOWED.get(action, ())

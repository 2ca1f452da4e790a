"""The eight-step workflow (docs/domain.md §3): one declared, framed function per action — the only
code that changes a ticket's status.

- ``registry``: the declarations and what is derived from them (what can be done now, the 409s, the
  docs table); ``core``: the frame (lock, finish with one event, notices after commit);
  ``conditions``: what actions need besides the state; ``signoff``: the one sign-off chain.
- the steps, by what they act on: ``routing`` (triage, dispatch, acknowledge, refuse), ``handling``
  (first contact, notes), ``replies`` (drafts, sign-off, the reply upstream), ``visits`` (return
  visits, second handling, closing), ``exits`` (send-back, merge), ``extensions``, ``exclusions``,
  ``oversight`` (supervision, taking a ticket personally).

Step 1 (receive) is the import (intake, ``dispatch.upstream``); the timeline shows it from the
ticket's receipt.
"""

# The step modules in the order of the eight steps: importing them fills the registry in this order,
# which is the order of the API's list, the ticket page's buttons and the docs table.
# isort: off
from dispatch.workflow import routing
from dispatch.workflow import handling
from dispatch.workflow import replies
from dispatch.workflow import visits
from dispatch.workflow import exits
from dispatch.workflow import extensions
from dispatch.workflow import exclusions
from dispatch.workflow import oversight

# isort: on
from dispatch.workflow import registry
from dispatch.workflow.exclusions import (
    record_exclusion_decision,
    request_exclusion,
    return_exclusion,
    sign_off_exclusion,
)
from dispatch.workflow.exits import decide_send_back, merge_ticket, send_back_ticket
from dispatch.workflow.extensions import decide_extension, request_extension
from dispatch.workflow.handling import CONTACT_METHODS, add_handling_note, confirm_place, record_first_contact
from dispatch.workflow.oversight import set_supervision, take_ticket
from dispatch.workflow.registry import available_actions, require_available
from dispatch.workflow.replies import return_reply_draft, send_reply, sign_off_reply, submit_reply_draft
from dispatch.workflow.routing import (
    acknowledge_ticket,
    dispatch_ticket,
    refusal_counts,
    refuse_dispatch,
    triage_ticket,
)
from dispatch.workflow.visits import (
    apply_imported_visits,
    close_ticket,
    import_visits_and_advance,
    record_return_visit,
    reopen_for_second_handling,
)

STEP_MODULES = (routing, handling, replies, visits, exits, extensions, exclusions, oversight)

__all__ = [
    "CONTACT_METHODS",
    "STEP_MODULES",
    "acknowledge_ticket",
    "add_handling_note",
    "apply_imported_visits",
    "available_actions",
    "close_ticket",
    "confirm_place",
    "decide_extension",
    "decide_send_back",
    "dispatch_ticket",
    "import_visits_and_advance",
    "merge_ticket",
    "record_exclusion_decision",
    "record_first_contact",
    "record_return_visit",
    "refusal_counts",
    "refuse_dispatch",
    "registry",
    "reopen_for_second_handling",
    "request_exclusion",
    "request_extension",
    "require_available",
    "return_exclusion",
    "return_reply_draft",
    "send_back_ticket",
    "send_reply",
    "set_supervision",
    "sign_off_exclusion",
    "sign_off_reply",
    "submit_reply_draft",
    "take_ticket",
    "triage_ticket",
]

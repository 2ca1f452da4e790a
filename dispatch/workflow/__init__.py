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
from dispatch.workflow.exclusions import *  # noqa: F403
from dispatch.workflow.exits import *  # noqa: F403
from dispatch.workflow.extensions import *  # noqa: F403
from dispatch.workflow.handling import *  # noqa: F403
from dispatch.workflow.oversight import *  # noqa: F403
from dispatch.workflow.registry import available_actions, require_available
from dispatch.workflow.replies import *  # noqa: F403
from dispatch.workflow.routing import *  # noqa: F403
from dispatch.workflow.visits import *  # noqa: F403

STEP_MODULES = (routing, handling, replies, visits, exits, extensions, exclusions, oversight)

# Each step module lists what it exports, so a new action is exported from its own module alone.
__all__ = ["STEP_MODULES", "available_actions", "registry", "require_available"]
__all__ += routing.__all__
__all__ += handling.__all__
__all__ += replies.__all__
__all__ += visits.__all__
__all__ += exits.__all__
__all__ += extensions.__all__
__all__ += exclusions.__all__
__all__ += oversight.__all__

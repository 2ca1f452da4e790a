"""The action registry: every workflow action declared once, everything else derived from it.

A declaration (``@action(...)`` on the step function) names the action, its label on a button and its
verb in a sentence, the states it runs from, the people it is for (``dispatch.access`` relations),
what must be there besides the state (``Condition``s: a draft waiting, a request pending), its API
input serializer and its page form (dotted paths, loaded on first use), the event kind it writes with
its timeline label, the states it may lead to, and old API names kept as aliases.

From the declarations come: the API's action names, bodies and errors (``dispatch.api``), the ticket
page's buttons and forms (``dispatch.views``), ``dispatch.access.can``, the 409 of a wrong state, the
event labels of the timeline and the API, and the action table in docs/workflow.md
(``manage.py workflow_table``). ``tests/dispatch/test_registry.py`` fails on an incomplete one.

The decorator also runs the common frame of every action, so a step function holds only its own
rule: it opens the transaction, locks the ticket row, checks that the action can succeed now
(``require_available``: 404, 403, then 409), calls the function with the locked ticket, and lets
``core.finish`` save the fields the function changed, write exactly one event of the declared kind
and queue the notices after commit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from intake.models import Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from rest_framework.serializers import Serializer

    from dispatch.access import AnyUser
    from dispatch.forms import ActionForm
    from dispatch.workflow.core import Step
    from org.models import User


@dataclass(frozen=True)
class Condition:
    """What an action needs besides the state, and the 409 shown when it is missing."""

    holds: Callable[[Ticket, AnyUser], bool]
    refusal: str | Promise  # with %(ticket_no)s

    def refuse(self, ticket: Ticket) -> DomainError:
        return DomainError(ErrorCode.ILLEGAL_TRANSITION, str(self.refusal) % {"ticket_no": ticket.ticket_no})


@dataclass(frozen=True)
class Action:
    """One declared workflow action (see the module docstring)."""

    name: str
    label: str | Promise  # the button and the heading of its form ("Approve the reply")
    verb: str | Promise  # in a sentence: "You may not %(verb)s ticket …" ("sign off the reply")
    runs_from: frozenset[str]
    who: frozenset[str]  # dispatch.access relations, any of which allows it
    function: Framed  # the public, framed step function
    serializer_path: str
    form_path: str
    event_label: str | Promise
    ready: tuple[Condition, ...] = ()
    moves_to: frozenset[str] = frozenset()  # states it may lead to; empty: it keeps the state
    aliases: tuple[str, ...] = ()
    module: str = ""
    # called with (ticket, actor, kwargs) before the ticket's own row lock, for an action that locks
    # further rows first (merge: both tickets in id order, so two crossed merges cannot deadlock)
    prelock: Callable[..., None] | None = None

    @property
    def event_kind(self) -> str:
        """The event this action writes: its own name (a code, never translated text)."""
        return self.name

    @functools.cached_property
    def serializer(self) -> type[Serializer[Any]]:
        return import_string(self.serializer_path)

    @functools.cached_property
    def form(self) -> type[ActionForm]:
        return import_string(self.form_path)


class Framed(Protocol):
    """A declared step function as the rest of the code calls it: framed, returning the saved ticket,
    with its declaration as ``.action``."""

    action: Action

    def __call__(self, ticket: Ticket | int, *, actor: User, now: datetime | None = None, **kwargs: Any) -> Ticket: ...


_REGISTRY: dict[str, Action] = {}
_ALIASES: dict[str, str] = {}


def action(
    name: str,
    *,
    label: str | Promise,
    verb: str | Promise,
    runs_from: Iterable[str],
    who: Iterable[str],
    serializer: str,
    form: str,
    event_label: str | Promise,
    ready: Iterable[Condition] = (),
    moves_to: Iterable[str] = (),
    aliases: Iterable[str] = (),
    prelock: Callable[..., None] | None = None,
) -> Callable[[Callable[..., Step]], Framed]:
    """Declare the decorated step function as the workflow action ``name`` and frame it.

    The step function is called as ``function(ticket, actor=…, now=…, **input)`` with the locked
    ticket and returns a ``core.Step`` (what changed, the event's data, the notices)."""

    def register(step_function: Callable[..., Step]) -> Framed:
        @functools.wraps(step_function)
        def run(ticket: Ticket | int, *, actor: User, now: datetime | None = None, **kwargs: Any) -> Ticket:
            from dispatch.workflow import core

            now = now or timezone.now()
            with transaction.atomic():
                if declared.prelock is not None:
                    declared.prelock(ticket, actor, kwargs)
                locked = core.lock(ticket)
                require_available(actor, declared, locked)
                step = step_function(locked, actor=actor, now=now, **kwargs)
                return core.finish(locked, actor, declared.event_kind, step, now)

        declared = Action(
            name=name,
            label=label,
            verb=verb,
            runs_from=frozenset(runs_from),
            who=frozenset(who),
            function=cast(Framed, run),
            serializer_path=serializer,
            form_path=form,
            event_label=event_label,
            ready=tuple(ready),
            moves_to=frozenset(moves_to),
            aliases=tuple(aliases),
            module=step_function.__module__,
            prelock=prelock,
        )
        for key in (name, *declared.aliases):
            if key in _REGISTRY or key in _ALIASES:
                raise ValueError(f"workflow action name {key!r} is declared twice")
        _REGISTRY[name] = declared
        for alias in declared.aliases:
            _ALIASES[alias] = name
        declared.function.action = declared
        return declared.function

    return register


def actions() -> list[Action]:
    """Every declared action, in the order of the eight steps (declaration order)."""
    return list(_REGISTRY.values())


def names() -> list[str]:
    return list(_REGISTRY)


def find(name: object) -> Action | None:
    """The action called ``name`` (or an old name kept as its alias); None for anything else."""
    if not isinstance(name, str):
        return None
    return _REGISTRY.get(name) or _REGISTRY.get(_ALIASES.get(name, ""))


def get(name: str) -> Action:
    found = find(name)
    if found is None:
        raise KeyError(name)
    return found


RECEIVE = "receive"  # the ticket's receipt (step 1), shown from the ticket itself, not stored as an event


def event_kinds() -> list[tuple[str, str | Promise]]:
    """Every kind of history entry with its label: the receipt, each action's event, the others."""
    from dispatch.models import EventKind

    return [(RECEIVE, Status.RECEIVED.label), *((a.event_kind, a.event_label) for a in actions()), *EventKind.choices]


def event_label(kind: str) -> str | Promise:
    """The timeline label of an event kind (the code itself for a kind nothing declares any more)."""
    return dict(event_kinds()).get(kind, kind)


# --- what can be done now: one answer for the API, the pages and the workflow ---


def _as_action(name_or_action: str | Action) -> Action:
    return name_or_action if isinstance(name_or_action, Action) else get(name_or_action)


def illegal_transition(declared: Action, ticket: Ticket) -> DomainError:
    """409: the action does not run in the ticket's current state (the message names both)."""
    return DomainError(
        ErrorCode.ILLEGAL_TRANSITION,
        _("Cannot %(action)s ticket %(ticket_no)s: it is %(status_label)s (%(status)s).")
        % {
            "action": declared.verb,
            "ticket_no": ticket.ticket_no,
            "status_label": Status(ticket.status).label,
            "status": ticket.status,
        },
    )


def unmet_condition(declared: Action, ticket: Ticket, user: AnyUser) -> Condition | None:
    for condition in declared.ready:
        if not condition.holds(ticket, user):
            return condition
    return None


def require_available(user: AnyUser, name_or_action: str | Action, ticket: Ticket) -> None:
    """Raise unless the action can succeed now, whatever its data: 404 invisible, 403 not this user's
    (``access.can``), 409 not in this state or not ready. The API and the pages call it before they
    look at the submitted data; the framed step function calls it again under the row lock."""
    from dispatch import access

    declared = _as_action(name_or_action)
    access.require(user, declared.name, ticket)
    if ticket.status not in declared.runs_from:
        raise illegal_transition(declared, ticket)
    missing = unmet_condition(declared, ticket, user)
    if missing is not None:
        raise missing.refuse(ticket)


def is_available(user: AnyUser, declared: Action, ticket: Ticket) -> bool:
    """Can ``user`` take this one action on this ticket now (see ``available_actions``)?"""
    from dispatch import access

    return (
        ticket.status in declared.runs_from
        and access.can(user, declared.name, ticket)
        and unmet_condition(declared, ticket, user) is None
    )


def available_actions(user: AnyUser, ticket: Ticket) -> list[Action]:
    """The actions this user can take on this ticket now — exactly those ``require_available`` lets
    through: the ticket page offers these and no others, and the API lists their names."""
    return [a for a in _REGISTRY.values() if is_available(user, a, ticket)]


def markdown_table() -> str:
    """The action table of docs/workflow.md, written from the declarations (``manage.py workflow_table``)."""
    from django.utils import translation

    with translation.override("en"):
        lines = [
            "| action | label | runs from | leads to | who | refused (409) when | event | aliases |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for a in actions():
            runs_from = ", ".join(s for s in Status.values if s in a.runs_from)
            moves_to = ", ".join(s for s in Status.values if s in a.moves_to) or "(same)"
            needs = "; ".join(str(c.refusal).replace("%(ticket_no)s", "…").replace("|", "/") for c in a.ready)
            lines.append(
                f"| `{a.name}` | {a.label} | {runs_from} | {moves_to} | {', '.join(sorted(a.who))} | "
                f"{needs or '—'} | {a.event_label} | {', '.join(f'`{x}`' for x in a.aliases) or '—'} |"
            )
    return "\n".join(lines) + "\n"

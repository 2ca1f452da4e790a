"""Who sees which tickets and who may do what (docs/domain.md §7): the one access policy every list,
page, API view, export, dashboard and the workflow itself ask.

- ``may(user, ability)``: the named abilities of ``org.abilities`` (pages and features that are not
  an action on one ticket: ``reports.read``, ``hotspots.run``, ``tickets.receive`` …).
- ``visible_tickets(user)`` / ``is_visible``: the tickets a user may see at all.
- ``relations`` and ``has_relation(user, ticket, relation)``: how a person stands to a ticket — the
  center, a handler of its lead unit or of a co-handling unit, the section leader overseeing its
  lead unit, a principal leader, the leader who took it, the signer its pending document waits for.
- ``can(user, action, ticket)``: the action's declaration names the relations it is for
  (``dispatch.workflow.registry``); the ticket's state and what the action needs are the
  registry's ``require_available`` / ``available_actions``.
- ``require(user, action, ticket)``: 404 when the ticket is invisible, 403 when the action is not
  this user's.
- ``unit_relations(user, unit_ids)`` / ``unit_scope(user)``: the same for things that belong to
  units rather than to one ticket (proactive cases).
- personal data: ``may_see_personal_data``, the masking helpers, ``personal_data`` (logs every full
  display).
- streets (docs/district.md): ``street_ids(user)`` are the streets a person belongs to (their units'
  and their own; a district role: its district's). Whoever "sees all" sees all of their streets'
  tickets and nothing of another street's; every relation but a unit's own (whose unit ids are
  already one street's) holds only within the person's streets. District roles see their district's
  tickets and act on none.

Roles are compared in this module and in ``org.abilities`` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeGuard

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from dispatch.models import SIGNED_DOCUMENTS
from intake.models import Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.abilities import may
from org.models import Role, Street, Unit
from org.streets import street_ids_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from rest_framework.request import Request

    from org.models import User

    # whoever asks: a signed-in user, or an anonymous visitor (who sees and may do nothing)
    AnyUser = User | AnonymousUser | None

    class SignedInRequest(HttpRequest):
        """The request of a page behind ``login_required``."""

        user: User

    class SignedInApiRequest(Request):
        """The request of an API view behind ``IsAuthenticated`` (the default permission)."""

        user: User


__all__ = ["may"]  # re-exported: one module to ask for every decision

# Relations of a person to a ticket (the ``who`` of a workflow declaration).
CENTER = "center"  # staff of the street's complaint center
LEAD_UNIT = "lead_unit"  # a handler of the ticket's lead unit
CO_UNIT = "co_unit"  # a handler of a co-handling unit
OVERSEER = "overseer"  # the section leader who oversees the lead unit
PRINCIPAL = "principal"  # a principal leader
TAKER = "taker"  # the principal leader who took the ticket personally
REPLY_SIGNER = "reply_signer"  # whom the pending reply draft waits for
EXCLUSION_SIGNER = "exclusion_signer"  # whom the pending exclusion request waits for

# who sees every ticket of their street (the others see their units' tickets)
_SEES_ALL = frozenset({Role.CENTER_STAFF, Role.PRINCIPAL_LEADER, Role.INSPECTOR})
# who sees every ticket of their district's streets, read-only (docs/district.md, "District roles")
_SEES_DISTRICT = frozenset({Role.DISTRICT_STAFF, Role.DISTRICT_LEADER})


def _active(user: AnyUser) -> TypeGuard[User]:
    return bool(user is not None and user.is_authenticated and user.is_active)


def street_ids(user: AnyUser) -> set[int]:
    """The streets this person belongs to (cached on the user object: one query a request)."""
    return street_ids_of(user) if _active(user) else set()


def in_streets(user: User, ticket: Ticket) -> bool:
    """Is the ticket of one of the person's streets?"""
    return ticket.street_id in street_ids_of(user)


def chosen_street(user: AnyUser, asked: str | None = None) -> Street | None:
    """The street a page shows this person: the one asked for (``?street=`` id or name) when it is
    one of theirs, else the first of theirs by name (their only one, for everyone but the district's
    people); None for someone of no street."""
    streets = Street.objects.filter(pk__in=street_ids(user)).order_by("name")
    if asked:
        found = streets.filter(pk=int(asked)) if asked.isdigit() else streets.filter(name=asked.strip())
        if found.exists():
            return found.first()
    return streets.first()


def settings_street(user: AnyUser) -> Street | None:
    """The street whose own settings this person keeps on the settings page (ability
    ``settings.edit``): their street, when they belong to exactly one; None otherwise. The defaults
    of every street are nobody's on the page: a superuser keeps them in the Django admin
    (docs/district.md, "Settings per street")."""
    if not may(user, "settings.edit"):
        return None
    ids = street_ids(user)
    return Street.objects.get(pk=next(iter(ids))) if len(ids) == 1 else None


def _unit_ids(user: User) -> set[int]:
    # Cached on the user object: one query per request, not one per ticket checked.
    cached = getattr(user, "_jxq_unit_ids", None)
    if cached is None:
        cached = set(user.units.values_list("id", flat=True))
        user._jxq_unit_ids = cached  # type: ignore[attr-defined]
    return cached


def overseen_unit_ids(user: User) -> set[int]:
    """The units whose section leader this user is."""
    cached = getattr(user, "_jxq_overseen_ids", None)
    if cached is None:
        cached = set(Unit.objects.filter(section_leader=user).values_list("id", flat=True))
        user._jxq_overseen_ids = cached  # type: ignore[attr-defined]
    return cached


def _involving_units(unit_ids: set[int]) -> Q:
    """Tickets that one of these units leads or co-handles. Co-handling is asked per ticket
    (``EXISTS`` on the M2M table's ``(ticket_id, unit_id)`` index), so no row is doubled by a join and
    the query stays the same size however many tickets the units co-handle (at a million tickets a
    busy community co-handles ~15,000: as a list of ids in the SQL, planning alone took 15–25 ms)."""
    return Q(lead_unit_id__in=unit_ids) | Q(_co_handled(unit_ids))


def _co_handled(unit_ids: set[int]) -> Exists:
    """Whether one of these units co-handles the ticket: ``EXISTS`` on the M2M table's key."""
    return Exists(Ticket.co_units.through.objects.filter(ticket_id=OuterRef("pk"), unit_id__in=unit_ids))


def visible_tickets(user: AnyUser) -> QuerySet[Ticket]:
    """Every ticket this user may see (list, detail, export); nothing for anonymous or the platform."""
    tickets = Ticket.objects.all()
    if not _active(user):
        return tickets.none()
    if user.role in _SEES_ALL or user.role in _SEES_DISTRICT:
        streets = street_ids_of(user)
        # one street: street_id = … (the list indexes lead with street_id); a district: IN (…)
        return (
            tickets.filter(street_id=next(iter(streets)))
            if len(streets) == 1
            else tickets.filter(street_id__in=streets)
        )
    if user.role == Role.UNIT_HANDLER:
        return tickets.filter(_involving_units(_unit_ids(user)))
    if user.role == Role.SECTION_LEADER:
        return tickets.filter(_involving_units(overseen_unit_ids(user)) | Q(taken_by=user))
    return tickets.none()


def visible_tickets_in_states(user: AnyUser, statuses: Iterable[str]) -> QuerySet[Ticket]:
    """``visible_tickets(user).filter(status__in=statuses)``, the same tickets, asked so that a unit's
    queue reads only its own rows. For units' people the OR of "leads" and "co-handles" in one WHERE
    makes PostgreSQL read every ticket of the street in these states and test each; here the tickets
    are the union of those the units lead in these states (the ``ticket_lead_status_recv`` index), those of
    the units' streets in these states that they co-handle (``EXISTS`` on the M2M key) and, for a
    section leader, those taken — each part read through its own index (docs/performance.md, "City
    scale")."""
    statuses = list(statuses)
    if not _active(user) or user.role not in (Role.UNIT_HANDLER, Role.SECTION_LEADER):
        return visible_tickets(user).filter(status__in=statuses)
    unit_ids = _unit_ids(user) if user.role == Role.UNIT_HANDLER else overseen_unit_ids(user)
    streets = Unit.objects.filter(pk__in=unit_ids).values("street_id")
    # each part without the model's ordering: SQLite refuses an ORDER BY inside a compound statement
    led = Ticket.objects.filter(lead_unit_id__in=unit_ids, status__in=statuses).order_by().values("pk")
    co = Ticket.objects.filter(street_id__in=streets, status__in=statuses).filter(_co_handled(unit_ids))
    parts = led.union(co.order_by().values("pk"), all=True)
    if user.role == Role.SECTION_LEADER:
        taken = Ticket.objects.filter(taken_by=user, status__in=statuses).order_by().values("pk")
        parts = parts.union(taken, all=True)
    return Ticket.objects.filter(pk__in=parts)


def _ticket_unit_ids(ticket: Ticket) -> tuple[int | None, set[int]]:
    co = getattr(ticket, "_jxq_co_unit_ids", None)
    if co is None:
        if "co_units" in getattr(ticket, "_prefetched_objects_cache", {}):
            co = {unit.pk for unit in ticket.co_units.all()}  # a list prefetched them: no query per ticket
        else:
            co = set(ticket.co_units.values_list("id", flat=True)) if ticket.pk else set()
        ticket._jxq_co_unit_ids = co  # type: ignore[attr-defined]
    return ticket.lead_unit_id, co


def is_visible(user: AnyUser, ticket: Ticket) -> bool:
    if not _active(user):
        return False
    if user.role in _SEES_ALL or user.role in _SEES_DISTRICT:
        return in_streets(user, ticket)
    lead, co = _ticket_unit_ids(ticket)
    if user.role == Role.UNIT_HANDLER:
        mine = _unit_ids(user)
        return lead in mine or bool(co & mine)
    if user.role == Role.SECTION_LEADER:
        mine = overseen_unit_ids(user)
        return lead in mine or bool(co & mine) or ticket.taken_by_id == user.pk
    return False


def _waiting_role(ticket: Ticket, document: str) -> str | None:
    """The role the ticket's pending signed document (``reply`` or ``exclusion``) waits for, if any."""
    # Cached on the ticket object: one query per document however many actions are checked. The
    # workflow re-reads the ticket under lock, so a stale cache can never authorise a sign-off.
    cache = ticket.__dict__.setdefault("_jxq_waiting", {})
    if document not in cache:
        pending = SIGNED_DOCUMENTS[document].objects.filter(ticket=ticket, status="pending").first()
        cache[document] = pending.waiting_for if pending else None
    return cache[document]


def _is_signer(user: User, ticket: Ticket, document: str) -> bool:
    role = _waiting_role(ticket, document)
    if role is None:
        # Nothing waits: whether the user could sign is judged by role; the registry answers 409.
        role = Role.SECTION_LEADER if user.role == Role.SECTION_LEADER else Role.PRINCIPAL_LEADER
    if role != user.role:
        return False
    if role == Role.SECTION_LEADER:
        return ticket.lead_unit_id in overseen_unit_ids(user)
    return role == Role.PRINCIPAL_LEADER and in_streets(user, ticket)


def _lead_handler(user: User, ticket: Ticket) -> bool:
    return user.role == Role.UNIT_HANDLER and ticket.lead_unit_id in _unit_ids(user)


def _co_handler(user: User, ticket: Ticket) -> bool:
    return user.role == Role.UNIT_HANDLER and bool(_ticket_unit_ids(ticket)[1] & _unit_ids(user))


_RELATIONS: dict[str, Callable[[User, Ticket], bool]] = {
    CENTER: lambda user, ticket: user.role == Role.CENTER_STAFF and in_streets(user, ticket),
    LEAD_UNIT: _lead_handler,
    CO_UNIT: lambda user, ticket: not _lead_handler(user, ticket) and _co_handler(user, ticket),
    OVERSEER: lambda user, ticket: user.role == Role.SECTION_LEADER and ticket.lead_unit_id in overseen_unit_ids(user),
    PRINCIPAL: lambda user, ticket: user.role == Role.PRINCIPAL_LEADER and in_streets(user, ticket),
    TAKER: lambda user, ticket: (
        user.role == Role.PRINCIPAL_LEADER and ticket.taken_by_id == user.pk and in_streets(user, ticket)
    ),
    REPLY_SIGNER: lambda user, ticket: _is_signer(user, ticket, "reply"),
    EXCLUSION_SIGNER: lambda user, ticket: _is_signer(user, ticket, "exclusion"),
}
RELATIONS = frozenset(_RELATIONS)


def has_relation(user: AnyUser, ticket: Ticket, relation: str) -> bool:
    return _active(user) and _RELATIONS[relation](user, ticket)


def relations(user: AnyUser, ticket: Ticket) -> set[str]:
    """Every relation this user has to this ticket (for pages that explain, and for tests)."""
    if not _active(user):
        return set()
    return {name for name, holds in _RELATIONS.items() if holds(user, ticket)}


def can(user: AnyUser, action: str, ticket: Ticket) -> bool:
    """May this user take ``action`` on ``ticket``: it is visible to them, and they stand to it in one
    of the relations the action's declaration names (not judged: the state, what the action needs)."""
    from dispatch.workflow import registry

    declared = registry.find(action)
    if declared is None or not _active(user) or not is_visible(user, ticket):
        return False
    return any(_RELATIONS[relation](user, ticket) for relation in declared.who)


def require(user: AnyUser, action: str, ticket: Ticket) -> None:
    """Raise 404 if the user may not see the ticket, 403 if the action is not theirs."""
    from dispatch.workflow import registry

    if not is_visible(user, ticket):
        raise DomainError(ErrorCode.NOT_FOUND, _("Ticket %(ticket_no)s not found.") % {"ticket_no": ticket.ticket_no})
    if not can(user, action, ticket):
        declared = registry.find(action)
        raise DomainError(
            ErrorCode.FORBIDDEN,
            _("You may not %(action)s ticket %(ticket_no)s.")
            % {"action": declared.verb if declared else action, "ticket_no": ticket.ticket_no},
        )


def chain_role(user: AnyUser) -> str | None:
    """The role in which this user signs documents of a sign-off chain (None: they sign nothing)."""
    if _active(user) and user.role in (Role.SECTION_LEADER, Role.PRINCIPAL_LEADER):
        return user.role
    return None


# --- recipients of the workflow's notices ---


def center_recipients(ticket: Ticket) -> dict[str, Any]:
    """The center staff of the ticket's street."""
    return {"roles": [Role.CENTER_STAFF], "street_id": ticket.street_id}


def signer_recipients(ticket: Ticket, chain_role: str) -> dict[str, Any]:
    """Who signs in ``chain_role`` for this ticket: the lead unit's section leader, or the principals
    of the ticket's street."""
    if chain_role == Role.SECTION_LEADER:
        leader = Unit.objects.filter(pk=ticket.lead_unit_id or 0).values_list("section_leader_id", flat=True).first()
        return {"user_ids": [leader] if leader else []}
    return {"roles": [Role.PRINCIPAL_LEADER], "street_id": ticket.street_id}


def leader_recipients(ticket: Ticket) -> dict:
    """The street's leaders for this ticket: the lead unit's section leader and the principals."""
    return {
        "user_ids": signer_recipients(ticket, Role.SECTION_LEADER)["user_ids"],
        "roles": [Role.PRINCIPAL_LEADER],
        "street_id": ticket.street_id,
    }


# --- things that belong to units rather than to one ticket (proactive cases) ---


def unit_relations(user: AnyUser, unit_ids: set[int], street_id: int | None = None) -> set[str]:
    """How the user stands to something that concerns these units (of ``street_id``'s street):
    CENTER, PRINCIPAL (of that street), OVERSEER (a section leader overseeing one of them) or
    LEAD_UNIT (a handler of one of them)."""
    if not _active(user):
        return set()
    found = set()
    if street_id is None:
        streets = set(Unit.objects.filter(pk__in=unit_ids).values_list("street_id", flat=True))
    else:
        streets = {street_id}
    # every unit of the matter is of the person's streets (a matter without units: their own)
    ours = streets <= street_ids_of(user)
    if user.role == Role.CENTER_STAFF and ours:
        found.add(CENTER)
    if user.role == Role.PRINCIPAL_LEADER and ours:
        found.add(PRINCIPAL)
    if user.role == Role.SECTION_LEADER and unit_ids & overseen_unit_ids(user):
        found.add(OVERSEER)
    if user.role == Role.UNIT_HANDLER and unit_ids & _unit_ids(user):
        found.add(LEAD_UNIT)
    return found


def unit_scope(user: AnyUser) -> set[int]:
    """The units a user acts for: a handler's own, a section leader's overseen ones (else none)."""
    if not _active(user):
        return set()
    if user.role == Role.UNIT_HANDLER:
        return set(_unit_ids(user))
    if user.role == Role.SECTION_LEADER:
        return set(overseen_unit_ids(user))
    return set()


# --- personal data (docs/domain.md §7) ---

HONORIFICS = ("先生", "女士", "老师", "阿姨", "大爷")


def mask_name(name: str) -> str:
    """张三丰 -> 张**; a name already given as surname + honorific (张先生) keeps that form."""
    name = (name or "").strip()
    if not name:
        return ""
    for honorific in HONORIFICS:
        if name.endswith(honorific) and len(name) > len(honorific):
            return name[0] + honorific
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234; other numbers keep at most their first 3 and last 4 digits."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not digits:
        return ""
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * (len(digits) - 2) + digits[-2:]


# a run of digits as long as a landline without its area code, or longer: a phone number in free text
_PHONE_LIKE = re.compile(r"\d[\d -]{5,}\d")


def mask_text(text: str, *, name: str = "", phone: str = "") -> str:
    """Free text (a request, a reply) with the complainant's name and every phone-like number masked
    by the same rules: for documents that leave the system (the ledger handed to the district)."""
    text = text or ""
    name = (name or "").strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    if phone:
        text = text.replace(phone, mask_phone(phone))

    def _mask(match: re.Match) -> str:
        digits = "".join(ch for ch in match.group(0) if ch.isdigit())
        return mask_phone(digits) if len(digits) >= 7 else match.group(0)

    return _PHONE_LIKE.sub(_mask, text)


def may_see_personal_data(user: AnyUser, ticket: Ticket) -> TypeGuard[User]:
    """Full name and phone: the center and the units handling the ticket (and a leader who took it)."""
    if not _active(user):
        return False
    if user.role == Role.CENTER_STAFF:
        return in_streets(user, ticket)
    if user.role == Role.UNIT_HANDLER:
        return _lead_handler(user, ticket) or _co_handler(user, ticket)
    if user.role in (Role.PRINCIPAL_LEADER, Role.SECTION_LEADER):
        return ticket.taken_by_id == user.pk
    return False


def log_personal_data_access(user: User, ticket: Ticket, *, context: str) -> None:
    from dispatch.models import PersonalDataAccess

    PersonalDataAccess.objects.create(user=user, ticket=ticket, context=context[:40])


def personal_data(user: AnyUser, ticket: Ticket, *, context: str, reveal: bool = True) -> dict[str, Any]:
    """The complainant's name and phone as this user may see them; a full display is logged.

    ``reveal=False`` asks for the masked form even when the user could see more (lists).
    """
    if reveal and may_see_personal_data(user, ticket):
        if ticket.complainant_name or ticket.complainant_phone:
            log_personal_data_access(user, ticket, context=context)
        return {"name": ticket.complainant_name, "phone": ticket.complainant_phone, "masked": False}
    return {"name": mask_name(ticket.complainant_name), "phone": mask_phone(ticket.complainant_phone), "masked": True}

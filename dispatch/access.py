"""Who sees which tickets and who may do what (docs/domain.md §7): the one place every list, page, API view,
export and dashboard starts from.

- ``visible_tickets(user)``: the queryset a user may see at all.
- ``can(user, action, ticket)``: may this user perform this workflow action on this ticket (role and
  unit only).
- ``require(user, action, ticket)``: raise DomainError 404 when the ticket is invisible, 403 when the
  action is not this user's.
- ``available_actions(user, ticket)`` / ``require_available(user, action, ticket)``: role and unit,
  plus the ticket's state and the action's readiness (``dispatch.transitions``): what the ticket
  page offers, what the API lists and lets through, in the order 404, 403, 409.
- ``may_see_personal_data(user, ticket)`` and the masking helpers; ``personal_data(user, ticket,
  context=...)`` returns the name and phone as this user may see them and logs every full display.

Roles (org.models.Role):
- center staff: every ticket; intake, triage, dispatch, send back, merge, visits, reply, close,
  reopen, upstream exclusion decisions, supervision.
- unit handler: tickets where one of their units leads or co-handles; the lead unit's handlers
  acknowledge, refuse, contact, handle, draft replies and requests; co-handlers add notes.
- section leader: tickets of the units they oversee (Unit.section_leader); signs off replies and
  exclusions when it is their step, decides extensions, marks supervision.
- principal leader: every ticket; signs the steps of a chain that name them, supervises, takes a
  ticket personally (and may then add notes and see its personal data).
- inspector: every ticket for reading, never personal data, no action.
- platform (machine client): intake only; sees no ticket through these functions.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dispatch.transitions import ACTION_LABELS, ACTIONS, illegal_transition, is_allowed, not_ready
from intake.models import Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Role, Unit

SEES_ALL = {Role.CENTER_STAFF, Role.PRINCIPAL_LEADER, Role.INSPECTOR}

CENTER_ACTIONS = frozenset(
    {
        "triage",
        "dispatch",
        "reply",
        "visit",
        "reopen",
        "close",
        "send_back",
        "approve_send_back",
        "merge",
        "exclusion_decision",
        "supervise",
    }
)
LEAD_HANDLER_ACTIONS = frozenset(
    {
        "acknowledge",
        "refuse",
        "contact",
        "note",
        "submit_reply",
        "send_back",
        "request_extension",
        "request_exclusion",
    }
)
CO_HANDLER_ACTIONS = frozenset({"note"})
# Sign-off actions are allowed to a leader only when the pending draft/request waits for their role.
SIGN_OFF_ACTIONS = {
    "approve_reply": "reply",
    "return_reply": "reply",
    "approve_exclusion": "exclusion",
    "return_exclusion": "exclusion",
}
SECTION_LEADER_ACTIONS = frozenset({"approve_extension", "supervise"})
PRINCIPAL_ACTIONS = frozenset({"supervise", "take"})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _unit_ids(user) -> set[int]:
    # Cached on the user object: one query per request, not one per ticket checked.
    cached = getattr(user, "_jxq_unit_ids", None)
    if cached is None:
        cached = set(user.units.values_list("id", flat=True))
        user._jxq_unit_ids = cached
    return cached


def overseen_unit_ids(user) -> set[int]:
    """The units whose section leader this user is."""
    cached = getattr(user, "_jxq_overseen_ids", None)
    if cached is None:
        cached = set(Unit.objects.filter(section_leader=user).values_list("id", flat=True))
        user._jxq_overseen_ids = cached
    return cached


def _involving_units(unit_ids: set[int]) -> Q:
    """Tickets that one of these units leads or co-handles. The co-handled ids are read first (a unit
    co-handles few tickets), so the database combines two index scans — lead unit and primary key —
    instead of joining every ticket against the M2M table; and no row is doubled by a join."""
    co_ids = list(
        Ticket.co_units.through.objects.filter(unit_id__in=unit_ids).values_list("ticket_id", flat=True).distinct()
    )
    lead = Q(lead_unit_id__in=unit_ids)
    return lead | Q(pk__in=co_ids) if co_ids else lead


def visible_tickets(user) -> QuerySet:
    """Every ticket this user may see (list, detail, export); nothing for anonymous or the platform."""
    tickets = Ticket.objects.all()
    if not _active(user):
        return tickets.none()
    if user.role in SEES_ALL:
        return tickets
    if user.role == Role.UNIT_HANDLER:
        return tickets.filter(_involving_units(_unit_ids(user)))
    if user.role == Role.SECTION_LEADER:
        return tickets.filter(_involving_units(overseen_unit_ids(user)) | Q(taken_by=user))
    return tickets.none()


def _ticket_unit_ids(ticket: Ticket) -> tuple[int | None, set[int]]:
    co = getattr(ticket, "_jxq_co_unit_ids", None)
    if co is None:
        co = set(ticket.co_units.values_list("id", flat=True)) if ticket.pk else set()
        ticket._jxq_co_unit_ids = co
    return ticket.lead_unit_id, co


def is_visible(user, ticket: Ticket) -> bool:
    if not _active(user):
        return False
    if user.role in SEES_ALL:
        return True
    lead, co = _ticket_unit_ids(ticket)
    if user.role == Role.UNIT_HANDLER:
        mine = _unit_ids(user)
        return lead in mine or bool(co & mine)
    if user.role == Role.SECTION_LEADER:
        mine = overseen_unit_ids(user)
        return lead in mine or bool(co & mine) or ticket.taken_by_id == user.pk
    return False


def _waiting_role(ticket: Ticket, chain_kind: str) -> str | None:
    """The role the ticket's pending reply draft / exclusion request waits for, if any."""
    from dispatch.models import ExclusionRequest, ExclusionStatus, ReplyDraft, SignOffStatus

    # Cached on the ticket object: one query per chain however many actions are checked. The
    # workflow re-reads the ticket under lock, so a stale cache can never authorise a sign-off.
    cache = ticket.__dict__.setdefault("_jxq_waiting", {})
    if chain_kind in cache:
        return cache[chain_kind]
    if chain_kind == "reply":
        draft = ReplyDraft.objects.filter(ticket=ticket, status=SignOffStatus.PENDING).first()
    else:
        draft = ExclusionRequest.objects.filter(ticket=ticket, status=ExclusionStatus.PENDING).first()
    cache[chain_kind] = draft.waiting_for if draft else None
    return cache[chain_kind]


def _signer_may_sign(user, ticket: Ticket, role: str | None) -> bool:
    if role is None:
        # Nothing waits: the right to sign is judged by role; the workflow answers 409 (no draft).
        role = Role.SECTION_LEADER if user.role == Role.SECTION_LEADER else Role.PRINCIPAL_LEADER
    if role != user.role:
        return False
    if role == Role.SECTION_LEADER:
        return ticket.lead_unit_id in overseen_unit_ids(user)
    return role == Role.PRINCIPAL_LEADER


def can(user, action: str, ticket: Ticket) -> bool:
    """May this user perform ``action`` on ``ticket``, by role and unit (not by the ticket's state)."""
    if action not in ACTIONS or not is_visible(user, ticket):
        return False
    role = user.role
    if role == Role.CENTER_STAFF:
        return action in CENTER_ACTIONS
    if role == Role.UNIT_HANDLER:
        lead, co = _ticket_unit_ids(ticket)
        mine = _unit_ids(user)
        if lead in mine:
            return action in LEAD_HANDLER_ACTIONS
        return bool(co & mine) and action in CO_HANDLER_ACTIONS
    if role in (Role.SECTION_LEADER, Role.PRINCIPAL_LEADER):
        if action in SIGN_OFF_ACTIONS:
            return _signer_may_sign(user, ticket, _waiting_role(ticket, SIGN_OFF_ACTIONS[action]))
        if role == Role.SECTION_LEADER:
            return action in SECTION_LEADER_ACTIONS and ticket.lead_unit_id in overseen_unit_ids(user)
        if action == "note":
            return ticket.taken_by_id == user.pk
        return action in PRINCIPAL_ACTIONS
    return False


def require(user, action: str, ticket: Ticket) -> None:
    """Raise 404 if the user may not see the ticket, 403 if the action is not theirs."""
    if not is_visible(user, ticket):
        raise DomainError(ErrorCode.NOT_FOUND, _("Ticket %(ticket_no)s not found.") % {"ticket_no": ticket.ticket_no})
    if not can(user, action, ticket):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            _("You may not %(action)s ticket %(ticket_no)s.")
            % {"action": ACTION_LABELS.get(action, action), "ticket_no": ticket.ticket_no},
        )


def require_available(user, action: str, ticket: Ticket) -> None:
    """Raise unless ``action`` can succeed now, whatever its data: 404 invisible, 403 not this user's
    (role, unit), 409 not in this state (``transitions.ALLOWED``) or not ready (``transitions.READY``:
    nothing waits for this sign-off, no request pending…). The API and the pages call it before they
    look at the submitted data; the workflow calls it again under the ticket's row lock."""
    require(user, action, ticket)
    if not is_allowed(action, ticket.status):
        raise illegal_transition(action, ticket)
    refused = not_ready(action, ticket, user)
    if refused is not None:
        raise refused


def available_actions(user, ticket: Ticket) -> list[str]:
    """The actions this user can take on this ticket now — exactly those ``require_available`` lets
    through: the ticket page offers these and no others, and the API lists them as ``actions``."""
    return [
        a
        for a in ACTIONS
        if is_allowed(a, ticket.status) and can(user, a, ticket) and not_ready(a, ticket, user) is None
    ]


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


def may_see_personal_data(user, ticket: Ticket) -> bool:
    """Full name and phone: the center and the units handling the ticket (and a leader who took it)."""
    if not _active(user):
        return False
    if user.role == Role.CENTER_STAFF:
        return True
    if user.role == Role.UNIT_HANDLER:
        lead, co = _ticket_unit_ids(ticket)
        mine = _unit_ids(user)
        return lead in mine or bool(co & mine)
    if user.role in (Role.PRINCIPAL_LEADER, Role.SECTION_LEADER):
        return ticket.taken_by_id == user.pk
    return False


def log_personal_data_access(user, ticket: Ticket, *, context: str) -> None:
    from dispatch.models import PersonalDataAccess

    PersonalDataAccess.objects.create(user=user, ticket=ticket, context=context[:40])


def personal_data(user, ticket: Ticket, *, context: str, reveal: bool = True) -> dict:
    """The complainant's name and phone as this user may see them; a full display is logged.

    ``reveal=False`` asks for the masked form even when the user could see more (lists).
    """
    if reveal and may_see_personal_data(user, ticket):
        if ticket.complainant_name or ticket.complainant_phone:
            log_personal_data_access(user, ticket, context=context)
        return {"name": ticket.complainant_name, "phone": ticket.complainant_phone, "masked": False}
    return {"name": mask_name(ticket.complainant_name), "phone": mask_phone(ticket.complainant_phone), "masked": True}

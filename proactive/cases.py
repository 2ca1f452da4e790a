"""Proactive cases (主动治理): the street goes after the cause of a hot spot and shows the calls stop.

Who may do what (decided here, documented in docs/proactive.md):

- center staff *draft* a case (status ``draft``): they see the hot spots first, but committing units
  to a matter is a leader's call;
- a principal leader opens any case; a section leader opens cases whose community or units involved
  include a unit they oversee; opening a draft makes it ``open``; a case a leader creates is open at once;
- measures are recorded by the center, the leaders who may open the case and the handlers of the
  units involved; tickets are linked by the center and those leaders, and only tickets they can see;
- everyone who sees every ticket (center, principal leader, inspector) sees every case; a section
  leader sees the cases of the units they oversee, a unit handler those their unit is involved in.

The case's *matter* is its keywords and community (copied from the hot spot). Its weekly volume
counts, in one grouped SQL query, the linked tickets plus every ticket of that community whose content
contains one of the keywords, so calls that arrive after the measures count even if nobody links them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import access
from dispatch.access import visible_tickets
from intake.models import Category, Ticket
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Unit
from proactive.models import CaseEvent, CaseMeasure, CaseStatus, HotSpot, ProactiveCase


def case_unit_ids(case: ProactiveCase) -> set[int]:
    ids = set(case.units.values_list("id", flat=True))
    if case.community_id:
        ids.add(case.community_id)
    return ids


def visible_cases(user) -> QuerySet:
    cases = ProactiveCase.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return cases.none()
    if access.may(user, "cases.read_all"):
        # every case of the person's streets: one of its units or its community is theirs, or (a
        # matter without units) it was created there (docs/district.md)
        streets = access.street_ids(user)
        theirs = ProactiveCase.units.through.objects.filter(
            proactivecase_id=OuterRef("pk"), unit__street_id__in=streets
        )
        return cases.filter(
            Q(community__street_id__in=streets) | Q(Exists(theirs)) | Q(created_by__street_id__in=streets)
        )
    mine = access.unit_scope(user)
    if not mine:
        return cases.none()
    involved = ProactiveCase.units.through.objects.filter(proactivecase_id=OuterRef("pk"), unit_id__in=mine)
    return cases.filter(Q(community_id__in=mine) | Q(Exists(involved)))


def _may_open(user, unit_ids: set[int]) -> bool:
    """A principal leader, or a section leader overseeing one of the matter's units."""
    return bool(access.unit_relations(user, unit_ids) & {access.PRINCIPAL, access.OVERSEER})


def may_open(user, case: ProactiveCase) -> bool:
    """May this user open (a draft) or close this case?"""
    return _may_open(user, case_unit_ids(case))


def _record(case: ProactiveCase, kind: str, actor, *, from_status: str, data: dict | None = None) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        at=timezone.now(),
        from_status=from_status,
        to_status=case.status,
        data=data or {},
    )


def _lock(case: ProactiveCase) -> ProactiveCase:
    # the row lock serialises two people changing one case at once (two leaders opening it, a measure
    # added while it is being closed): the second waits, then sees the new state
    return ProactiveCase.objects.select_for_update().get(pk=case.pk)


def _require_visible(user, case: ProactiveCase) -> None:
    if not visible_cases(user).filter(pk=case.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, _("proactive case %(id)s not found") % {"id": case.pk})


def _visible_tickets_by_no(user, ticket_nos: list[str]) -> list[Ticket]:
    wanted = list(dict.fromkeys(ticket_nos))
    found = {t.ticket_no: t for t in visible_tickets(user).filter(ticket_no__in=wanted)}
    missing = [no for no in wanted if no not in found]
    if missing:
        raise DomainError(
            ErrorCode.INVALID,
            _("tickets not found: %(nos)s") % {"nos": ", ".join(missing)},
            errors={"tickets": missing},
        )
    return [found[no] for no in wanted]


def create_case(
    *,
    actor,
    title: str,
    hotspot: HotSpot | None = None,
    keywords: list[str] | None = None,
    community: Unit | None = None,
    category: Category | None = None,
    units: list[Unit] = (),
    ticket_nos: list[str] = (),
) -> ProactiveCase:
    """A new case on a hot spot (its keywords, community, category and tickets are copied) or on a
    matter described by hand. Center staff get a draft; a leader who may open it gets it open."""
    title = (title or "").strip()
    if not title:
        raise DomainError(ErrorCode.INVALID, _("a proactive case needs a title"))
    if not access.may(actor, "cases.create"):
        raise DomainError(ErrorCode.FORBIDDEN, _("only the center and leaders open proactive cases"))
    if community is not None and community.kind != "community":
        raise DomainError(ErrorCode.INVALID, _("%(name)s is not a community") % {"name": community.name})
    if hotspot is not None:
        keywords = keywords or list(hotspot.keywords)
        community = community or hotspot.community
        category = category or hotspot.category
        ticket_nos = list(ticket_nos) + list(
            visible_tickets(actor).filter(id__in=hotspot.tickets.values("id")).values_list("ticket_no", flat=True)
        )
    keywords = [k.strip() for k in (keywords or []) if k and k.strip()]
    tickets = _visible_tickets_by_no(actor, list(ticket_nos))
    unit_ids = {u.id for u in units} | ({community.id} if community else set())
    # the center drafts; a leader who oversees the matter opens it at once; another leader may not
    drafts = access.CENTER in access.unit_relations(actor, unit_ids)
    if not drafts and not _may_open(actor, unit_ids):
        raise DomainError(ErrorCode.FORBIDDEN, _("you do not oversee the units of this matter"))
    opens = not drafts
    now = timezone.now()
    with transaction.atomic():
        case = ProactiveCase.objects.create(
            title=title[:200],
            status=CaseStatus.OPEN if opens else CaseStatus.DRAFT,
            hotspot=hotspot,
            keywords=keywords,
            community=community,
            category=category,
            created_by=actor,
            opened_by=actor if opens else None,
            opened_at=now if opens else None,
        )
        case.units.set(units)
        case.tickets.set(tickets)
        _record(case, "create", actor, from_status="", data={"tickets": [t.ticket_no for t in tickets]})
    return case


def open_case(case: ProactiveCase, *, actor) -> ProactiveCase:
    """A leader opens a case the center drafted."""
    _require_visible(actor, case)
    with transaction.atomic():
        case = _lock(case)
        if not _may_open(actor, case_unit_ids(case)):
            raise DomainError(ErrorCode.FORBIDDEN, _("only a leader overseeing the matter opens the case"))
        if case.status != CaseStatus.DRAFT:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, _("only a draft case can be opened"))
        case.status = CaseStatus.OPEN
        case.opened_by = actor
        case.opened_at = timezone.now()
        case.save(update_fields=["status", "opened_by", "opened_at"])
        _record(case, "open", actor, from_status=CaseStatus.DRAFT)
    return case


def may_work_on(user, case: ProactiveCase) -> bool:
    """The center, the leaders who may open the case, and the handlers of its units."""
    relations = access.unit_relations(user, case_unit_ids(case))
    return bool(relations & {access.CENTER, access.PRINCIPAL, access.OVERSEER, access.LEAD_UNIT})


def may_link(user, case: ProactiveCase) -> bool:
    """The center and the leaders who may open the case."""
    relations = access.unit_relations(user, case_unit_ids(case))
    return bool(relations & {access.CENTER, access.PRINCIPAL, access.OVERSEER})


EARLIEST_MEASURE_ON = date(2000, 1, 1)


def add_measure(
    case: ProactiveCase, *, actor, taken_on: date, description: str, unit: Unit | None = None
) -> CaseMeasure:
    """Record a measure taken on the case (a dated entry)."""
    _require_visible(actor, case)
    if not may_work_on(actor, case):
        raise DomainError(ErrorCode.FORBIDDEN, _("you may not record measures on this case"))
    description = (description or "").strip()
    if not description:
        raise DomainError(ErrorCode.INVALID, _("describe the measure"))
    if taken_on > clock.today():
        raise DomainError(ErrorCode.INVALID, _("a measure cannot be dated in the future"))
    if taken_on < EARLIEST_MEASURE_ON:
        # the before/after volume counts weeks back from the first measure: a date near the
        # calendar's start would overflow it, and no measure of the hotline predates 2000
        raise DomainError(ErrorCode.INVALID, _("a measure cannot be dated before 2000"))
    with transaction.atomic():
        case = _lock(case)
        if case.status == CaseStatus.CLOSED:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, _("the case is closed"))
        measure = CaseMeasure.objects.create(
            case=case, taken_on=taken_on, description=description, unit=unit, recorded_by=actor
        )
        data = {"measure": measure.pk, "taken_on": taken_on.isoformat(), "unit": unit.name if unit else None}
        _record(case, "add_measure", actor, from_status=case.status, data=data)
    return measure


def link_tickets(case: ProactiveCase, *, actor, ticket_nos: list[str]) -> int:
    """Link more tickets to the case (all or none); returns how many were new."""
    _require_visible(actor, case)
    if not may_link(actor, case):
        raise DomainError(ErrorCode.FORBIDDEN, _("you may not link tickets to this case"))
    if not ticket_nos:
        raise DomainError(ErrorCode.INVALID, _("name at least one ticket"))
    tickets = _visible_tickets_by_no(actor, ticket_nos)
    with transaction.atomic():
        case = _lock(case)
        already = set(case.tickets.filter(pk__in=[t.pk for t in tickets]).values_list("pk", flat=True))
        new = [t for t in tickets if t.pk not in already]
        case.tickets.add(*new)
        if new:
            _record(case, "link_tickets", actor, from_status=case.status, data={"tickets": [t.ticket_no for t in new]})
    return len(new)


def close_case(case: ProactiveCase, *, actor, conclusion: str) -> ProactiveCase:
    """A leader overseeing the matter closes an open case, saying what came of it."""
    _require_visible(actor, case)
    if not _may_open(actor, case_unit_ids(case)):
        raise DomainError(ErrorCode.FORBIDDEN, _("only a leader overseeing the matter closes the case"))
    if not (conclusion or "").strip():
        raise DomainError(ErrorCode.INVALID, _("say what came of the case"))
    with transaction.atomic():
        case = _lock(case)
        if case.status != CaseStatus.OPEN:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, _("only an open case can be closed"))
        case.status = CaseStatus.CLOSED
        case.conclusion = conclusion.strip()
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "conclusion", "closed_at"])
        _record(case, "close", actor, from_status=CaseStatus.OPEN)
    return case


def matter_tickets(case: ProactiveCase) -> QuerySet:
    """The tickets of the case's matter: linked ones, and the community's tickets naming a keyword."""
    matter = Q(id__in=case.tickets.values("id"))
    if case.keywords:
        words = Q()
        for word in case.keywords:
            words |= Q(content__icontains=word)
        matter |= words & (Q(community_id=case.community_id) if case.community_id else Q())
    return Ticket.objects.filter(matter)


def _mean(counts: list[int]) -> float:
    if not counts:
        return 0.0
    return float(clock.half_up(Decimal(sum(counts)) / len(counts)))


def case_volume(case: ProactiveCase, *, weeks: int = 8, today: date | None = None) -> dict:
    """Weekly volume of the matter over ``weeks`` weeks before the week of the first measure and
    ``weeks`` weeks from it on (fewer while they have not passed yet), with totals and weekly means of
    each side (two decimals, half up). Weeks are the street's ISO weeks, from Monday. Without a measure the
    case's opening (or creation) date is the turning point."""
    today = today or clock.today()
    first = case.measures.order_by("taken_on").values_list("taken_on", flat=True).first()
    pivot_on = first or clock.local_date(case.opened_at or case.created_at)
    pivot_week = clock.week_start(pivot_on)
    start_week = pivot_week - timedelta(weeks=weeks)
    end_week = min(pivot_week + timedelta(weeks=weeks - 1), max(clock.week_start(today), pivot_week))
    since, until = clock.range_bounds(start_week, clock.week_end(end_week))
    rows = (
        matter_tickets(case)
        .filter(received_at__gte=since, received_at__lt=until)
        .annotate(week=clock.trunc_week("received_at"))
        .values("week")
        .annotate(count=Count("id"))
    )
    counts = {clock.period_start(row["week"]): row["count"] for row in rows}
    series = [
        {"week_on": week.isoformat(), "count": counts.get(week, 0), "phase": "before" if week < pivot_week else "after"}
        for week in clock.weeks_between(start_week, end_week)
    ]
    before = [w["count"] for w in series if w["phase"] == "before"]
    after = [w["count"] for w in series if w["phase"] == "after"]
    return {
        "pivot_on": pivot_on.isoformat(),
        "weeks": series,
        "before_total": sum(before),
        "after_total": sum(after),
        "before_weekly_mean": _mean(before),
        "after_weekly_mean": _mean(after),
    }

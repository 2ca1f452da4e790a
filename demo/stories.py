"""The story of each demo ticket: which workflow actions happen to it, by whom, and when.

A story is a generator. It yields the next ``Step`` (when, who, which ``dispatch.workflow`` function,
with what arguments) and gets back the ticket as the workflow left it and the simulated time; when
the workflow refuses a step, the ``DomainError`` is raised inside the story at that ``yield``. For the
city's return visit it yields a ``VisitCall``; the center imports it with the day's visit results
(``demo.play``) and the story resumes with the ticket after the import.

The story chooses what happens, with which probabilities and delays; delays are fractions of the
deadlines the workflow set on the ticket (``acknowledge_due_at``, ``contact_due_at``,
``handle_due_at``), so that most units are on time and a few are late. Which state a step leads to,
whether it is allowed, who must sign next and every deadline are the workflow's: the story reads them
from the ticket and its drafts, never computes them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace

from demo import content
from demo.arrivals import DAY, HOUR, LOCAL_OFFSET, visit_outcome
from demo.cast import Cast
from dispatch.models import ExclusionReason, ExclusionRequest, ExclusionStatus, ReplyDraft, SignOffStatus
from dispatch.workflow import (
    acknowledge_ticket,
    add_handling_note,
    close_ticket,
    decide_extension,
    decide_send_back,
    dispatch_ticket,
    merge_ticket,
    publish_reply,
    record_exclusion_decision,
    record_first_contact,
    record_pre_visit,
    refuse_dispatch,
    reopen_for_second_handling,
    request_exclusion,
    request_extension,
    return_reply_draft,
    send_back_ticket,
    send_reply,
    set_supervision,
    sign_off_exclusion,
    sign_off_reply,
    submit_reply_draft,
    take_ticket,
    triage_ticket,
)
from intake.models import Status, Supervision, Ticket, Urgency
from jxq_cases.lib.errors import DomainError
from org.models import User

MINUTE = 60
BRISK = 0.1  # a scene's delays, as a share of the usual ones
DOUBLE_NO = "double-no"  # a scene's visit: neither resolved nor satisfied
EXCLUSION_CHOICES = list(
    zip(
        (ExclusionReason.POLICY_LIMIT, ExclusionReason.UNREASONABLE, ExclusionReason.DUPLICATE),
        content.EXCLUSION_TEXTS,
        strict=True,
    )
)


@dataclass
class Step:
    at: int  # epoch seconds, simulated
    actor: User
    action: Callable[..., Ticket]  # a dispatch.workflow function
    kwargs: dict = field(default_factory=dict)


@dataclass
class VisitCall:
    """The city's return visit of a replied ticket, as its results file will say."""

    visited_at: int
    counted: bool
    contacted: bool
    resolved: bool
    satisfied: bool


@dataclass(frozen=True)
class Draws:
    """Every choice a story makes, drawn at its start from the ticket's own random source."""

    key: bool
    difficult: bool
    supervision: str
    exit: str  # "" | "send_back" | "merge" | "refuse" | "ask_send_back"
    send_back_approved: bool
    route: str  # who leads: "community", "category" (its department) or "routed" (content.ROUTED_DEPARTMENTS)
    co_unit: bool
    late: bool
    note: bool
    co_note: bool
    extension: bool
    extension_days: int
    extension_approved: bool
    returned: bool
    first_visit: tuple[bool, bool, bool, bool]
    second_visit: tuple[bool, bool, bool, bool]
    rehandle: bool
    exclusion: bool
    exclusion_approved: bool
    take: bool
    supervise_late: bool
    brisk: bool = False  # a scene: every delay short, no office hours
    lead_unit: int | None = None  # a scene: this lead unit


def draw(rng: random.Random, fields: dict, *, in_cluster: bool) -> Draws:
    source = fields["source"]
    roll = rng.random()
    if roll < 0.015:
        exit_ = "send_back"
    elif in_cluster and roll < 0.09:
        exit_ = "merge"
    elif roll < 0.11:
        exit_ = "refuse"
    elif roll < 0.12:
        exit_ = "ask_send_back"
    else:
        exit_ = ""
    supervision = ""
    if rng.random() < 0.03:
        supervision = rng.choice([Supervision.STREET] * 3 + [Supervision.DISTRICT] * 2 + [Supervision.CITY])
    late = rng.random() < 0.06  # a unit that acknowledges, contacts and replies late
    difficult = rng.random() < 0.02
    return Draws(
        key=rng.random() < 0.05,
        difficult=difficult,
        supervision=supervision,
        exit=exit_,
        send_back_approved=rng.random() < 0.7,
        route=rng.choice(["community"] * 11 + ["category"] * 6 + ["routed"] * 3),  # the plot's, when it has one
        co_unit=rng.random() < 0.05,
        late=late,
        note=rng.random() < 0.7,
        co_note=rng.random() < 0.5,
        extension=rng.random() < 0.03,
        extension_days=rng.randint(3, 10),
        extension_approved=rng.random() < 0.8,
        returned=rng.random() < 0.05,
        first_visit=visit_outcome(rng, source),
        second_visit=visit_outcome(rng, source),
        rehandle=rng.random() < 0.4,  # of the tickets whose visit is not double-yes
        exclusion=rng.random() < 0.25,  # of the closed, not double-yes ones
        exclusion_approved=rng.random() < 0.7,
        take=difficult and rng.random() < 0.5,
        supervise_late=late and rng.random() < 0.3,
    )


@dataclass
class Plot:
    """One ticket's part in the demo: its arrival, and for a scene the choices it must make."""

    index: int
    ticket_no: str
    received: int  # epoch seconds
    fields: dict  # demo.arrivals.upstream_fields
    spot: int  # hot spot index, -1 for none
    lead_department: int  # the unit that leads its category when the community does not
    route: str = ""  # who leads (Draws.route), dealt from a deck over all plots
    merge_into: str | None = None  # the ticket number of the first ticket of its hot spot
    scene: Scene | None = None
    forced: dict = field(default_factory=dict)  # Draws fields the scene sets


@dataclass(frozen=True)
class Scene:
    """A situation that must exist at the end of the demo so that every role has work today: a ticket
    that arrives ``age`` seconds before the end, plays briskly, and stops before ``hold`` (one of these
    workflow functions, done by someone of ``hold_role`` if given)."""

    name: str
    age: int
    hold: tuple[Callable[..., Ticket], ...]
    hold_role: str | None = None
    lead: str = ""  # "" (as drawn) or the username whose unit(s) lead: a handler's unit, a leader's units
    normal: bool = False  # a normal ticket (not urgent, not a consultation): the longest handling window
    draws: tuple[tuple[str, object], ...] = ()


def _local_hour(at: int) -> int:
    return (at + LOCAL_OFFSET) % DAY // HOUR


class Story:
    """The story of one ticket; ``run`` is the generator the engine drives."""

    def __init__(self, plot: Plot, cast: Cast, seed: int):
        self.plot = plot
        self.cast = cast
        # one random source per ticket: a story draws the same whatever the others do
        self.rng = random.Random(f"{seed}:{plot.index}")
        self.pre_rng = random.Random(f"{seed}:{plot.index}:pre-visit")  # see pre_visit
        fields = plot.fields
        self.d = draw(self.rng, fields, in_cluster=plot.merge_into is not None)
        if plot.route:
            self.d = replace(self.d, route=plot.route)
        if plot.forced:
            forced = dict(plot.forced)
            if forced.get("first_visit") == DOUBLE_NO:  # counted as the source says, responded, neither yes
                forced["first_visit"] = (self.d.first_visit[0], True, False, False)
            self.d = replace(self.d, brisk=True, **forced)
        self.urgent = fields["urgency"] == Urgency.URGENT

    # --- time ---

    def later(self, now: int, low: float, high: float) -> int:
        """``now`` plus a delay between ``low`` and ``high`` seconds (a tenth of it in a scene)."""
        delay = self.rng.uniform(low, high)
        return now + int(delay * (BRISK if self.d.brisk else 1)) + MINUTE

    def office(self, at: int) -> int:
        """The next moment the street's offices work (08:00-20:00); urgent tickets are handled at once."""
        if self.d.brisk or self.urgent:
            return at
        hour = _local_hour(at)
        if 8 <= hour < 20:
            return at
        morning = (at + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET + 8 * HOUR + (DAY if hour >= 20 else 0)
        return morning + self.rng.randint(0, 90 * MINUTE)

    def within(self, start, due, now: int, low: float, high: float) -> int:
        """A moment ``low``..``high`` of the way from ``start`` to ``due`` (datetimes the workflow set),
        not before ``now``; scenes keep to the first tenth of the way."""
        if self.d.brisk:
            low, high = low * BRISK, min(high, 1.0) * BRISK
        span = due.timestamp() - start.timestamp()
        return max(int(start.timestamp() + span * self.rng.uniform(low, high)), now + MINUTE)

    def pace(self) -> tuple[float, float]:
        return (1.05, 1.7) if self.d.late else (0.1, 0.8)

    # --- the story ---

    def run(self, ticket: Ticket) -> Generator[Step | VisitCall, tuple[Ticket, int], None]:
        d, cast, rng, plot = self.d, self.cast, self.rng, self.plot
        now = plot.received
        hour = _local_hour(now)
        if self.urgent or d.brisk or 8 <= hour < 18:
            at = self.later(now, 5 * MINUTE, 2 * HOUR)
        else:  # a night call waits for the center's morning shift
            midnight = (now + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET
            at = midnight + 8 * HOUR + (DAY if hour >= 18 else 0) + rng.randint(0, 2 * HOUR)
        triage = {"is_key": True} if d.key else {}
        if d.difficult:
            triage["is_difficult"] = True
        if d.supervision:
            triage["supervision"] = d.supervision
        ticket, now = yield Step(at, cast.center, triage_ticket, triage)

        if d.exit == "send_back":
            yield Step(
                self.later(now, 5 * MINUTE, HOUR),
                cast.center,
                send_back_ticket,
                {"reason": rng.choice(content.SEND_BACK_REASONS)},
            )
            return
        if d.exit == "merge":
            try:
                yield Step(self.later(now, MINUTE, 30 * MINUTE), cast.center, merge_ticket, {"into": plot.merge_into})
                return
            except DomainError:
                pass  # the first ticket of the hot spot left the street (sent back): handle this one

        lead = self.lead_unit()
        co_units = []
        if d.co_unit:
            co_units = [rng.choice([u for u in cast.departments() if u.pk != lead.pk])]
        at = self.office(self.later(now, 5 * MINUTE, HOUR))
        ticket, now = yield Step(at, cast.center, dispatch_ticket, {"lead_unit": lead, "co_units": co_units})
        if d.take:
            ticket, now = yield Step(
                self.office(self.later(now, HOUR, 6 * HOUR)),
                cast.principal,
                take_ticket,
                {"note": rng.choice(content.TAKE_NOTES)},
            )

        if d.exit == "refuse":
            handler = cast.handler(ticket.lead_unit_id)
            ticket, now = yield Step(
                self.later(now, 10 * MINUTE, 2 * HOUR),
                handler,
                refuse_dispatch,
                {"reason": rng.choice(content.REFUSAL_REASONS)},
            )
            lead = self.second_lead(lead)
            ticket, now = yield Step(
                self.office(self.later(now, 30 * MINUTE, 3 * HOUR)), cast.center, dispatch_ticket, {"lead_unit": lead}
            )

        handler = cast.handler(ticket.lead_unit_id)
        at = self.within(ticket.dispatched_at, ticket.acknowledge_due_at, now, *self.pace())
        ticket, now = yield Step(at, handler, acknowledge_ticket)

        if d.exit == "ask_send_back":
            ticket, now = yield Step(
                self.later(now, 30 * MINUTE, 4 * HOUR),
                handler,
                send_back_ticket,
                {"reason": rng.choice(content.SEND_BACK_REASONS)},
            )
            decision = {"approved": d.send_back_approved}
            if not d.send_back_approved:
                decision["reason"] = content.SEND_BACK_DECLINED
            ticket, now = yield Step(self.office(self.later(now, HOUR, DAY)), cast.center, decide_send_back, decision)
            if d.send_back_approved:
                return

        at = self.within(ticket.acknowledged_at, ticket.contact_due_at, now, *self.pace())
        ticket, now = yield Step(
            at,
            handler,
            record_first_contact,
            {
                "method": rng.choice(["phone", "phone", "phone", "visit"]),
                "outcome": rng.choice(content.CONTACT_OUTCOMES),
            },
        )

        ticket, now = yield from self.handle(ticket, now, handler, first=True)
        visit_at = self.visit_time(now)
        ticket, now = yield from self.pre_visit(ticket, now, visit_at)
        ticket, now = yield VisitCall(visit_at, *d.first_visit)
        if ticket.status != Status.VISITED:
            return  # the workflow closed it (double-yes)
        decide_at = self.office(self.later(now, HOUR, DAY))
        if d.rehandle:
            ticket, now = yield Step(
                decide_at, cast.center, reopen_for_second_handling, {"reason": rng.choice(content.REOPEN_REASONS)}
            )
            ticket, now = yield from self.handle(ticket, now, handler, first=False)
            ticket, now = yield VisitCall(self.visit_time(now), *d.second_visit)
            if ticket.status != Status.VISITED:
                return
            decide_at = self.office(self.later(now, HOUR, DAY))
        ticket, now = yield Step(decide_at, cast.center, close_ticket, {"reason": rng.choice(content.CLOSE_REASONS)})
        if d.exclusion:
            yield from self.exclude(ticket, now, handler)

    def lead_unit(self):
        cast, fields = self.cast, self.plot.fields
        if self.d.lead_unit is not None:
            return cast.units[self.d.lead_unit]
        community = fields["community"]
        if community and self.d.route == "community":
            return cast.units[community[1]]
        if self.d.route == "routed":
            return cast.by_name[self.rng.choice(content.ROUTED_DEPARTMENTS)]
        return cast.units[self.plot.lead_department]

    def second_lead(self, refused):
        """Where the center sends a refused ticket: the category's department, else the community, else
        another department."""
        department = self.cast.units[self.plot.lead_department]
        if department.pk != refused.pk:
            return department
        community = self.plot.fields["community"]
        if community and community[1] != refused.pk:
            return self.cast.units[community[1]]
        return self.rng.choice([u for u in self.cast.departments() if u.pk != refused.pk])

    def pre_visit(self, ticket: Ticket, now: int, visit_at: int):
        """Our own call before the city's (回访前自查): a third of the replies, in office hours, well
        before the city calls. The complainant tells us it is settled — and tells the city what the
        story drew, so our pre-visit and the city's visit agree as often as that. (A pre-visit that is
        not double-yes would send the ticket back to handling: the tests play that one.) Its draws come
        from a random source of its own, so the rest of the story draws what it drew before."""
        pre = self.pre_rng
        at = now + pre.randint(20 * MINUTE, 3 * HOUR)
        if pre.random() < 1 / 3 and 8 <= _local_hour(at) < 20 and at + HOUR < visit_at:
            body = {"responded": True, "resolved": True, "satisfied": True, "note": ""}
            return (yield Step(at, self.cast.center, record_pre_visit, body))
        return ticket, now

    def visit_time(self, now: int) -> int:
        visited = self.later(now, DAY, 4 * DAY)
        hour = _local_hour(visited)
        if not 9 <= hour < 20:  # the city's call center phones in the daytime
            visited = (visited + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET + (DAY if hour >= 20 else 0) + 9 * HOUR
            visited += self.rng.randint(0, 8 * HOUR)
        return max(visited, now + MINUTE)

    def handle(self, ticket: Ticket, now: int, handler: User, *, first: bool):
        """Handling (办理) up to the reply upstream: notes, perhaps an extension, the draft and its
        sign-offs, then the center sends it."""
        d, cast, rng = self.d, self.cast, self.rng
        start = ticket.handle_started_at
        if d.note or not first:
            at = self.within(start, ticket.handle_due_at, now, 0.05, 0.25)
            ticket, now = yield Step(at, handler, add_handling_note, {"text": rng.choice(content.HANDLING_NOTES)})
        co_unit = ticket.co_units.order_by("pk").first() if first and d.co_note else None
        if co_unit is not None:
            at = self.within(start, ticket.handle_due_at, now, 0.1, 0.4)
            note = {"text": rng.choice(content.CO_HANDLER_NOTES)}
            ticket, now = yield Step(at, cast.handler(co_unit.pk), add_handling_note, note)
        if first and d.supervise_late and not ticket.supervision:
            at = self.office(self.within(start, ticket.handle_due_at, now, 0.7, 0.9))
            ticket, now = yield Step(
                at,
                cast.section_leader(ticket.lead_unit_id),
                set_supervision,
                {"level": Supervision.STREET, "note": content.SUPERVISION_NOTES[0]},
            )
        if first and d.extension:
            at = self.within(start, ticket.handle_due_at, now, 0.3, 0.6)
            ticket, now = yield Step(
                at,
                handler,
                request_extension,
                {"days": d.extension_days, "reason": rng.choice(content.EXTENSION_REASONS)},
            )
            decision = {"approved": d.extension_approved}
            if not d.extension_approved:
                decision["reason"] = content.EXTENSION_REFUSED
            leader = cast.section_leader(ticket.lead_unit_id)
            ticket, now = yield Step(self.office(self.later(now, 2 * HOUR, DAY)), leader, decide_extension, decision)
        low, high = (1.02, 1.5) if d.late else (0.3, 0.9)
        at = self.within(ticket.handle_started_at, ticket.handle_due_at, now, low, high)
        ticket, now = yield Step(at, handler, submit_reply_draft, {"text": rng.choice(content.REPLIES)})
        returned = not (first and d.returned)
        while (draft := ReplyDraft.objects.filter(ticket=ticket, status=SignOffStatus.PENDING).first()) is not None:
            signer = cast.signer(draft.waiting_for, ticket.lead_unit_id)
            at = self.office(self.later(now, HOUR, 8 * HOUR))
            if not returned:
                returned = True
                ticket, now = yield Step(at, signer, return_reply_draft, {"reason": rng.choice(content.RETURN_REASONS)})
                at = self.office(self.later(now, 2 * HOUR, DAY))
                ticket, now = yield Step(at, handler, submit_reply_draft, {"text": content.REVISED_REPLY})
                continue
            ticket, now = yield Step(at, signer, sign_off_reply)
        ticket, now = yield Step(self.office(self.later(now, 30 * MINUTE, 4 * HOUR)), cast.center, send_reply)
        if ticket.pk % 3:  # two in three get a public reply, at once; by number, not drawn: the odds stay
            text = content.PUBLIC_REPLIES[ticket.pk % len(content.PUBLIC_REPLIES)]
            ticket, now = yield Step(now, cast.center, publish_reply, {"text": text})
        return ticket, now

    def exclude(self, ticket: Ticket, now: int, handler: User):
        """The unit asks that the ticket not count (剔除); the leaders sign, the city decides."""
        d, cast, rng = self.d, self.cast, self.rng
        category, reason = rng.choice(EXCLUSION_CHOICES)
        ticket, now = yield Step(
            self.office(self.later(now, 2 * HOUR, 2 * DAY)),
            handler,
            request_exclusion,
            {"reason_category": category, "reason": reason},
        )
        pending = ExclusionRequest.objects.filter(ticket=ticket, status=ExclusionStatus.PENDING)
        while (request := pending.first()) is not None:
            signer = cast.signer(request.waiting_for, ticket.lead_unit_id)
            ticket, now = yield Step(self.office(self.later(now, 2 * HOUR, DAY)), signer, sign_off_exclusion)
        yield Step(
            self.office(self.later(now, DAY, 5 * DAY)),
            cast.center,
            record_exclusion_decision,
            {"approved": d.exclusion_approved},
        )

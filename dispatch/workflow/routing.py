"""Steps 2 and 3: triage (研判), dispatch (派单), the lead unit's acknowledgement (签收) or refusal of a
misroute (改派)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.models import TicketEvent
from dispatch.workflow import conditions
from dispatch.workflow.core import Step, center_notice, invalid, lead_notice, leaders_notice, text, units_notice
from dispatch.workflow.registry import action
from intake.models import Category, Status, Supervision, Ticket, Urgency
from org.models import Unit, UnitKind

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = ["acknowledge_ticket", "dispatch_ticket", "refusal_counts", "refuse_dispatch", "triage_ticket"]

if TYPE_CHECKING:
    from org.models import User


@action(
    "triage_ticket",
    label=gettext_lazy("Triage"),
    verb=gettext_lazy("triage"),
    runs_from=conditions.AWAITING_CENTER,
    who={access.CENTER},
    serializer="dispatch.serializers.TriageAction",
    form="dispatch.forms.TriageForm",
    event_label=gettext_lazy("Triaged"),
    moves_to={Status.TRIAGED},
    aliases=("triage",),
)
def triage_ticket(
    ticket: Ticket,
    *,
    actor: User,
    now: datetime,
    category: Category | None = None,
    urgency: str | None = None,
    community: Unit | None = None,
    is_key: bool | None = None,
    is_difficult: bool | None = None,
    supervision: str | None = None,
    related: list[str] | None = None,
) -> Step:
    """Classify and flag a received ticket (or correct an earlier triage); records related tickets."""
    step = Step(to_status=Status.TRIAGED, fields={"triaged_at"})
    ticket.triaged_at = now
    changes: dict[str, Any] = {}
    if category is not None:
        ticket.category = category
        changes["category"] = category.name
    if urgency is not None:
        if urgency not in Urgency.values:
            raise invalid(_("unknown urgency %(urgency)s") % {"urgency": repr(urgency)}, urgency="unknown")
        ticket.urgency = urgency
        changes["urgency"] = urgency
    if community is not None:
        if community.kind != UnitKind.COMMUNITY:
            raise invalid(
                _("%(community)s is not a community") % {"community": community.name}, community="not a community"
            )
        if community.street_id != ticket.street_id:
            raise invalid(_("the community must be of the ticket's street"), community="other street")
        ticket.community = community
        changes["community"] = community.name
    for name, value in (("is_key", is_key), ("is_difficult", is_difficult)):
        if value is not None:
            setattr(ticket, name, bool(value))
            changes[name] = bool(value)
    if supervision is not None:
        if supervision not in Supervision.values:
            raise invalid(
                _("unknown supervision %(supervision)s") % {"supervision": repr(supervision)}, supervision="unknown"
            )
        ticket.supervision = supervision
        changes["supervision"] = supervision
    step.fields |= set(changes)
    related = [r.strip() for r in (related or []) if r and r.strip()]
    if related:
        found = set(Ticket.objects.filter(ticket_no__in=related).values_list("ticket_no", flat=True))
        missing = [r for r in related if r not in found]
        if missing:
            raise invalid(_("related ticket(s) not found: %(items)s") % {"items": ", ".join(missing)}, related=missing)
        if ticket.ticket_no in related:
            raise invalid(_("a ticket cannot be related to itself"), related="self")
        changes["related"] = related
    step.data = changes
    return step


@action(
    "dispatch_ticket",
    label=gettext_lazy("Dispatch"),
    verb=gettext_lazy("dispatch"),
    runs_from={Status.TRIAGED},
    who={access.CENTER},
    serializer="dispatch.serializers.DispatchAction",
    form="dispatch.forms.DispatchForm",
    event_label=gettext_lazy("Dispatched"),
    moves_to={Status.DISPATCHED},
    aliases=("dispatch",),
)
def dispatch_ticket(
    ticket: Ticket, *, actor: User, now: datetime, lead_unit: Unit, co_units: list[Unit] | None = None
) -> Step:
    """Assign the lead unit and co-handlers; the acknowledge/contact/handle deadlines start running."""
    if lead_unit is None or lead_unit.is_center or not lead_unit.is_active:
        raise invalid(_("the lead unit must be an active handling unit, not the center"), lead_unit="invalid")
    co_units = [u for u in (co_units or []) if u.pk != lead_unit.pk]
    if any(u.is_center or not u.is_active for u in co_units):
        raise invalid(_("co-handling units must be active handling units"), co_units="invalid")
    if any(u.street_id != ticket.street_id for u in [lead_unit, *co_units]):
        # a street's tickets go to its own units only (docs/district.md)
        raise invalid(_("the units must be of the ticket's street"), lead_unit="other street")
    ticket.lead_unit = lead_unit
    ticket.dispatched_at = now
    ticket.acknowledged_at = None
    ticket.handle_started_at = None
    ticket.handle_paused_for = timedelta(0)
    ticket.extended_handle_due_at = None
    ticket.co_units.set(co_units)
    ticket._jxq_co_unit_ids = {u.pk for u in co_units}  # type: ignore[attr-defined]
    step = Step(
        to_status=Status.DISPATCHED,
        fields={"lead_unit", "dispatched_at", "acknowledged_at", "handle_started_at", "handle_paused_for"}
        | {"extended_handle_due_at"},
        data={"lead_unit": lead_unit.name, "co_units": [u.name for u in co_units]},
    )
    message = _("Ticket %(ticket_no)s was dispatched to %(unit)s; please acknowledge it.") % {
        "ticket_no": ticket.ticket_no,
        "unit": lead_unit.name,
    }
    step.notices.append(lead_notice(ticket, "dispatched", message))
    if co_units:
        message = _("Please help with ticket %(ticket_no)s as a co-handling unit.") % {"ticket_no": ticket.ticket_no}
        step.notices.append(units_notice([u.pk for u in co_units], "co_dispatched", message))
    if ticket.is_key or ticket.supervision:
        message = _("Key ticket %(ticket_no)s was dispatched to %(unit)s.") % {
            "ticket_no": ticket.ticket_no,
            "unit": lead_unit.name,
        }
        step.notices.append(leaders_notice(ticket, "key_ticket", message))
    return step


@action(
    "acknowledge_ticket",
    label=gettext_lazy("Acknowledge"),
    verb=gettext_lazy("acknowledge"),
    runs_from={Status.DISPATCHED},
    who={access.LEAD_UNIT},
    ready=[conditions.NOT_YET_ACKNOWLEDGED],
    serializer="dispatch.serializers.EmptyAction",
    form="dispatch.forms.NoInputForm",
    event_label=gettext_lazy("Acknowledged"),
    aliases=("acknowledge",),
)
def acknowledge_ticket(ticket: Ticket, *, actor: User, now: datetime) -> Step:
    """The lead unit takes the ticket (签收): its handling clock starts now."""
    ticket.acknowledged_at = now
    ticket.handle_started_at = now
    return Step(
        fields={"acknowledged_at", "handle_started_at"},
        data={"late": bool(ticket.acknowledge_due_at and now > ticket.acknowledge_due_at)},
    )


@action(
    "refuse_dispatch",
    label=gettext_lazy("Refuse as misrouted"),
    verb=gettext_lazy("refuse as misrouted"),
    runs_from={Status.DISPATCHED},
    who={access.LEAD_UNIT},
    ready=[conditions.NOT_ACKNOWLEDGED_FOR_REFUSAL],
    serializer="dispatch.serializers.ReasonAction",
    form="dispatch.forms.ReasonForm",
    event_label=gettext_lazy("Refused as misrouted"),
    moves_to={Status.TRIAGED},
    aliases=("refuse",),
)
def refuse_dispatch(ticket: Ticket, *, actor: User, now: datetime, reason: str) -> Step:
    """The lead unit refuses a misrouted dispatch (改派): back to the center for re-dispatch.

    Refusals are counted per unit from these events (see ``refusal_counts``).
    """
    reason = text(reason, "reason")
    unit = ticket.lead_unit
    assert unit is not None  # dispatched: the ticket has a lead unit
    step = Step(
        to_status=Status.TRIAGED,
        fields={"lead_unit", "dispatched_at", "handle_started_at"},
        data={"reason": reason, "unit": unit.name, "unit_id": unit.pk},
        actor_unit_id=unit.pk,  # the refusing unit, counted per unit; it is no longer the lead after this
    )
    step.notices.append(
        center_notice(
            ticket,
            "refused",
            _("%(unit)s refused ticket %(ticket_no)s (re-dispatch needed): %(reason)s")
            % {"unit": unit.name, "ticket_no": ticket.ticket_no, "reason": reason},
        )
    )
    ticket.lead_unit = None
    ticket.dispatched_at = None
    ticket.handle_started_at = None
    ticket.co_units.clear()
    return step


def refusal_counts(*, since: datetime | None = None, until: datetime | None = None) -> dict[int, int]:
    """How many dispatches each unit refused (改派), by unit id, from the event history."""
    events = TicketEvent.objects.filter(kind=refuse_dispatch.action.event_kind)
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    return dict(events.values_list("actor_unit").annotate(n=Count("id")).values_list("actor_unit", "n"))

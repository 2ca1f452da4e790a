"""Oversight: supervision (督办) and a principal leader taking a ticket personally."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.workflow import conditions, core
from dispatch.workflow.core import Step
from dispatch.workflow.registry import action
from intake.models import Supervision, Ticket

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = ["set_supervision", "take_ticket"]

if TYPE_CHECKING:
    from org.models import User


@action(
    "set_supervision",
    label=gettext_lazy("Set supervision"),
    verb=gettext_lazy("set supervision"),
    runs_from=conditions.WATCHABLE,
    who={access.CENTER, access.OVERSEER, access.PRINCIPAL},
    serializer="dispatch.serializers.SuperviseAction",
    form="dispatch.forms.SuperviseForm",
    event_label=gettext_lazy("Supervision set"),
    aliases=("supervise",),
)
def set_supervision(ticket: Ticket, *, actor: User, now: datetime, level: str, note: str = "") -> Step:
    """Flag (or unflag, with "") a ticket as supervised by the city, the district or the street."""
    if level not in Supervision.values:
        raise core.invalid(_("level must be one of: city, district, street, or empty"), level="unknown")
    if level == ticket.supervision:
        raise core.conflict(_("ticket %(ticket_no)s already has this supervision") % {"ticket_no": ticket.ticket_no})
    previous = ticket.supervision
    ticket.supervision = level
    step = Step(
        fields={"supervision"},
        data={"level": level, "previous": previous, "note": core.text(note, "note", required=False)},
    )
    if level and ticket.lead_unit_id:
        message = _("Ticket %(ticket_no)s is now supervised.") % {"ticket_no": ticket.ticket_no}
        step.notices.append(core.lead_notice(ticket, "supervised", message))
    if level:
        message = _("Ticket %(ticket_no)s is now under %(level)s.") % {
            "ticket_no": ticket.ticket_no,
            "level": Supervision(level).label,
        }
        step.notices.append(core.leaders_notice(ticket, "supervised", message))
    return step


@action(
    "take_ticket",
    label=gettext_lazy("Take personally"),
    verb=gettext_lazy("take personally"),
    runs_from=conditions.WATCHABLE,
    who={access.PRINCIPAL},
    ready=[conditions.NOT_TAKEN_BY_ME],
    serializer="dispatch.serializers.NoteOnlyAction",
    form="dispatch.forms.NoteOnlyForm",
    event_label=gettext_lazy("Taken personally"),
    aliases=("take",),
)
def take_ticket(ticket: Ticket, *, actor: User, now: datetime, note: str = "") -> Step:
    """A principal leader takes a (difficult) ticket personally."""
    ticket.taken_by = actor
    step = Step(fields={"taken_by"}, data={"note": core.text(note, "note", required=False)})
    if ticket.lead_unit_id:
        message = _("Ticket %(ticket_no)s was taken personally by %(actor)s.") % {
            "ticket_no": ticket.ticket_no,
            "actor": actor,
        }
        step.notices.append(core.lead_notice(ticket, "taken", message))
    return step

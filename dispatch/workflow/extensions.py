"""Extensions (延期): the lead unit asks for more time, the section leader decides. The handling clock
stands still while the request waits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access, deadlines
from dispatch.models import ExtensionRequest, RequestStatus
from dispatch.workflow import conditions, core
from dispatch.workflow.core import Step
from dispatch.workflow.registry import action
from intake.models import Ticket
from org.models import Role

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = ["decide_extension", "request_extension"]

if TYPE_CHECKING:
    from org.models import User


@action(
    "request_extension",
    label=gettext_lazy("Request an extension"),
    verb=gettext_lazy("request an extension"),
    runs_from=conditions.IN_THE_UNITS,
    who={access.LEAD_UNIT},
    ready=[
        conditions.ACKNOWLEDGED_BEFORE_EXTENSION,
        conditions.lacks(
            "extension",
            "pending",
            refusal=gettext_lazy("an extension request of ticket %(ticket_no)s is already waiting"),
        ),
    ],
    serializer="dispatch.serializers.ExtensionAction",
    form="dispatch.forms.ExtensionForm",
    event_label=gettext_lazy("Extension requested"),
)
def request_extension(ticket: Ticket, *, actor: User, now: datetime, days: int, reason: str) -> Step:
    """Ask the section leader for more time; the handling clock stops until the decision."""
    reason = core.text(reason, "reason")
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise core.invalid(_("days must be a whole number from 1 to 60"), days="out of range")
    request = ExtensionRequest.objects.create(
        ticket=ticket, days=days, reason=reason, requested_by=actor, requested_at=now
    )
    step = Step(data={"days": days, "reason": reason, "request_id": request.pk})
    message = _("An extension of %(days)s day(s) is requested for ticket %(ticket_no)s: %(reason)s") % {
        "ticket_no": ticket.ticket_no,
        "days": days,
        "reason": reason,
    }
    step.notices.append(core.signer_notice(ticket, Role.SECTION_LEADER, "extension_requested", message))
    return step


@action(
    "decide_extension",
    label=gettext_lazy("Decide the extension request"),
    verb=gettext_lazy("decide the extension"),
    runs_from=conditions.IN_THE_UNITS,
    who={access.OVERSEER},
    ready=[
        conditions.has(
            "extension", "pending", refusal=gettext_lazy("no extension request of ticket %(ticket_no)s is waiting")
        )
    ],
    serializer="dispatch.serializers.DecisionAction",
    form="dispatch.forms.DecisionForm",
    event_label=gettext_lazy("Extension decided"),
    aliases=("approve_extension",),
)
def decide_extension(ticket: Ticket, *, actor: User, now: datetime, approved: bool, reason: str = "") -> Step:
    """The section leader approves (the handling deadline moves) or refuses; either way the clock runs
    again, and the time it stood still is added to the handling deadline."""
    request = ExtensionRequest.objects.select_for_update().get(ticket=ticket, status=RequestStatus.PENDING)
    reason = core.text(reason, "reason", required=not approved)
    waited = max(now - request.requested_at, timedelta(0))
    ticket.handle_paused_for = (ticket.handle_paused_for or timedelta(0)) + waited
    if ticket.extended_handle_due_at is not None:
        ticket.extended_handle_due_at += waited
    request.status = RequestStatus.APPROVED if approved else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_reason = actor, now, reason
    step = Step(fields={"handle_paused_for", "extended_handle_due_at"})
    if approved:
        # The current handling deadline (with the pause added), then the granted days on top of it:
        # working days under a working-days rule, calendar days otherwise.
        step.fields |= set(deadlines.apply_deadlines(ticket, extension_pending=False))
        rule = deadlines.load_rules(ticket.street_id)[deadlines.rule_key(ticket.urgency, ticket.kind)]
        unit = "working_days" if rule.handle_unit == "working_days" else "calendar_days"
        assert ticket.handle_due_at is not None  # just applied: a ticket in the units has a handling deadline
        ticket.extended_handle_due_at = deadlines.add_period(
            ticket.handle_due_at, request.days, unit, deadlines.load_overrides(ticket.street_id)
        )
        request.new_due_at = ticket.extended_handle_due_at
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "new_due_at"])
    step.data = {
        "approved": approved,
        "reason": reason,
        "days": request.days,
        "waited_seconds": int(waited.total_seconds()),
        "new_due_at": request.new_due_at.isoformat() if request.new_due_at else None,
    }
    message = _("Extension request of ticket %(ticket_no)s: %(verdict)s. %(reason)s") % {
        "ticket_no": ticket.ticket_no,
        "verdict": _("approved") if approved else _("refused"),
        "reason": reason,
    }
    step.notices.append(core.person_notice(request.requested_by_id, "extension_decided", message))
    return step

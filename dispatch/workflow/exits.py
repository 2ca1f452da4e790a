"""The other ways out (docs/domain.md §3): sending a misrouted ticket back upstream (退单) — directly
by the center, or asked for by the lead unit and decided by the center — and merging a duplicate."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.models import RequestStatus, SendBackRequest
from dispatch.workflow import conditions, core
from dispatch.workflow.core import Step
from dispatch.workflow.registry import action
from intake.models import GONE, Status, Ticket

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = ["decide_send_back", "merge_ticket", "send_back_ticket"]

if TYPE_CHECKING:
    from org.models import User


@action(
    "send_back_ticket",
    label=gettext_lazy("Send back"),
    verb=gettext_lazy("send back"),
    runs_from=conditions.AWAITING_CENTER | conditions.IN_THE_UNITS,
    who={access.CENTER, access.LEAD_UNIT},
    ready=[conditions.ONE_SEND_BACK_REQUEST],
    serializer="dispatch.serializers.ReasonAction",
    form="dispatch.forms.ReasonForm",
    event_label=gettext_lazy("Send-back"),
    moves_to={Status.SENT_BACK},
    aliases=("send_back",),
)
def send_back_ticket(ticket: Ticket, *, actor: User, now: datetime, reason: str) -> Step:
    """The center returns a misrouted ticket upstream; a lead-unit handler asks the center to."""
    reason = core.text(reason, "reason")
    pending = SendBackRequest.objects.select_for_update().filter(ticket=ticket, status=RequestStatus.PENDING).first()
    if access.has_relation(actor, ticket, access.CENTER):
        if pending is not None:
            pending.status, pending.decided_by, pending.decided_at = RequestStatus.APPROVED, actor, now
            pending.decision_reason = reason
            pending.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        return Step(to_status=Status.SENT_BACK, data={"reason": reason, "direct": True})
    request = SendBackRequest.objects.create(ticket=ticket, reason=reason, requested_by=actor, requested_at=now)
    step = Step(data={"reason": reason, "request_id": request.pk})
    message = _("A send-back of ticket %(ticket_no)s is requested: %(reason)s")
    step.notices.append(
        core.center_notice(ticket, "send_back_requested", message % {"ticket_no": ticket.ticket_no, "reason": reason})
    )
    return step


@action(
    "decide_send_back",
    label=gettext_lazy("Decide the send-back request"),
    verb=gettext_lazy("decide the send-back"),
    runs_from=conditions.IN_THE_UNITS,
    who={access.CENTER},
    ready=[
        conditions.has(
            "send_back", "pending", refusal=gettext_lazy("no send-back request of ticket %(ticket_no)s is waiting")
        )
    ],
    serializer="dispatch.serializers.DecisionAction",
    form="dispatch.forms.DecisionForm",
    event_label=gettext_lazy("Send-back decided"),
    moves_to={Status.SENT_BACK},
    aliases=("approve_send_back",),
)
def decide_send_back(ticket: Ticket, *, actor: User, now: datetime, approved: bool, reason: str = "") -> Step:
    """The center approves (the ticket leaves the street) or refuses a unit's send-back request."""
    request = SendBackRequest.objects.select_for_update().get(ticket=ticket, status=RequestStatus.PENDING)
    reason = core.text(reason, "reason", required=not approved)
    request.status = RequestStatus.APPROVED if approved else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_reason = actor, now, reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    step = Step(
        to_status=Status.SENT_BACK if approved else None,
        data={"approved": approved, "reason": reason, "request_id": request.pk},
    )
    message = _("Send-back request of ticket %(ticket_no)s: %(verdict)s. %(reason)s") % {
        "ticket_no": ticket.ticket_no,
        "verdict": _("approved") if approved else _("refused"),
        "reason": reason,
    }
    step.notices.append(core.person_notice(request.requested_by_id, "send_back_decided", message))
    return step


def _merge_target(ticket: Ticket | int, actor: User, into: str) -> Ticket:
    """The ticket ``into`` names, among those the actor sees; 400 when missing or the ticket itself."""
    target_no = core.text(into, "into", max_length=64)
    target = Ticket.objects.filter(ticket_no=target_no).first()
    if target is None or not access.is_visible(actor, target):
        raise core.invalid(_("ticket %(ticket_no)s not found") % {"ticket_no": target_no}, into="not found")
    if target.pk == (ticket.pk if isinstance(ticket, Ticket) else ticket):
        raise core.invalid(_("a ticket cannot be merged into itself"), into="self")
    return target


def _lock_both(ticket: Ticket | int, actor: User, kwargs: dict) -> None:
    """Lock the duplicate and its target in id order before anything else: A→B and B→A merged at
    once must neither deadlock nor both succeed. Who may merge is checked first (403 before 400)."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    duplicate = ticket if isinstance(ticket, Ticket) else Ticket.objects.get(pk=pk)
    access.require(actor, "merge_ticket", duplicate)
    target = _merge_target(ticket, actor, kwargs.get("into", ""))
    list(Ticket.objects.select_for_update().filter(pk__in=[pk, target.pk]).order_by("pk").values_list("pk"))


@action(
    "merge_ticket",
    label=gettext_lazy("Merge as a duplicate"),
    verb=gettext_lazy("merge"),
    runs_from=conditions.AWAITING_CENTER,
    who={access.CENTER},
    serializer="dispatch.serializers.MergeAction",
    form="dispatch.forms.MergeForm",
    event_label=gettext_lazy("Merged"),
    moves_to={Status.MERGED},
    aliases=("merge",),
    prelock=_lock_both,
)
def merge_ticket(ticket: Ticket, *, actor: User, now: datetime, into: str) -> Step:
    """Fold a duplicate into another ticket of the street (the duplicate leaves the workflow)."""
    target = _merge_target(ticket, actor, into)
    if target.status in GONE:
        raise core.invalid(
            _("ticket %(ticket_no)s is %(status)s")
            % {"ticket_no": target.ticket_no, "status": target.get_status_display()},
            into="not open",
        )
    ticket.merged_into = target
    return Step(to_status=Status.MERGED, fields={"merged_into"}, data={"into": target.ticket_no})

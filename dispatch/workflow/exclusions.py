"""Exclusions (剔除): a handler asks that a ticket not be counted, the leaders sign the request, the
center records the upstream's decision; an approved exclusion takes the ticket out of the rates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.attachments import check_uploads, evidence_file, store_checked
from dispatch.models import ExclusionReason, ExclusionRequest, ExclusionStatus
from dispatch.workflow import conditions, core, signoff
from dispatch.workflow.core import Step
from dispatch.workflow.registry import action
from intake.models import Ticket

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = ["record_exclusion_decision", "request_exclusion", "return_exclusion", "sign_off_exclusion"]

if TYPE_CHECKING:
    from org.models import User

NO_REQUEST_WAITING = gettext_lazy("no exclusion request of ticket %(ticket_no)s waits for sign-off")
WAITS_FOR_YOU = gettext_lazy("The exclusion request of ticket %(ticket_no)s waits for your sign-off.")


@action(
    "request_exclusion",
    label=gettext_lazy("Request exclusion"),
    verb=gettext_lazy("request an exclusion"),
    runs_from=conditions.EXCLUDABLE,
    who={access.LEAD_UNIT},
    ready=[
        conditions.NOT_EXCLUDED,
        conditions.lacks(
            "exclusion",
            "pending",
            "signed_off",
            refusal=gettext_lazy("an exclusion request of ticket %(ticket_no)s is already under way"),
        ),
    ],
    serializer="dispatch.serializers.ExclusionWithFilesAction",
    form="dispatch.forms.ExclusionForm",
    event_label=gettext_lazy("Exclusion requested"),
)
def request_exclusion(
    ticket: Ticket,
    *,
    actor: User,
    now: datetime,
    reason_category: str,
    reason: str,
    evidence: str = "",
    files: list | None = None,
) -> Step:
    """The handler drafts an exclusion request, with its evidence as text and as files (photos,
    scanned documents: checked like a note's attachments); it goes to the exclusion sign-off chain."""
    if reason_category not in ExclusionReason.values:
        raise core.invalid(
            _("reason_category must be one of %(choices)s") % {"choices": ", ".join(ExclusionReason.values)},
            reason_category="unknown",
        )
    reason = core.text(reason, "reason")
    checked = check_uploads(list(files or []))
    chain = signoff.exclusion_chain(ticket)
    request = signoff.submit(
        ExclusionRequest,
        ticket,
        actor=actor,
        now=now,
        chain=chain,
        reason_category=reason_category,
        reason=reason,
        evidence=core.text(evidence, "evidence", required=False, max_length=10000),
    )
    step = Step(
        data={
            "version": request.version,
            "reason_category": reason_category,
            "chain": chain,
            "evidence_files": [item["original_name"] for item in checked],
        }
    )
    store_checked(checked, lambda item: evidence_file(ticket, item, exclusion=request), step.cleanup)
    message = WAITS_FOR_YOU % {"ticket_no": ticket.ticket_no}
    step.notices.append(core.signer_notice(ticket, chain[0], "exclusion_sign_off_needed", message))
    return step


@action(
    "sign_off_exclusion",
    label=gettext_lazy("Approve the exclusion request"),
    verb=gettext_lazy("sign off the exclusion"),
    runs_from=conditions.EXCLUDABLE,
    who={access.EXCLUSION_SIGNER},
    ready=[conditions.has("exclusion", "pending", refusal=NO_REQUEST_WAITING)],
    serializer="dispatch.serializers.CommentAction",
    form="dispatch.forms.CommentForm",
    event_label=gettext_lazy("Exclusion signed off"),
    aliases=("approve_exclusion",),
)
def sign_off_exclusion(ticket: Ticket, *, actor: User, now: datetime, comment: str = "") -> Step:
    """The current signer approves the pending request; after the last step the center submits it."""
    request = signoff.pending(ExclusionRequest, ticket)
    step = signoff.sign(request, actor, comment, now)
    if signoff.is_complete(request):
        request.status = ExclusionStatus.SIGNED_OFF
        message = _(
            "The exclusion request of ticket %(ticket_no)s is signed off; submit it upstream and record the decision."
        )
        step.notices.append(
            core.center_notice(ticket, "exclusion_signed_off", message % {"ticket_no": ticket.ticket_no})
        )
    else:
        message = WAITS_FOR_YOU % {"ticket_no": ticket.ticket_no}
        step.notices.append(
            core.signer_notice(ticket, signoff.next_signer(request), "exclusion_sign_off_needed", message)
        )
    request.save(update_fields=["signatures", "step", "status"])
    return step


@action(
    "return_exclusion",
    label=gettext_lazy("Return the exclusion request"),
    verb=gettext_lazy("return the exclusion request"),
    runs_from=conditions.EXCLUDABLE,
    who={access.EXCLUSION_SIGNER},
    ready=[conditions.has("exclusion", "pending", refusal=NO_REQUEST_WAITING)],
    serializer="dispatch.serializers.ReasonAction",
    form="dispatch.forms.ReasonForm",
    event_label=gettext_lazy("Exclusion returned"),
)
def return_exclusion(ticket: Ticket, *, actor: User, now: datetime, reason: str) -> Step:
    """The current signer returns the request with a reason; the unit may submit a new version."""
    reason = core.text(reason, "reason")
    return signoff.return_to_author(
        signoff.pending(ExclusionRequest, ticket),
        status=ExclusionStatus.RETURNED,
        reason=reason,
        now=now,
        kind="exclusion_returned",
        message=_("The exclusion request of ticket %(ticket_no)s was returned: %(reason)s"),
        ticket=ticket,
    )


@action(
    "record_exclusion_decision",
    label=gettext_lazy("Record the upstream exclusion decision"),
    verb=gettext_lazy("record the upstream exclusion decision"),
    runs_from=conditions.EXCLUDABLE,
    who={access.CENTER},
    ready=[
        conditions.has(
            "exclusion",
            "signed_off",
            refusal=gettext_lazy("no signed-off exclusion request of ticket %(ticket_no)s awaits a decision"),
        )
    ],
    serializer="dispatch.serializers.ExclusionDecisionAction",
    form="dispatch.forms.ExclusionDecisionForm",
    event_label=gettext_lazy("Upstream exclusion decision"),
    aliases=("exclusion_decision",),
)
def record_exclusion_decision(ticket: Ticket, *, actor: User, now: datetime, approved: bool, note: str = "") -> Step:
    """The center records the upstream decision; an approved exclusion takes the ticket out of the rates."""
    request = ExclusionRequest.objects.select_for_update().get(ticket=ticket, status=ExclusionStatus.SIGNED_OFF)
    request.status = ExclusionStatus.APPROVED if approved else ExclusionStatus.REFUSED
    request.decided_at = now
    request.save(update_fields=["status", "decided_at"])
    step = Step(
        data={"version": request.version, "approved": approved, "note": core.text(note, "note", required=False)}
    )
    if approved:
        ticket.is_excluded = True
        step.fields.add("is_excluded")
    message = _("The exclusion of ticket %(ticket_no)s was %(verdict)s upstream.") % {
        "ticket_no": ticket.ticket_no,
        "verdict": _("approved") if approved else _("refused"),
    }
    step.notices.append(core.person_notice(request.author_id, "exclusion_decided", message))
    return step

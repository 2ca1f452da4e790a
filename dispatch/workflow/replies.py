"""Steps 6 and 7: the reply draft, its sign-off chain (审核), and the reply sent upstream (回复)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.attachments import check_uploads, evidence_file, store_checked
from dispatch.models import ReplyDraft, SignOffStatus
from dispatch.workflow import conditions, core, signoff
from dispatch.workflow.core import Step
from dispatch.workflow.registry import action
from intake.models import PUBLIC_REPLY_CHARS, Status, Ticket

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = ["publish_reply", "return_reply_draft", "send_reply", "sign_off_reply", "submit_reply_draft"]

if TYPE_CHECKING:
    from org.models import User

NO_DRAFT_WAITING = gettext_lazy("no reply draft of ticket %(ticket_no)s waits for sign-off")


@action(
    "submit_reply_draft",
    label=gettext_lazy("Submit the reply draft"),
    verb=gettext_lazy("submit a reply draft"),
    runs_from=conditions.OPEN_FOR_HANDLING,
    who={access.LEAD_UNIT},
    ready=[
        conditions.lacks(
            "reply", "pending", refusal=gettext_lazy("a reply draft of ticket %(ticket_no)s already waits for sign-off")
        )
    ],
    serializer="dispatch.serializers.ReplyDraftWithFilesAction",
    form="dispatch.forms.ReplyDraftForm",
    event_label=gettext_lazy("Reply draft submitted"),
    moves_to={Status.HANDLING},
    aliases=("submit_reply",),
)
def submit_reply_draft(ticket: Ticket, *, actor: User, now: datetime, text: str, files: list | None = None) -> Step:
    """A new version of the reply goes to the sign-off chain (section leader, then principal if key)."""
    text = core.text(text, "text", max_length=10000)
    checked = check_uploads(list(files or []))
    chain = signoff.reply_chain(ticket)
    draft = signoff.submit(ReplyDraft, ticket, actor=actor, now=now, chain=chain, text=text)
    step = Step(
        to_status=Status.HANDLING if ticket.status == Status.CONTACTED else None,
        data={"version": draft.version, "chain": chain, "evidence_files": [i["original_name"] for i in checked]},
    )
    store_checked(checked, lambda item: evidence_file(ticket, item, reply_draft=draft), step.cleanup)
    message = _("The reply draft of ticket %(ticket_no)s (version %(version)s) waits for your sign-off.") % {
        "ticket_no": ticket.ticket_no,
        "version": draft.version,
    }
    step.notices.append(core.signer_notice(ticket, chain[0], "sign_off_needed", message))
    return step


@action(
    "sign_off_reply",
    label=gettext_lazy("Approve the reply"),
    verb=gettext_lazy("sign off the reply"),
    runs_from=conditions.SIGNING,
    who={access.REPLY_SIGNER},
    ready=[conditions.has("reply", "pending", refusal=NO_DRAFT_WAITING)],
    serializer="dispatch.serializers.CommentAction",
    form="dispatch.forms.CommentForm",
    event_label=gettext_lazy("Reply draft approved"),
    moves_to={Status.REVIEWED},
    aliases=("approve_reply",),
)
def sign_off_reply(ticket: Ticket, *, actor: User, now: datetime, comment: str = "") -> Step:
    """The current signer approves the pending draft; after the last step the ticket is reviewed."""
    draft = signoff.pending(ReplyDraft, ticket)
    step = signoff.sign(draft, actor, comment, now)
    if signoff.is_complete(draft):
        draft.status = SignOffStatus.SIGNED_OFF
        draft.decided_at = now
        ticket.reviewed_at = now
        step.to_status = Status.REVIEWED
        step.fields.add("reviewed_at")
        message = _("The reply of ticket %(ticket_no)s is signed off; please send it upstream.")
        step.notices.append(core.center_notice(ticket, "reviewed", message % {"ticket_no": ticket.ticket_no}))
        message = _("The reply of ticket %(ticket_no)s is signed off.")
        step.notices.append(core.person_notice(draft.author_id, "reviewed", message % {"ticket_no": ticket.ticket_no}))
    else:
        message = _("The reply draft of ticket %(ticket_no)s waits for your sign-off.")
        step.notices.append(
            core.signer_notice(
                ticket, signoff.next_signer(draft), "sign_off_needed", message % {"ticket_no": ticket.ticket_no}
            )
        )
    draft.save(update_fields=["signatures", "step", "status", "decided_at"])
    return step


@action(
    "return_reply_draft",
    label=gettext_lazy("Return the reply"),
    verb=gettext_lazy("return the reply draft"),
    runs_from=conditions.SIGNING,
    who={access.REPLY_SIGNER},
    ready=[conditions.has("reply", "pending", refusal=NO_DRAFT_WAITING)],
    serializer="dispatch.serializers.ReasonAction",
    form="dispatch.forms.ReasonForm",
    event_label=gettext_lazy("Reply draft returned"),
    aliases=("return_reply",),
)
def return_reply_draft(ticket: Ticket, *, actor: User, now: datetime, reason: str) -> Step:
    """The current signer returns the draft with a reason; the unit submits a new version."""
    reason = core.text(reason, "reason")
    return signoff.return_to_author(
        signoff.pending(ReplyDraft, ticket),
        status=SignOffStatus.RETURNED,
        reason=reason,
        now=now,
        kind="reply_returned",
        message=_("The reply draft of ticket %(ticket_no)s was returned: %(reason)s"),
        ticket=ticket,
    )


@action(
    "send_reply",
    label=gettext_lazy("Send the reply upstream"),
    verb=gettext_lazy("reply upstream"),
    runs_from={Status.REVIEWED},
    who={access.CENTER},
    ready=[conditions.has("reply", "signed_off", refusal=gettext_lazy("ticket %(ticket_no)s has no signed reply"))],
    serializer="dispatch.serializers.OptionalTextAction",
    form="dispatch.forms.SendReplyForm",
    event_label=gettext_lazy("Reply sent upstream"),
    moves_to={Status.REPLIED},
    aliases=("reply",),
)
def send_reply(ticket: Ticket, *, actor: User, now: datetime, text: str = "") -> Step:
    """The center sends the signed reply upstream (办结); by default the signed draft's text."""
    draft = ReplyDraft.objects.filter(ticket=ticket, status=SignOffStatus.SIGNED_OFF).order_by("-version").first()
    assert draft is not None  # the declaration's condition: a signed-off draft exists
    ticket.replied_at = now
    return Step(
        to_status=Status.REPLIED,
        fields={"replied_at"},
        data={
            "version": draft.version,
            "text": core.text(text, "text", required=False, max_length=10000) or draft.text,
        },
    )


@action(
    "publish_reply",
    label=gettext_lazy("Write the public reply"),
    verb=gettext_lazy("write the public reply of"),
    runs_from=conditions.REPLY_SENT,
    who={access.CENTER},
    serializer="dispatch.serializers.PublicReplyAction",
    form="dispatch.forms.PublicReplyForm",
    event_label=gettext_lazy("Public reply written"),
)
def publish_reply(ticket: Ticket, *, actor: User, now: datetime, text: str) -> Step:
    """Once the reply has gone upstream, the center writes what open data shows of the outcome
    (Open311's status notes, docs/geography.md): its own words, not the reply to the caller, which may
    name people. Refused when it names the caller or holds a phone-like number; written again, it
    replaces the earlier one (the events keep both)."""
    text = core.text(text, "text", max_length=PUBLIC_REPLY_CHARS)
    if access.mask_text(text, name=ticket.complainant_name, phone=ticket.complainant_phone) != text:
        raise core.invalid(_("The public reply must not name the caller or hold a phone number."), text="personal data")
    previous = ticket.public_reply
    ticket.public_reply = text
    return Step(fields={"public_reply"}, data={"text": text, "previous": previous})

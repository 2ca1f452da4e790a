"""A ticket's casework records: its history (TicketEvent), the signed documents (reply drafts and
exclusion requests), the decided requests (extension, send-back), notes with attachments, evidence
files and our own pre-visits. Only ``dispatch.workflow`` writes them; the rest of the product reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """History entries that are not workflow actions (each action's event kind is its own name, declared
    with it in ``dispatch.workflow``; ``dispatch.workflow.registry.event_label`` gives every kind's label)."""

    UPSTREAM_UPDATE = "upstream_update", _("Updated by the upstream")


class TicketEvent(models.Model):
    """One entry of a ticket's append-only history: who did what, when, from which state to which."""

    # No single-column indexes on the foreign keys: event_ticket_at serves the ticket's timeline, and
    # nothing looks events up by actor; each extra index would slow the bulk demo history and imports.
    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="events", db_index=False)
    # a code: an action's name (dispatch.workflow.registry) or an EventKind; no choices, so that a new
    # action needs no migration
    kind = models.CharField(_("kind"), max_length=40)
    # Actor and unit are protected by Django (PROTECT: a person or unit with history cannot be deleted)
    # rather than by database constraints: a deferred constraint check per row doubled the time of
    # writing a million demo tickets' history (dispatch/demo.py), and only the workflow writes here.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The actor's unit at the time (a handler may later change units; the history must not).
    actor_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [
            # the timeline of one ticket, in order
            models.Index(fields=["ticket", "at"], name="event_ticket_at"),
            # reports: events of a kind in a period (refusals per unit, sign-off times)
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an event, once written, is history.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("ticket events are append-only")
        super().save(*args, **kwargs)


class SignOffStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for sign-off")
    SIGNED_OFF = "signed_off", _("Signed off")
    RETURNED = "returned", _("Returned")


class SignedDocument(models.Model):
    """A versioned text that goes through a sign-off chain: a reply draft or an exclusion request."""

    version = models.PositiveSmallIntegerField(_("version"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    # The roles that must sign, in order (copied from the chain configured when it was submitted).
    chain = models.JSONField(_("sign-off chain"), default=list)
    step = models.PositiveSmallIntegerField(_("current step"), default=0)
    signatures = models.JSONField(_("signatures"), default=list, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    if TYPE_CHECKING:  # declared by each concrete document (its own choices, its own manager)
        status: str
        objects: ClassVar[models.Manager[Any]]

    class Meta:
        abstract = True

    @property
    def waiting_for(self) -> str | None:
        """The role whose signature the document waits for, or None when it waits for nobody."""
        if self.status != "pending" or self.step >= len(self.chain):
            return None
        return self.chain[self.step]


class ReplyDraft(SignedDocument):
    """A version of the reply a unit proposes; it goes through the sign-off chain (审核)."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="reply_drafts")
    text = models.TextField(_("reply"))
    status = models.CharField(_("status"), max_length=12, choices=SignOffStatus.choices, default=SignOffStatus.PENDING)

    class Meta:
        ordering = ["ticket", "-version"]
        verbose_name = _("reply draft")
        verbose_name_plural = _("reply drafts")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "version"], name="reply_draft_version_unique"),
            # at most one draft of a ticket waits for sign-off at a time
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(status="pending"), name="reply_draft_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="reply_draft_queue")]

    def __str__(self) -> str:
        return f"{self.ticket_id} v{self.version}"


class ExclusionReason(models.TextChoices):
    """Why a ticket should not count (剔除), in the categories the city accepts."""

    UNREASONABLE = "unreasonable", _("Unreasonable demand")  # 诉求不合理
    OUT_OF_SCOPE = "out_of_scope", _("Outside the street's remit")  # 非街道职责
    POLICY_LIMIT = "policy_limit", _("Beyond current policy")  # 超出政策范围
    DUPLICATE = "duplicate", _("Repeated request already handled")  # 重复诉求
    UNREACHABLE = "unreachable", _("Complainant unreachable")  # 无法联系
    OTHER = "other", _("Other")


class ExclusionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for sign-off")
    SIGNED_OFF = "signed_off", _("Signed off, waiting for the upstream decision")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved upstream")
    REFUSED = "refused", _("Refused upstream")


class ExclusionRequest(SignedDocument):
    """A request that a ticket not be counted (剔除): drafted by the unit, signed off, decided upstream."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="exclusion_requests")
    reason_category = models.CharField(_("reason"), max_length=20, choices=ExclusionReason.choices)
    reason = models.TextField(_("explanation"))
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ExclusionStatus.choices, default=ExclusionStatus.PENDING
    )

    class Meta:
        ordering = ["ticket", "-version"]
        verbose_name = _("exclusion request")
        verbose_name_plural = _("exclusion requests")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "version"], name="exclusion_version_unique"),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status__in=["pending", "signed_off"]),
                name="exclusion_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} exclusion v{self.version}"


# The signed documents, by the name their chain and the access relations use.
SIGNED_DOCUMENTS: dict[str, type[SignedDocument]] = {"reply": ReplyDraft, "exclusion": ExclusionRequest}


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class DecidedRequest(models.Model):
    """A unit's request that someone above it approves or refuses, with a reason either way."""

    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        abstract = True


class ExtensionRequest(DecidedRequest):
    """A request to move the handling deadline (延期). The clock stops while it waits."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveSmallIntegerField(_("days"))
    new_due_at = models.DateTimeField(_("new deadline"), null=True, blank=True)

    class Meta:
        ordering = ["ticket", "-requested_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(status="pending"), name="extension_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} +{self.days} ({self.status})"


class SendBackRequest(DecidedRequest):
    """A unit's request that the center return a misrouted ticket upstream (退单)."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="send_back_requests")

    class Meta:
        ordering = ["ticket", "-requested_at"]
        verbose_name = _("send-back request")
        verbose_name_plural = _("send-back requests")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(status="pending"), name="send_back_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} send-back ({self.status})"


class Note(models.Model):
    """A handling note (办理记录): progress, a site visit, with photos or PDFs attached."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["ticket", "created_at"]
        verbose_name = _("handling note")
        verbose_name_plural = _("handling notes")

    def __str__(self) -> str:
        return f"{self.ticket_id} note {self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under MEDIA_ROOT by ticket; the random name keeps uploads from overwriting each other.
    return f"attachments/{instance.note.ticket_id}/{instance.stored_name}"


class Attachment(models.Model):
    """An image or PDF attached to a note; its type was checked by content, not by its name."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"evidence/{instance.ticket_id}/{instance.stored_name}"


class EvidenceFile(models.Model):
    """A photo or scanned document backing an exclusion request (剔除证据) or a reply draft, checked like
    a note's attachments (dispatch.attachments: size and content, never the name). It belongs to one
    version of one document: a new version brings its own files."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="evidence_files")
    exclusion = models.ForeignKey(
        ExclusionRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    reply_draft = models.ForeignKey(ReplyDraft, on_delete=models.CASCADE, null=True, blank=True, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            # exactly one document: an exclusion request or a reply draft
            models.CheckConstraint(
                condition=models.Q(exclusion__isnull=False, reply_draft__isnull=True)
                | models.Q(exclusion__isnull=True, reply_draft__isnull=False),
                name="evidence_file_one_document",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class PreVisit(models.Model):
    """Our own call to the complainant after the reply, before the city's return visit (回访前自查):
    the center or the lead unit asks the city's questions and writes down the answers. A ticket whose
    pre-visit is not double-yes goes straight to second handling (``record_pre_visit``)."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="pre_visits")
    # the handling round it checks (the ticket's rehandling_count when called): one pre-visit a round
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    called_at = models.DateTimeField(_("called at"))
    responded = models.BooleanField(_("responded"))
    resolved = models.BooleanField(_("resolved"))
    satisfied = models.BooleanField(_("satisfied"))
    note = models.TextField(_("note"), blank=True)
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    caller_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["ticket", "called_at"]
        verbose_name = _("pre-visit")
        verbose_name_plural = _("pre-visits")
        constraints = [models.UniqueConstraint(fields=["ticket", "round"], name="pre_visit_one_per_round")]
        indexes = [models.Index(fields=["called_at"], name="pre_visit_called_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} pre-visit round {self.round}"

    @property
    def is_double_yes(self) -> bool:
        return self.resolved and self.satisfied

"""What the workflow records beside the ticket row: its history, drafts and requests, notes with
attachments, notifications, personal-data access, and the editable deadline rules.

Only ``dispatch.workflow`` writes TicketEvent, ReplyDraft, ExclusionRequest, ExtensionRequest,
SendBackRequest and Note; the rest of the product reads them.
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


class Notification(models.Model):
    """An in-app message to one person about one ticket (also sent by email where configured)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(
        "intake.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # the header's unread count and the user's list, newest first
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class UsedFormToken(models.Model):
    """A workflow form of the pages that has been acted on, by its one-time token (a hidden field).

    The row is written in the same transaction as the action: a form sent twice (a double click, a
    reload after posting) finds its token taken and acts once — the primary key is the guard, so two
    simultaneous posts cannot both pass. A refused action rolls the row back with everything else,
    so the corrected form can be sent again with the same token.
    """

    token = models.CharField(_("token"), max_length=64, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(_("used at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("used form token")
        verbose_name_plural = _("used form tokens")

    def __str__(self) -> str:
        return self.token


class PersonalDataAccess(models.Model):
    """One full display of a complainant's name and phone (docs/domain.md §7 requires each to be logged)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # no ticket: a search by phone or name (``term`` holds what was searched for, masked)
    ticket = models.ForeignKey(
        "intake.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="personal_data_accesses"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    context = models.CharField(_("where"), max_length=40)
    term = models.CharField(_("searched for"), max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [models.Index(fields=["ticket", "at"], name="pd_access_ticket_at")]

    def __str__(self) -> str:
        what = self.ticket_id if self.ticket_id else f"{self.context} {self.term}"
        return f"{self.user_id} saw {what} @ {self.at:%Y-%m-%d %H:%M}"


class DeadlineRule(models.TextChoices):
    URGENT = "urgent", _("Urgent tickets")
    NORMAL = "normal", _("Normal tickets")
    CONSULT = "consult", _("Consultations")


class HandleUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class DeadlinePolicy(models.Model):
    """The editable deadline rules (docs/domain.md §3): one row per rule; saving one recomputes open tickets."""

    rule = models.CharField(_("rule"), max_length=10, choices=DeadlineRule.choices, unique=True)
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"))
    contact_hours = models.PositiveIntegerField(_("contact within (hours)"))
    handle_amount = models.PositiveIntegerField(_("handle within"))
    handle_unit = models.CharField(_("unit"), max_length=14, choices=HandleUnit.choices)
    due_soon_fraction = models.DecimalField(
        _("warn when this share of the time is left"), max_digits=3, decimal_places=2, default=0.25
    )

    class Meta:
        ordering = ["rule"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")

    def __str__(self) -> str:
        return self.get_rule_display()


class CalendarOverride(models.Model):
    """A day whose working status differs from the official calendar package (announced late)."""

    on = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["on"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.on} {'working' if self.is_working_day else 'holiday'}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # queued, or waiting for its next try
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # every try failed: listed for the center


class Delivery(models.Model):
    """One notice on its way to one channel (a unit's WeCom group, a person's webhook): the delivery
    log. Written after the workflow's commit and sent by a Celery worker (dispatch.delivery)."""

    channel = models.ForeignKey(
        "org.Channel", verbose_name=_("channel"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel_kind = models.CharField(_("channel kind"), max_length=10)
    recipient = models.CharField(_("recipient"), max_length=150)
    notice_kind = models.CharField(_("notice"), max_length=30)
    ticket = models.ForeignKey(
        "intake.Ticket", verbose_name=_("ticket"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"))
    markdown = models.BooleanField(_("markdown"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    # a pending delivery is not tried again before this (the backoff, or the lease of a try under way)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # the sweeper's pending ones by time, the center's failed list
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.notice_kind} ({self.status})"

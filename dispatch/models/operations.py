"""What the street's work runs on beside the casework: notifications, used form tokens, the
personal-data access log, the editable deadline rules and working-day overrides, and the deliveries of
notices outside the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    """The editable deadline rules (docs/domain.md §3): one row per rule; saving one recomputes open tickets.
    A row without a street is the default of every street (the district's); a street's own row for a
    rule wins over the default (``dispatch.deadlines.load_rules``; docs/district.md)."""

    street = models.ForeignKey(
        "org.Street",
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default of every street."),
    )
    rule = models.CharField(_("rule"), max_length=10, choices=DeadlineRule.choices)
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
        constraints = [
            # one row a rule: per street, and among the defaults
            models.UniqueConstraint(fields=["street", "rule"], name="deadline_policy_street_rule"),
            models.UniqueConstraint(
                fields=["rule"], condition=models.Q(street__isnull=True), name="deadline_policy_default_rule"
            ),
        ]

    def __str__(self) -> str:
        return self.get_rule_display()


class SignOffChainKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    REPLY_KEY = "reply_key", _("Reply of a key or supervised ticket")
    EXCLUSION = "exclusion", _("Exclusion request")


class SignOffChain(models.Model):
    """Which roles sign a kind of document, in order (``dispatch.workflow.signoff``). A row without a
    street is the default of every street (the district's), over the built-in chains and
    ``JXQ_SIGN_OFF_CHAINS``; a street's own row wins over the default (docs/district.md)."""

    street = models.ForeignKey(
        "org.Street",
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default of every street."),
    )
    chain = models.CharField(_("document"), max_length=10, choices=SignOffChainKind.choices)
    roles = models.JSONField(_("signers in order"), help_text=_("A list of roles: section_leader, principal_leader."))

    class Meta:
        ordering = ["chain"]
        verbose_name = _("sign-off chain")
        verbose_name_plural = _("sign-off chains")
        constraints = [
            # one row a chain: per street, and among the defaults
            models.UniqueConstraint(fields=["street", "chain"], name="sign_off_chain_street_chain"),
            models.UniqueConstraint(
                fields=["chain"], condition=models.Q(street__isnull=True), name="sign_off_chain_default_chain"
            ),
        ]

    def __str__(self) -> str:
        return self.get_chain_display()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from dispatch.workflow.signoff import SIGNING_ROLES

        if not isinstance(self.roles, list) or not self.roles or any(r not in SIGNING_ROLES for r in self.roles):
            raise ValidationError(
                {"roles": _("List one or more of: %(roles)s.") % {"roles": ", ".join(sorted(SIGNING_ROLES))}}
            )


class CalendarOverride(models.Model):
    """A day whose working status differs from the official calendar package (announced late). A row
    without a street is the default of every street (the State Council's make-up days); a street's
    own row for a day wins over the default (``dispatch.deadlines.load_overrides``, docs/district.md)."""

    street = models.ForeignKey(
        "org.Street",
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default of every street."),
    )
    on = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["on"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        constraints = [
            # one row a day: per street, and among the defaults
            models.UniqueConstraint(fields=["street", "on"], name="calendar_override_street_on"),
            models.UniqueConstraint(
                fields=["on"], condition=models.Q(street__isnull=True), name="calendar_override_default_on"
            ),
        ]

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

"""Proactive handling (未诉先办): the similarity index, hot spots found by the nightly job, and the
proactive cases (主动治理) leaders open on them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketSignature(models.Model):
    """A ticket's similarity profile and MinHash signature, computed once by ``proactive.indexing``.

    The profile is what the exact re-rank compares, so a lookup never re-segments earlier tickets.
    ``measure_version`` changes when the measure does; older rows are then indexed again.
    """

    ticket = models.OneToOneField("intake.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+")
    # copied from the ticket so that the candidate query and the hot spot job read one table
    received_at = models.DateTimeField()
    community = models.ForeignKey("org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.ForeignKey("intake.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # {"w": {word: idf}, "c": "char n-grams", "s": "syllable n-grams" (space-separated), "p": [place bigrams],
    #  "grid": cell id, "cn"/"sn": weighted lengths of c and s}
    profile = models.JSONField()
    minhash = models.JSONField()
    measure_version = models.PositiveSmallIntegerField()
    # a hash of what the signature was computed from: a workflow save (updated_at moves) that did not
    # touch the text, place, category or time does not cost a re-index
    fingerprint = models.CharField(max_length=32, default="")
    indexed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # the hot spot job: signatures of a window
            models.Index(fields=["received_at"], name="proactive_sig_recv"),
            # the lookup's second candidate source: the same community, recent first
            models.Index(fields=["community", "received_at"], name="proactive_sig_comm_recv"),
        ]

    def __str__(self) -> str:
        return f"signature of ticket {self.ticket_id}"


class IndexState(models.Model):
    """Where the periodic indexing stands (one row): tickets above ``last_ticket_id`` are new, tickets
    updated since ``checked_at`` may have changed. Scanning for "tickets without a signature" instead
    costs a full anti-join per batch at a million tickets."""

    measure_version = models.PositiveSmallIntegerField(default=0)
    last_ticket_id = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"indexed up to ticket {self.last_ticket_id}, changes checked at {self.checked_at}"


class SignatureBand(models.Model):
    """One LSH band key of a ticket's signature. Tickets sharing a key are candidates for each other."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.BigIntegerField()
    received_at = models.DateTimeField()

    class Meta:
        indexes = [
            # the similar-tickets lookup: tickets sharing a band key within the time window
            models.Index(fields=["key", "received_at"], name="proactive_band_key_recv"),
        ]
        # No index on ticket alone: with 16 rows per ticket it would cost a third of every insert, and
        # re-indexing finds a ticket's old rows through (key, received_at) from its stored signature.

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.key}"


class HotSpotRun(models.Model):
    """One run of the hot spot job over the window ending on ``end_on``. Re-running the same window
    replaces the run's hot spots (the job is idempotent)."""

    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ticket_count = models.PositiveIntegerField(_("tickets examined"), default=0)
    hotspot_count = models.PositiveIntegerField(_("hot spots"), default=0)

    class Meta:
        ordering = ["-end_on", "-started_at"]
        verbose_name = _("hot spot run")
        verbose_name_plural = _("hot spot runs")
        constraints = [models.UniqueConstraint(fields=["start_on", "end_on"], name="proactive_run_window_unique")]

    def __str__(self) -> str:
        return f"{self.start_on} – {self.end_on}"


class HotSpot(models.Model):
    """A cluster of recent tickets about one matter in one place (热点)."""

    run = models.ForeignKey(HotSpotRun, on_delete=models.CASCADE, related_name="hotspots")
    topic = models.CharField(_("topic"), max_length=200)
    keywords = models.JSONField(_("keywords"), default=list)
    community = models.ForeignKey(
        "org.Unit", verbose_name=_("community"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    category = models.ForeignKey(
        "intake.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket_count = models.PositiveIntegerField(_("tickets"))
    first_received_at = models.DateTimeField(_("first received at"))
    last_received_at = models.DateTimeField(_("last received at"))
    # weekly counts over the run's window, oldest first: [{"week_on": "2026-03-02", "count": 4}, ...]
    trend = models.JSONField(_("weekly trend"), default=list)
    tickets = models.ManyToManyField("intake.Ticket", through="HotSpotTicket", related_name="+")

    class Meta:
        ordering = ["-ticket_count", "-last_received_at"]
        verbose_name = _("hot spot")
        verbose_name_plural = _("hot spots")

    def __str__(self) -> str:
        return self.topic


class HotSpotTicket(models.Model):
    hotspot = models.ForeignKey(HotSpot, on_delete=models.CASCADE)
    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hotspot", "ticket"], name="proactive_hotspot_ticket_unique")]

    def __str__(self) -> str:
        return f"{self.hotspot_id}:{self.ticket_id}"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # drafted by the center, not yet opened by a leader
    OPEN = "open", _("Open")  # a leader opened it: measures are being taken
    CLOSED = "closed", _("Closed")  # the cause is fixed (or given up), with a conclusion


class ProactiveCase(models.Model):
    """A proactive case (主动治理): the street goes after the cause of a cluster of calls.

    Its *matter* is the topic keywords and the place (community) copied from the hot spot; the
    before/after volumes count the tickets of that matter per week, so calls that arrive after the
    case opened are counted too (``proactive.cases.case_volume``).
    """

    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    hotspot = models.ForeignKey(
        HotSpot, verbose_name=_("hot spot"), on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    keywords = models.JSONField(_("keywords"), default=list)
    community = models.ForeignKey(
        "org.Unit", verbose_name=_("community"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "intake.Category", verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    units = models.ManyToManyField("org.Unit", verbose_name=_("units involved"), blank=True, related_name="+")
    tickets = models.ManyToManyField("intake.Ticket", verbose_name=_("linked tickets"), blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proactive case")
        verbose_name_plural = _("proactive cases")

    def __str__(self) -> str:
        return self.title


class CaseMeasure(models.Model):
    """One measure taken on a proactive case (措施), dated by when it was taken."""

    case = models.ForeignKey(ProactiveCase, on_delete=models.CASCADE, related_name="measures")
    taken_on = models.DateField(_("taken on"))
    description = models.TextField(_("description"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["taken_on", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return f"{self.taken_on} {self.description[:30]}"


class CaseEvent(models.Model):
    """One entry of a proactive case's append-only history, written by ``proactive.cases`` with the
    change it records: created, opened, a measure added, tickets linked, closed."""

    case = models.ForeignKey(ProactiveCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20)  # create, open, add_measure, link_tickets, close
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # Append-only: an event, once written, is history.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("case events are append-only")
        super().save(*args, **kwargs)


# --- the triage assistant (智能派单, docs/proactive.md "Triage assistant") -------------------------


class TriageModel(models.Model):
    """One training of the triage assistant: the fitted classifiers as a signed joblib blob.

    The blob is unpickled only when its HMAC (keyed with ``SECRET_KEY``) matches, so only a model this
    installation wrote is ever loaded. The newest row is the model in use; older rows are kept a while
    so that suggestions can name the model they came from.
    """

    trained_at = models.DateTimeField(_("trained at"))
    history_from = models.DateTimeField(_("history from"))
    history_until = models.DateTimeField(_("history until"))
    ticket_count = models.PositiveIntegerField(_("tickets learned from"))
    library = models.CharField(_("library"), max_length=60)  # "scikit-learn 1.9.1": a blob is read by its own
    labels = models.JSONField(default=dict)  # {"community": n, "category": n, "lead_unit": n} classes per field
    blob = models.BinaryField()
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")

    def __str__(self) -> str:
        return f"triage model {self.pk} ({self.ticket_count} tickets, {self.trained_at:%Y-%m-%d %H:%M})"


class TriageSuggestion(models.Model):
    """What the assistant suggested for a ticket, as it was shown (one per ticket and model)."""

    ticket = models.ForeignKey("intake.Ticket", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(TriageModel, on_delete=models.CASCADE, related_name="suggestions")
    created_at = models.DateTimeField(_("suggested at"), auto_now_add=True)
    # {"community": {"id", "name", "confidence", "reasons", "alternatives"}, "category": …, "lead_unit": …,
    #  "co_units": {"units": [...], ...}}; a field with too little evidence has "id": null
    payload = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "model"], name="triage_suggestion_once")]

    def __str__(self) -> str:
        return f"suggestion for ticket {self.ticket_id} by model {self.model_id}"


class SuggestedField(models.TextChoices):
    COMMUNITY = "community", _("Community")
    CATEGORY = "category", _("Category")
    LEAD_UNIT = "lead_unit", _("Lead unit")
    CO_UNITS = "co_units", _("Co-handling units")


class TriageDecision(models.Model):
    """The center's answer to one suggested field: accepted (the suggestion was chosen) or overridden.

    Written when the triage or dispatch event is (``proactive.triage_assistant.record_decisions``); the
    first decision on a field counts, a later correction of the same ticket does not change it."""

    suggestion = models.ForeignKey(TriageSuggestion, on_delete=models.CASCADE, related_name="decisions")
    field = models.CharField(_("field"), max_length=12, choices=SuggestedField.choices)
    suggested = models.JSONField()  # id (or list of ids for co_units), null when nothing was suggested
    # what the center chose: an id, a list of ids, or null when it left a suggested field empty
    # (a triage that sets a community and no category overrides the suggested category with nothing)
    chosen = models.JSONField(null=True)
    accepted = models.BooleanField(_("accepted"))
    event = models.ForeignKey("dispatch.TicketEvent", on_delete=models.CASCADE, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["suggestion", "field"], name="triage_decision_once")]
        indexes = [models.Index(fields=["decided_at", "field"], name="triage_decision_when")]

    def __str__(self) -> str:
        return f"{self.field}: {'accepted' if self.accepted else 'overridden'}"

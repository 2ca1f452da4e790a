"""What the reports store: scoring policies, bonus/deduction entries and the batch jobs' snapshots.

Reporting reads tickets and never changes them; these tables hold only the rules the scores are
computed with (editable in the admin) and the results of the batch jobs.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# docs/domain.md §4's default weights; migration 0002 installs them as the first policy (from 2000-01-01).
DEFAULT_POLICY = {
    "name": "默认考评规则",
    "effective_from": date(2000, 1, 1),
    "w_response": Decimal("0.10"),
    "w_resolution": Decimal("0.60"),
    "w_satisfaction": Decimal("0.30"),
    "decimals": 2,
    "min_counted_to_rank": 5,
}


class ScoringPolicy(models.Model):
    """The weights of the composite score from ``effective_from`` on (the city changes them yearly).

    The policy of a month is the one with the latest ``effective_from`` on or before the month's
    first day; ``effective_from`` must therefore be the first day of a month. A policy without a
    street is the default of every street (the district's); a street's own policies, from the first
    one's date on, are that street's (``reporting.rates.PolicyBook``; docs/district.md).
    """

    street = models.ForeignKey(
        "org.Street",
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default of every street."),
    )
    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("effective from"))
    w_response = models.DecimalField(_("weight of the response rate"), max_digits=4, decimal_places=3)
    w_resolution = models.DecimalField(_("weight of the resolution rate"), max_digits=4, decimal_places=3)
    w_satisfaction = models.DecimalField(_("weight of the satisfaction rate"), max_digits=4, decimal_places=3)
    # The monthly rates are rounded half-up to this many decimals before they are weighted, and the
    # composite is rounded the same way: that is how the city publishes them.
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), default=2, validators=[MaxValueValidator(4)], help_text=_("Rounding is always half-up.")
    )
    # Fairness on small numbers: a unit with fewer counted tickets is listed apart, not ranked.
    min_counted_to_rank = models.PositiveIntegerField(
        _("minimum counted tickets to be ranked"), default=5, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policies")
        constraints = [
            # one policy a date: per street, and among the defaults
            models.UniqueConstraint(fields=["street", "effective_from"], name="scoring_policy_street_from"),
            models.UniqueConstraint(
                fields=["effective_from"], condition=models.Q(street__isnull=True), name="scoring_policy_default_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"

    def clean(self) -> None:
        errors = {}
        if self.effective_from and self.effective_from.day != 1:
            errors["effective_from"] = _("A policy takes effect on the first day of a month.")
        weights = [self.w_response, self.w_resolution, self.w_satisfaction]
        if all(w is not None for w in weights):
            if any(w < 0 for w in weights):
                errors["w_response"] = _("Weights cannot be negative.")
            elif sum(weights) != Decimal("1"):
                errors["w_response"] = _("The three weights must add up to 1.")
        if errors:
            raise ValidationError(errors)


class ScoreAdjustment(models.Model):
    """A bonus or a deduction in points on one unit's score for one month (加分 / 扣分).

    Without a unit the entry applies to the street as a whole (the street's own score in the city's
    ranking, which the report command and the public report show).
    """

    class Kind(models.TextChoices):
        BONUS = "bonus", _("Bonus")  # 加分, e.g. +0.2 for proactive work
        DEDUCTION = "deduction", _("Deduction")  # 扣分

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="score_adjustments",
        help_text=_("Leave empty for the street as a whole."),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month the points apply to."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "unit"]
        verbose_name = _("bonus or deduction")
        verbose_name_plural = _("bonuses and deductions")
        indexes = [
            # the monthly scores read every adjustment of a range of months
            models.Index(fields=["month", "unit"], name="score_adjustment_month_unit"),
        ]

    def __str__(self) -> str:
        sign = "+" if self.kind == self.Kind.BONUS else "-"
        return f"{self.unit or _('the street')} {self.month:%Y-%m} {sign}{self.points}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Enter the first day of the month.")})

    @property
    def signed_points(self) -> Decimal:
        return self.points if self.kind == self.Kind.BONUS else -self.points


class Job(models.TextChoices):
    """The reporting rhythms (docs/domain.md §5), one snapshot per job and period."""

    NIGHTLY = "nightly", _("Nightly leadership snapshot")  # 每晚领导驾驶舱
    DAILY_RANKING = "daily_ranking", _("Daily ranking")  # 日监控排名
    WEEKLY = "weekly", _("Weekly analysis")  # 周调度分析
    MONTHLY = "monthly", _("Monthly bulletin")  # 月总结通报


class Snapshot(models.Model):
    """The stored result of one batch job for one period; running the job again replaces it."""

    # the street the snapshot speaks for: every job runs per street (docs/district.md)
    street = models.ForeignKey("org.Street", verbose_name=_("street"), on_delete=models.CASCADE, related_name="+")
    job = models.CharField(_("job"), max_length=20, choices=Job.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    data = models.JSONField(_("data"))
    computed_at = models.DateTimeField(_("computed at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["job", "-period_start"]
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [
            # idempotent jobs: one snapshot per street, job and period, a rerun updates it in place
            models.UniqueConstraint(fields=["street", "job", "period_start"], name="snapshot_street_job_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_job_display()} {self.period_start:%Y-%m-%d} ({self.street})"


# --- the tallies behind the reports (reporting.tally, docs/performance.md) ------------------------------


class TallyColumns(models.Model):
    """The counts of one street × period × lead unit × source, as ``reporting.rates.MEASURES`` counts
    them: every figure of a range of whole periods is a SUM over these rows."""

    # No foreign-key constraint: a ticket's change writes a row here inside its own statement, and
    # the check on org_street / org_unit would cost each write a lookup (the tickets keep them valid).
    # No index of their own either: the key's index (and the change tables' street × period index)
    # leads with the street, and the reports always name the streets.
    street = models.ForeignKey(
        "org.Street", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    lead_unit = models.ForeignKey(
        "org.Unit", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, null=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10)
    total = models.IntegerField(default=0)
    counted = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    double_no = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.street_id} {self.lead_unit_id} {self.source}: {self.total}"


class MonthlyTally(TallyColumns):
    """The folded counts of a month (one row per key); the reports add the pending changes to them."""

    month = models.DateField(_("month"))  # the 1st of the month received, on the street's clock

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["street", "month", "lead_unit", "source"], name="monthly_tally_key", nulls_distinct=False
            )
        ]


class MonthlyTallyChange(TallyColumns):
    """What one statement on the ticket table changed in a month's counts (+/-), written by the
    database trigger in that statement's transaction; ``reporting.tally.fold`` moves the rows into
    :class:`MonthlyTally`. Append only: writers never wait on each other here."""

    id = models.BigAutoField(primary_key=True)
    month = models.DateField(_("month"))

    class Meta:
        indexes = [models.Index(fields=["street", "month"], name="tally_change_street_month")]


class DailyTally(TallyColumns):
    """The same counts per day received (the partial months of a range)."""

    day = models.DateField(_("day"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["street", "day", "lead_unit", "source"], name="daily_tally_key", nulls_distinct=False
            )
        ]


class DailyTallyChange(TallyColumns):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField(_("day"))

    class Meta:
        indexes = [models.Index(fields=["street", "day"], name="tally_change_street_day")]


class BreakdownColumns(models.Model):
    """The tickets of one street × period by category or by community (the public report's lists)."""

    class Dimension(models.TextChoices):
        CATEGORY = "category", _("category")
        COMMUNITY = "community", _("community")  # the place's community, else the upstream's

    street = models.ForeignKey(
        "org.Street", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    item_id = models.IntegerField(null=True)  # the category's or the community's id; NULL: none
    total = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.street_id} {self.dimension} {self.item_id}: {self.total}"


class MonthlyBreakdown(BreakdownColumns):
    month = models.DateField(_("month"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["street", "month", "dimension", "item_id"], name="monthly_breakdown_key", nulls_distinct=False
            )
        ]


class MonthlyBreakdownChange(BreakdownColumns):
    id = models.BigAutoField(primary_key=True)
    month = models.DateField(_("month"))

    class Meta:
        indexes = [models.Index(fields=["street", "month"], name="breakdown_change_street_month")]


class DailyBreakdown(BreakdownColumns):
    day = models.DateField(_("day"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["street", "day", "dimension", "item_id"], name="daily_breakdown_key", nulls_distinct=False
            )
        ]


class DailyBreakdownChange(BreakdownColumns):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField(_("day"))

    class Meta:
        indexes = [models.Index(fields=["street", "day"], name="breakdown_change_street_day")]

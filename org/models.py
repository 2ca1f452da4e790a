"""The organisation: districts and their streets (docs/district.md), each street's units (departments
and communities) and its people with roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from jxq_cases.lib import webhooks


class Role(models.TextChoices):
    """What a person does in the street's 12345 work (docs/domain.md §7)."""

    # receives, triages, dispatches, sends back, records visits, replies upstream; sees every ticket
    CENTER_STAFF = "center_staff", _("Center staff")
    # contacts, handles, drafts replies and exclusion requests for the tickets of their units
    UNIT_HANDLER = "unit_handler", _("Unit handler")
    # a deputy head: signs off the replies and exclusions of the units they oversee
    SECTION_LEADER = "section_leader", _("Section leader")
    # party secretary / director: sees everything, supervises, takes hard tickets personally
    PRINCIPAL_LEADER = "principal_leader", _("Principal leader")
    # discipline inspection: reads rankings and reports, never personal data, no actions
    INSPECTOR = "inspector", _("Inspector")
    # a machine client of the upstream platform: writes tickets and visits through the API
    PLATFORM = "platform", _("Upstream platform (machine client)")
    # the center's administrator: keeps the street's settings (working days, deadline rules, scoring
    # policy) in the pages; acts on no ticket and sees no personal data
    CENTER_ADMIN = "center_admin", _("Center administrator")
    # the district center's staff: see every street of their district (User.district), act on no
    # ticket (docs/district.md, "District roles")
    DISTRICT_STAFF = "district_staff", _("District center staff")
    # the district's leaders: the same view as the district staff, the league of streets first
    DISTRICT_LEADER = "district_leader", _("District leader")


class District(models.Model):
    """A district (区), e.g. 朝阳区: the streets of one deployment are ranked within their district."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """A street or township (街道/乡镇): the tenant every unit and every ticket belongs to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="streets")

    class Meta:
        ordering = ["district__name", "name"]
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")  # 科室 / 队 / 中心
    COMMUNITY = "community", _("Community")  # 社区


class Unit(models.Model):
    """A handling unit inside the street (承办单位): a department or a residential community."""

    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="units")
    # unique within the street (unit_street_name): two streets each have their 城市管理办公室
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    # The street's complaint center (诉求中心) is itself a department; exactly one unit is the center.
    is_center = models.BooleanField(_("is the complaint center"), default=False)
    section_leader = models.ForeignKey(
        "org.User",
        verbose_name=_("section leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="overseen_units",
        help_text=_("The deputy head who oversees this unit and signs off its replies."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="org_unit_street_name"),
            # one complaint center per street
            models.UniqueConstraint(
                fields=["street"], condition=models.Q(is_center=True), name="org_unit_one_center_per_street"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person (or machine client) of the street, with one role and the units they work for."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.UNIT_HANDLER)
    units = models.ManyToManyField(Unit, verbose_name=_("units"), blank=True, related_name="members")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # The street of a person without units (a principal leader, an inspector, the platform's client):
    # a person's streets are their units' streets and this one (dispatch.access.street_ids).
    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    # District roles only: the district whose streets they see.
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        """A new password (set_password, then save) revokes every API token of the user: whoever
        changes a password that may have leaked also shuts out the tokens issued with it."""
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            self.auth_token_set.all().delete()


class ApiToken(AuthToken):
    """django-rest-knox's token, under the street's name in the admin, where administrators revoke them."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class SettingChange(models.Model):
    """One change to one of the street's settings (a deadline rule, a working-day override, a scoring
    policy): who, when, which setting and field, the value before and after (as shown, ``""`` when
    there was none). Written by the settings pages in the transaction of the change; never edited."""

    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the street whose own setting changed; empty: a default of every street (docs/district.md)
    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    setting = models.CharField(_("setting"), max_length=80)  # "deadline rule: 普通工单", "working day 2026-10-10"
    field = models.CharField(_("field"), max_length=80)
    old = models.TextField(_("before"), blank=True)
    new = models.TextField(_("after"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("setting change")
        verbose_name_plural = _("setting changes")
        indexes = [models.Index(fields=["street", "-at"], name="setting_change_street_at")]

    def __str__(self) -> str:
        return f"{self.setting} {self.field}: {self.old} -> {self.new}"


class ChannelKind(models.TextChoices):
    """Where a notice can go besides the in-app list (docs/notifications.md)."""

    WECOM_ROBOT = webhooks.WECOM_ROBOT, _("WeCom group robot")  # 企业微信群机器人
    WEBHOOK = webhooks.WEBHOOK, _("Webhook (JSON POST, e.g. an SMS gateway)")


class Channel(models.Model):
    """A way to reach a unit (its WeCom group) or one person (their SMS gateway or robot) outside the
    app. Exactly one of ``unit`` and ``user`` is set."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, null=True, blank=True, related_name="channels"
    )
    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, null=True, blank=True, related_name="channels"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    url = models.CharField(
        _("address"),
        max_length=webhooks.MAX_URL_LENGTH,
        validators=[webhooks.validate_url],
        help_text=_("https:// address of the robot or the webhook (the robot's address holds its key)."),
    )
    address = models.CharField(
        _("mobile number"),
        max_length=20,
        blank=True,
        help_text=_("For a webhook: the number the gateway texts. For a robot: the member to @-mention."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        blank=True,
        help_text=_("Webhooks only: each POST carries X-JXQ-Signature, the HMAC-SHA256 of its body with this."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delivery channel")
        verbose_name_plural = _("delivery channels")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, user__isnull=True)
                | models.Q(unit__isnull=True, user__isnull=False),
                name="org_channel_unit_or_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit or self.user}: {self.get_kind_display()}"

    @property
    def recipient(self) -> str:
        return str(self.unit or self.user)


class Area(models.Model):
    """A piece of the street's territory as a polygon (docs/geography.md): shared by community areas
    and grid cells. The geometry is a GeoJSON Polygon or MultiPolygon in longitude/latitude order;
    the bounding box and a representative point are stored beside it for quick filters and labels."""

    boundary = models.JSONField(_("boundary (GeoJSON geometry)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    # a point inside the area (shapely's representative point): where a community's tickets are shown
    # when only the community may be told (the public report, Open311)
    center_lon = models.FloatField(_("center longitude"))
    center_lat = models.FloatField(_("center latitude"))
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Approximate shapes shipped with the demo, not surveyed.")
    )
    source = models.CharField(_("loaded from"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CommunityArea(Area):
    """The boundary of one community (社区) of the street."""

    community = models.OneToOneField(
        Unit,
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="area",
        limit_choices_to={"kind": UnitKind.COMMUNITY},
    )

    class Meta:
        ordering = ["community__sort_order", "community__name"]
        verbose_name = _("community area")
        verbose_name_plural = _("community areas")

    def __str__(self) -> str:
        return self.community.name


class GridCell(Area):
    """A grid cell (网格) inside one community, with its grid worker (网格员)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        Unit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grid_cells",
        limit_choices_to={"kind": UnitKind.COMMUNITY},
    )
    grid_worker = models.CharField(_("grid worker"), max_length=50, blank=True)
    grid_worker_phone = models.CharField(_("grid worker's phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

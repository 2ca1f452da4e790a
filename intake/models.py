"""Tickets as the upstream sends them (docs/domain.md §8), their categories, return visits and imports.

The ticket row also carries the columns the workflow and the reports read (status, lead unit,
deadlines, flags, the latest return visit): they are stored, not derived, so that lists and reports
filter on indexed columns. Only ``dispatch.workflow`` changes ``status``; intake only creates tickets
in ``received``.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

# Where a ticket without a running deadline sorts when the list is ordered by deadline: after all.
DUE_SORT_LAST = datetime(9999, 12, 31, tzinfo=UTC)


class Source(models.TextChoices):
    CITY = "city", _("City direct")  # 市级直派
    DISTRICT = "district", _("District forwarded")  # 区级转派


class Kind(models.TextChoices):
    CONSULT = "consult", _("Consultation")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急


class Status(models.TextChoices):
    """The states of the eight-step workflow (docs/domain.md §3)."""

    RECEIVED = "received", _("Received")  # 1 接单: as the upstream sent it
    TRIAGED = "triaged", _("Triaged")  # 2 研判: classified and flagged by the center
    DISPATCHED = "dispatched", _("Dispatched")  # 3 派单: assigned to a lead unit (签收 pending or done)
    CONTACTED = "contacted", _("Contacted")  # 4 联系: the lead unit reached the complainant
    HANDLING = "handling", _("Handling")  # 5 办理: work in progress, reply being drafted
    REVIEWED = "reviewed", _("Reviewed")  # 6 审核: the reply is signed off
    REPLIED = "replied", _("Replied")  # 7 回复: the reply went upstream (办结)
    VISITED = "visited", _("Visited")  # 8 回访: the return visit is in, awaiting a decision
    CLOSED = "closed", _("Closed")  # done
    REHANDLING = "rehandling", _("Second handling")  # 二次办理 after a not-double-yes visit
    SENT_BACK = "sent_back", _("Sent back")  # 退单: returned upstream as misrouted
    MERGED = "merged", _("Merged")  # a duplicate folded into another ticket


# The named groups of statuses: the one place where several statuses are listed together (a test
# keeps it so). Each is a tuple in the workflow's order, which the pages show; read them with
# ``status in GROUP`` or ``status__in=GROUP``.

# The center has it: received or triaged, not yet dispatched (the workbench's center queue).
AWAITING_CENTER = (Status.RECEIVED, Status.TRIAGED)
# A unit works on it: dispatched until signed off, or handled again after a visit.
IN_THE_UNITS = (Status.DISPATCHED, Status.CONTACTED, Status.HANDLING, Status.REHANDLING)
# A deadline runs (docs/domain.md §3): exactly while a unit works on the ticket.
CLOCK_RUNNING = IN_THE_UNITS
# The caller has been reached and the work goes on: notes and reply drafts are taken.
OPEN_FOR_HANDLING = (Status.CONTACTED, Status.HANDLING, Status.REHANDLING)
# Being handled, the first time or again: a reply draft can be signed off or returned.
IN_HANDLING = (Status.HANDLING, Status.REHANDLING)
# Dispatched and its (latest) reply not yet gone upstream: in the units, or signed off and waiting
# for the center to reply (the unit inbox; "open" in the reports' filters).
AWAITING_REPLY = (Status.DISPATCHED, Status.CONTACTED, Status.HANDLING, Status.REHANDLING, Status.REVIEWED)
# The return visit is in and the ticket is not closed: the decision is due, or it is handled again.
UP_FOR_SECOND_HANDLING = (Status.VISITED, Status.REHANDLING)
# The street still has to act on it: received until visited (the workbench's "in flight").
IN_FLIGHT = (
    Status.RECEIVED,
    Status.TRIAGED,
    Status.DISPATCHED,
    Status.CONTACTED,
    Status.HANDLING,
    Status.REHANDLING,
    Status.REVIEWED,
    Status.REPLIED,
    Status.VISITED,
)
# The reply has gone upstream: for the resident the request is dealt with ("closed" in Open311).
REPLY_SENT = (Status.REPLIED, Status.VISITED, Status.CLOSED)
# the public reply's length (Ticket.public_reply): a sentence or two for open data
PUBLIC_REPLY_CHARS = 500
# The two ways out: a sent-back or merged ticket is no longer the street's and is in no figure.
GONE = (Status.SENT_BACK, Status.MERGED)
# Still the street's: in flight or closed.
NOT_GONE = (*IN_FLIGHT, Status.CLOSED)
# Dispatched once and still the street's: dispatched until closed (exclusion requests apply).
SINCE_DISPATCH = tuple(status for status in NOT_GONE if status not in AWAITING_CENTER)


class Supervision(models.TextChoices):
    NONE = "", _("Not supervised")
    STREET = "street", _("Street supervision")  # 街道督办
    DISTRICT = "district", _("District supervision")  # 区级督办
    CITY = "city", _("City supervision")  # 市级督办


class PlaceOrigin(models.TextChoices):
    """Where a ticket's place came from (docs/geography.md)."""

    PENDING = "", _("Not looked up yet")
    GAZETTEER = "gazetteer", _("The street's gazetteer")
    HISTORY = "history", _("Earlier tickets at the address")
    CENTER = "center", _("Placed by the center")
    ON_SITE = "on_site", _("Confirmed on site")
    UNRESOLVED = "unresolved", _("Address not found")


class Category(models.Model):
    """Subject classification (问题分类); a tree in real data. A name an import brings that we do not know
    yet is created unconfirmed (``confirmed`` False) and listed for the center, who confirms it or maps
    its tickets to an existing category (``intake.categories``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Python code creates confirmed categories; a row the bulk import inserts in SQL (name only) gets
    # the database default, unconfirmed, as does one the JSON intake creates (``receiving``).
    confirmed = models.BooleanField(_("confirmed"), default=True, db_default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class CategoryAlias(models.Model):
    """An upstream category name the center mapped to one of the street's categories: later imports
    file its tickets under that category instead of asking again (``intake.categories.map_category``)."""

    name = models.CharField(_("upstream name"), max_length=100, unique=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = _("category alias")
        verbose_name_plural = _("category aliases")

    def __str__(self) -> str:
        return f"{self.name} → {self.category}"


class ImportBatch(models.Model):
    """One accepted import (a CSV file or one API ticket): who brought what in, and what it changed."""

    class Kind(models.TextChoices):
        TICKETS = "tickets", _("Tickets")
        VISITS = "visits", _("Return visits")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name or '-'} @ {self.imported_at:%Y-%m-%d %H:%M}"


class Ticket(models.Model):
    """One request from a resident (诉求/工单), identified by the upstream ticket number."""

    # The street the ticket was sent to, set at intake (docs/district.md). No index of its own: the
    # unique (street, ticket_no) and the list indexes below lead with street_id.
    street = models.ForeignKey(
        "org.Street", verbose_name=_("street"), on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    # --- as the upstream sent it (docs/domain.md §8) ---
    # Unique within its street (ticket_street_no); intake also refuses a number another street holds
    # (the city numbers its tickets once for all streets), so a number names one ticket in practice.
    ticket_no = models.CharField(_("ticket number"), max_length=64)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    received_at = models.DateTimeField(_("received at"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    content = models.TextField(_("content"))
    # Personal data (docs/domain.md §7): shown in full only to the center and the handling units, and logged.
    complainant_name = models.CharField(_("complainant"), max_length=100, blank=True)
    complainant_phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    community = models.ForeignKey(
        "org.Unit",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_tickets",
        limit_choices_to={"kind": "community"},
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)

    # --- where it is (docs/geography.md): resolved from the address, never sent by the upstream ---
    # The community the place lies in; the upstream's ``community`` above is the classification.
    place_community = models.ForeignKey(
        "org.Unit",
        verbose_name=_("community of the place"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placed_tickets",
        limit_choices_to={"kind": "community"},
    )
    grid_cell = models.ForeignKey(
        "org.GridCell",
        verbose_name=_("grid cell"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    # the point (longitude, latitude in degrees); personal data like the address: never public
    place_lon = models.FloatField(_("longitude"), null=True, blank=True)
    place_lat = models.FloatField(_("latitude"), null=True, blank=True)
    place_origin = models.CharField(
        _("place from"), max_length=12, choices=PlaceOrigin.choices, default=PlaceOrigin.PENDING, blank=True
    )

    # --- workflow state (written only by dispatch.workflow) ---
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    is_key = models.BooleanField(_("key ticket"), default=False)  # 重点件
    is_difficult = models.BooleanField(_("difficult ticket"), default=False)  # 疑难件
    supervision = models.CharField(
        _("supervision"), max_length=10, choices=Supervision.choices, default=Supervision.NONE, blank=True
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tickets",
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("co-handling units"), blank=True, related_name="co_handled_tickets"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken personally by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taken_tickets",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # what open data shows of the outcome (Open311's status notes): the center's own words, written
    # once the reply has gone upstream; never the reply to the caller (dispatch.workflow.publish_reply)
    public_reply = models.TextField(_("public reply"), blank=True, default="")
    # Deadlines are computed by dispatch.deadlines and stored, so lists and warnings filter on them.
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    contact_due_at = models.DateTimeField(_("contact by"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("handle by"), null=True, blank=True)
    rehandling_count = models.PositiveSmallIntegerField(_("second handlings"), default=0)
    # The handling clock (dispatch.deadlines): it starts at acknowledgement (签收) or at reopening for
    # second handling; time spent waiting for an extension decision is added back (the clock stops);
    # an approved extension fixes the handling deadline explicitly.
    handle_started_at = models.DateTimeField(_("handling clock started at"), null=True, blank=True)
    handle_paused_for = models.DurationField(_("clock stopped for"), default=timedelta(0))
    extended_handle_due_at = models.DateTimeField(_("extended deadline"), null=True, blank=True)
    # The deadline running now (acknowledge, contact or handle, by state) and when to warn about it;
    # NULL while no clock runs (not dispatched, done, or waiting for an extension decision).
    next_due_kind = models.CharField(_("running deadline"), max_length=12, blank=True)
    next_due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    next_warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    # Early warning (预警), claimed by the warning task with a conditional update: "", due_soon, overdue.
    warning_level = models.CharField(_("warning"), max_length=10, blank=True, default="")
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)

    # --- the latest return visit (history in ReturnVisit); the rates read these columns ---
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    visit_counted = models.BooleanField(_("counted"), null=True, blank=True)  # 纳入考评
    visit_contacted = models.BooleanField(_("responded"), null=True, blank=True)  # 响应
    visit_resolved = models.BooleanField(_("resolved"), null=True, blank=True)  # 解决
    visit_satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)  # 满意
    # An exclusion approved upstream takes the ticket out of the rates (剔除).
    is_excluded = models.BooleanField(_("excluded from the rates"), default=False)

    # --- derived from the content, address and phone for search and the repeat-caller link
    # (intake.search_columns; PostgreSQL adds the generated tsvector column search_vector) ---
    search_words = models.TextField(_("search words"), blank=True, default="", editable=False)
    caller_key = models.CharField(_("caller key"), max_length=32, blank=True, default="", editable=False)
    phone_tail = models.CharField(_("last four digits"), max_length=4, blank=True, default="", editable=False)

    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        # Every index names the queries that need it (docs/performance.md, "Indexes"). Besides these:
        # the primary key, (street, ticket_no) (unique: intake's upsert, the ticket page), and Django's
        # index on each foreign key (category, community, lead_unit, taken_by, merged_into, import_batch).
        constraints = [
            models.UniqueConstraint(fields=["street", "ticket_no"], name="ticket_street_no"),
        ]
        indexes = [
            # a street's tickets by time (read backwards: newest first): the center's and the leaders'
            # lists (visible_tickets filters street_id for everyone who sees a whole street), a
            # street's period (the nightly job per street, the district's league, the public report)
            models.Index(fields=["street", "received_at", "id"], name="ticket_street_recv"),
            # workbench and API lists filtered by state, newest first: dispatch.views.workbench
            # filtered_tickets (sort "-received"/"received" with a status), the API ?status= list
            # ordered by -received_at (dispatch.api.TicketCursorPagination). street_id leads: every
            # such list is one street's (or a district's few streets') since tickets have a street
            models.Index(fields=["street", "status", "-received_at"], name="ticket_street_status_recv"),
            # a unit's tickets in a state: the inbox's tickets led (access.visible_tickets_in_states:
            # lead unit + the states awaiting a reply), the API and workbench ?lead_unit=…&status=…
            # newest first (read in order: a page of a unit's closed tickets is a page of this index,
            # at 10M tickets 4 ms where the street's newest were read until 51 matched: 145 ms),
            # reporting.drilldown "handle_overdue" (a unit's open tickets, then their handle_due_at)
            models.Index(fields=["lead_unit", "status", "-received_at"], name="ticket_lead_status_recv"),
            # a period's tickets: reporting.report.period_tickets and reporting.nightly (received_at
            # range), the public report; source second for the city/district split
            models.Index(fields=["received_at", "source"], name="ticket_recv_source"),
            # the same with one source: API ?source=…&received_after=…; reporting by source (candidate
            # to drop, docs/performance.md: no query seen that the index above does not serve)
            models.Index(fields=["source", "received_at"], name="ticket_source_recv"),
            # reporting.nightly at_risk_list("contact_due_at") and reporting.drilldown "contact_overdue"
            # / "contact_due_by": not yet contacted past the contact deadline, by that deadline
            models.Index(fields=["contact_due_at"], name="ticket_contact_due"),
            # reporting.nightly at_risk_list("handle_due_at"), API ?handle_due_after/before=
            models.Index(fields=["handle_due_at"], name="ticket_handle_due"),
            # dispatch.early_warning (next_warn_at <= now), the API/workbench ?due_soon filter
            models.Index(fields=["next_warn_at"], name="ticket_next_warn"),
            # the workbench by deadline, its second segment (dispatch.views.workbench.workbench_slice:
            # next_due_at, id); the ?overdue filter (next_due_at <= now); early warning's overdue pass
            models.Index(fields=["next_due_at", "id"], name="ticket_next_due"),
            # the API list ?ordering=deadline / -deadline, keyset pages (dispatch.api.scoped_tickets
            # annotates due_sort = this expression)
            models.Index(Coalesce("next_due_at", Value(DUE_SORT_LAST)), "id", name="ticket_due_sort"),
            # the API ?community= / ?category= and the workbench's community / category filters, newest
            # first (the similar-ticket lookup reads proactive's signature table, not these); they make
            # Django's single-column indexes on community_id and category_id redundant (docs/performance.md)
            models.Index(fields=["community", "-received_at"], name="ticket_community_recv"),
            models.Index(fields=["category", "-received_at"], name="ticket_category_recv"),
            # search: a ticket number or a name by prefix (pattern operators, whatever the collation);
            # it serves equality too: the ticket page and the API resolve a number within what the
            # user sees, and intake looks a number up in every street (refusing another street's)
            models.Index(fields=["ticket_no"], opclasses=["varchar_pattern_ops"], name="ticket_no_prefix"),
            models.Index(fields=["complainant_name"], opclasses=["varchar_pattern_ops"], name="ticket_name_prefix"),
            # search by phone and the repeat-caller link: one caller's tickets, newest first
            models.Index(fields=["caller_key", "-received_at"], name="ticket_caller_recv"),
            models.Index(fields=["phone_tail", "-received_at"], name="ticket_phone_tail_recv"),
            # the map and the hot spots by place: tickets of a grid cell / community in a period
            models.Index(fields=["grid_cell", "received_at"], name="ticket_grid_recv"),
            models.Index(fields=["place_community", "received_at"], name="ticket_place_comm_recv"),
            # the addresses waiting for the center to place them
            models.Index(
                fields=["address"], name="ticket_unresolved_addr", condition=models.Q(place_origin="unresolved")
            ),
            # the counted tickets the resident called neither resolved nor satisfied (双不), newest
            # first: the dashboard's drill-down "double_no" (reporting.drilldown.DOUBLE_NO). A few per
            # thousand of the street's tickets: at 10M tickets in one street, the street's newest were
            # read until a page matched (96,510 rows, 69 ms)
            models.Index(
                fields=["street", "received_at"],
                name="ticket_double_no",
                condition=models.Q(visit_counted=True, visit_resolved=False, visit_satisfied=False),
            ),
            # the center's own queue, oldest first: the workbench's first segment by deadline
            # (dispatch.views.workbench.workbench_slice). Two states cannot be read in time order from
            # ticket_street_status_recv (one range per state): at 10M tickets in one street it sorted
            # 11,450 waiting tickets for a page (24 ms); this index holds only the waiting ones.
            models.Index(
                fields=["street", "received_at", "id"],
                name="ticket_awaiting_center",
                condition=models.Q(status__in=AWAITING_CENTER),
            ),
        ]

    def __str__(self) -> str:
        return self.ticket_no

    def save(self, *args, **kwargs):
        """Keep the search columns in step with the content, address and phone they derive from."""
        from intake.search_columns import COLUMNS, SOURCE_FIELDS, fill

        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            fill(self)
        elif set(update_fields) & set(SOURCE_FIELDS):
            fill(self)
            kwargs["update_fields"] = {*update_fields, *COLUMNS}
        super().save(*args, **kwargs)

    @property
    def is_double_yes(self) -> bool:
        return bool(self.visit_resolved and self.visit_satisfied)

    @property
    def is_double_no(self) -> bool:
        return self.visit_resolved is False and self.visit_satisfied is False


class ReturnVisit(models.Model):
    """One return visit (回访) of a ticket. The latest one is copied onto the ticket; all are kept."""

    class Origin(models.TextChoices):
        IMPORT = "import", _("Imported from the city's results")
        CENTER = "center", _("Entered by the center")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"))
    counted = models.BooleanField(_("counted"))
    contacted = models.BooleanField(_("responded"))
    resolved = models.BooleanField(_("resolved"))
    satisfied = models.BooleanField(_("satisfied"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.IMPORT)
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["ticket", "-visited_at"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        constraints = [
            # the same visit imported twice is the same row (idempotent re-import)
            models.UniqueConstraint(fields=["ticket", "visited_at"], name="visit_ticket_time_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.visited_at:%Y-%m-%d %H:%M}"


class GazetteerEntry(models.Model):
    """One known address of the street (地名地址): where it is, as the street imported it, as its own
    history taught it, or as the center placed it once (docs/geography.md)."""

    class Origin(models.TextChoices):
        IMPORTED = "imported", _("Imported gazetteer")
        LEARNED = "learned", _("Learned from earlier tickets")
        PLACED = "placed", _("Placed by the center")

    # each street keeps its own gazetteer: two streets may both know an address of the same text
    street = models.ForeignKey(
        "org.Street", verbose_name=_("street"), on_delete=models.CASCADE, related_name="gazetteer_entries"
    )
    address = models.CharField(_("address"), max_length=255)
    # the address reduced to what identifies the place (intake.places.address_key): unique in its street
    key = models.CharField(_("matching key"), max_length=255)
    community = models.ForeignKey(
        "org.Unit",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="gazetteer_entries",
        limit_choices_to={"kind": "community"},
    )
    grid_cell = models.ForeignKey(
        "org.GridCell", verbose_name=_("grid cell"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("gazetteer entry")
        verbose_name_plural = _("gazetteer entries")
        constraints = [models.UniqueConstraint(fields=["street", "key"], name="gazetteer_street_key")]

    def __str__(self) -> str:
        return self.address

"""Admin for intake: tickets are read-mostly here (the workflow changes them, not the admin)."""

from django.contrib import admin

from intake.models import Category, ImportBatch, ReturnVisit, Ticket


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]
    list_select_related = ["parent"]


class ReturnVisitInline(admin.TabularInline):
    model = ReturnVisit
    extra = 0
    can_delete = False
    fields = ["visited_at", "counted", "contacted", "resolved", "satisfied", "origin", "import_batch"]
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["ticket_no", "received_at", "source", "kind", "category", "community", "urgency", "status",
                    "lead_unit", "visit_resolved", "visit_satisfied"]  # fmt: skip
    list_filter = ["status", "source", "kind", "urgency", "is_key", "supervision", "community", "lead_unit",
                   "received_at"]  # fmt: skip
    search_fields = ["ticket_no", "content", "address"]
    date_hierarchy = "received_at"
    list_select_related = ["category", "community", "lead_unit"]
    show_full_result_count = False  # a count(*) over a million tickets on every page is not worth it
    raw_id_fields = ["merged_into", "taken_by", "import_batch", "category"]
    inlines = [ReturnVisitInline]

    # Tickets arrive by import or the API and change only through dispatch.workflow (one event per
    # step); the admin shows them and never edits them.
    readonly_fields = [f.name for f in Ticket._meta.concrete_fields] + ["co_units"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReturnVisit)
class ReturnVisitAdmin(admin.ModelAdmin):
    list_display = ["ticket", "visited_at", "counted", "contacted", "resolved", "satisfied", "origin"]
    list_filter = ["counted", "resolved", "satisfied", "origin"]
    search_fields = ["ticket__ticket_no"]
    raw_id_fields = ["ticket", "import_batch", "recorded_by"]
    list_select_related = ["ticket"]
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["imported_at", "kind", "file_name", "encoding", "imported_by", "rows", "created", "updated",
                    "unchanged"]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["file_name"]
    readonly_fields = [f.name for f in ImportBatch._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # an import record is written by an import, never by hand

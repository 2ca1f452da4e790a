"""Admin for the workflow's records: the history and logs are read-only; the deadline policy and the
calendar overrides are editable, and saving either recomputes the open tickets' deadlines."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from dispatch import deadlines
from dispatch.models import (
    CalendarOverride,
    DeadlinePolicy,
    Delivery,
    ExclusionRequest,
    ExtensionRequest,
    Note,
    Notification,
    PersonalDataAccess,
    ReplyDraft,
    SendBackRequest,
    TicketEvent,
)
from org import setting_changes


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the workflow: visible to the admin, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "actor", "actor_unit", "at", "from_status", "to_status"]
    list_filter = ["kind"]
    search_fields = ["ticket__ticket_no"]
    date_hierarchy = "at"
    list_select_related = ["ticket", "actor", "actor_unit"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "ticket", "context", "term"]
    search_fields = ["ticket__ticket_no", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["ticket", "user"]


@admin.register(ReplyDraft)
class ReplyDraftAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "version", "author", "status", "step", "created_at"]
    list_filter = ["status"]
    search_fields = ["ticket__ticket_no"]


@admin.register(ExclusionRequest)
class ExclusionRequestAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "version", "reason_category", "status", "created_at"]
    list_filter = ["status", "reason_category"]
    search_fields = ["ticket__ticket_no"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["ticket__ticket_no"]


@admin.register(SendBackRequest)
class SendBackRequestAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["ticket__ticket_no"]


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "author", "author_unit", "created_at"]
    search_fields = ["ticket__ticket_no", "text"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "ticket", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "ticket__ticket_no"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["rule", "acknowledge_hours", "contact_hours", "handle_amount", "handle_unit", "due_soon_fraction"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per rule, created by the migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        before = {name: form.initial.get(name) for name in fields}
        changed = deadlines.save_policy(obj.rule, **fields)
        # recorded like a change on the settings page (the admin runs this in the change's transaction)
        setting_changes.record(request.user, f"Deadline rule: {obj.rule}", before, fields)
        messages.info(request, f"{changed} open ticket(s) got new deadlines.")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["on", "is_working_day", "note"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = {name: form.initial.get(name) for name in ("is_working_day", "note")} if change else {}
        changed = deadlines.set_calendar_override(obj.on, is_working_day=obj.is_working_day, note=obj.note)
        after = {"is_working_day": obj.is_working_day, "note": obj.note}
        setting_changes.record(request.user, f"Working day {obj.on.isoformat()}", before, after)
        messages.info(request, f"{changed} open ticket(s) got new deadlines.")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = {"is_working_day": obj.is_working_day, "note": obj.note}
        deadlines.remove_calendar_override(obj.on)
        setting_changes.record(request.user, f"Working day {obj.on.isoformat()}", before, {})


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The log of notices sent out of the app (docs/notifications.md); the center retries on /deliveries/."""

    list_display = ["created_at", "recipient", "channel_kind", "notice_kind", "ticket", "status", "attempts"]
    list_filter = ["status", "channel_kind", "notice_kind"]
    search_fields = ["recipient", "ticket__ticket_no", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["ticket"]

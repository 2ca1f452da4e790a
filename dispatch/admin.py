"""Admin for the workflow's records: the history and logs are read-only; the deadline rules, the
calendar overrides and the sign-off chains are editable by superusers only (the defaults of every
street and any street's own rows; a street's administrator keeps the street's own on the settings
page), and saving a rule or a day recomputes the open tickets' deadlines."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from dispatch import deadlines, sign_off_chains
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
    SignOffChain,
    TicketEvent,
)
from jxq_cases.lib.admin import SuperuserOnlyAdmin
from org.models import User


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


def _signed_in(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the admin is behind its own sign-in
    return request.user


def _recomputed(request: HttpRequest, changed: int) -> None:
    messages.info(request, gettext("Saved; %(n)d open tickets got new deadlines.") % {"n": changed})


@admin.register(SignOffChain)
class SignOffChainAdmin(SuperuserOnlyAdmin):
    """The sign-off chains: a row without a street is every street's default, a street's row wins
    (docs/district.md). A document keeps the chain it was submitted with. Saved and removed through
    ``dispatch.sign_off_chains``, as on the settings page: each change recorded."""

    list_display = ["chain", "street", "roles"]
    list_filter = ["street"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["chain", "street"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.pk = sign_off_chains.save_chain(obj.chain, obj.roles, by=_signed_in(request), street=obj.street).pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        sign_off_chains.delete_chains([obj], by=_signed_in(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SignOffChain]) -> None:
        sign_off_chains.delete_chains(queryset, by=_signed_in(request))


# The deadline rules and working days are changed through dispatch.deadlines, as on the settings page:
# the change, its record (org.setting_changes) and the recomputed deadlines in one transaction.
@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(SuperuserOnlyAdmin):
    list_display = [
        "rule",
        "street",
        "acknowledge_hours",
        "contact_hours",
        "handle_amount",
        "handle_unit",
        "due_soon_fraction",
    ]
    list_filter = ["street"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["rule", "street"] if obj is not None else []  # a new row: a street's own rule

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in deadlines.POLICY_FIELDS if name in form.cleaned_data}
        saved = deadlines.save_policy(obj.rule, by=_signed_in(request), street=obj.street, **fields)
        _recomputed(request, saved)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SuperuserOnlyAdmin):
    """Working days: a row without a street is every street's default (the State Council's make-up
    days), a street's row for a day wins (docs/district.md)."""

    list_display = ["on", "street", "is_working_day", "note"]
    list_filter = ["street"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["street"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        by = _signed_in(request)
        moved_from = form.initial.get("on") if change else None
        if moved_from and moved_from != obj.on:  # the override was moved to another day
            deadlines.remove_calendar_override(moved_from, by=by, street=obj.street)
        changed = deadlines.set_calendar_override(
            obj.on, is_working_day=obj.is_working_day, note=obj.note, by=by, street=obj.street
        )
        obj.pk = CalendarOverride.objects.get(on=obj.on, street=obj.street).pk  # for the admin's log and message
        _recomputed(request, changed)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _recomputed(request, deadlines.remove_calendar_overrides([obj], by=_signed_in(request)))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        """The bulk "delete selected": one recompute for all the days, a record for each."""
        _recomputed(request, deadlines.remove_calendar_overrides(list(queryset), by=_signed_in(request)))


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The log of notices sent out of the app (docs/notifications.md); the center retries on /deliveries/."""

    list_display = ["created_at", "recipient", "channel_kind", "notice_kind", "ticket", "status", "attempts"]
    list_filter = ["status", "channel_kind", "notice_kind"]
    search_fields = ["recipient", "ticket__ticket_no", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["ticket"]

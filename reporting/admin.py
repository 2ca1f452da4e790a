"""Admin: the scoring policies and bonus/deduction entries are edited here; snapshots are read-only
(the jobs write them; the beat schedule itself is edited under django-celery-beat's periodic tasks)."""

import json
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jxq_cases.lib.admin import SuperuserOnlyAdmin
from org.models import User
from reporting import policies
from reporting.models import ScoreAdjustment, ScoringPolicy, Snapshot


def _signed_in(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the admin is behind its own sign-in
    return request.user


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(SuperuserOnlyAdmin):
    """The defaults of every street and any street's own policies: superusers only (docs/district.md)."""

    list_display = [
        "name",
        "street",
        "effective_from",
        "w_response",
        "w_resolution",
        "w_satisfaction",
        "decimals",
        "min_counted_to_rank",
    ]
    list_filter = ["street"]
    ordering = ["-effective_from"]

    # saved and deleted through reporting.policies, as on the settings page: each change recorded
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        policies.save_scoring_policy(obj, by=_signed_in(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        policies.delete_scoring_policies([obj], by=_signed_in(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ScoringPolicy]) -> None:
        policies.delete_scoring_policies(queryset, by=_signed_in(request))


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["month", "unit", "kind", "points", "reason", "created_by", "created_at"]
    list_filter = ["kind", "month", "unit"]
    search_fields = ["reason", "unit__name"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "month"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["job", "period_start", "period_end", "computed_at", "duration_ms"]
    list_filter = ["job"]
    date_hierarchy = "period_start"
    fields = readonly_fields = ("job", "period_start", "period_end", "computed_at", "duration_ms", "pretty_data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("data"))
    def pretty_data(self, obj: Snapshot) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.data, ensure_ascii=False, indent=2))

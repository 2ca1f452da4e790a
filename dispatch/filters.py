"""Ticket list filters (django-filter): what the upstream sent, the workflow's columns, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.fields import IsoDateTimeField

from dispatch.search import search_tickets
from intake.models import Kind, Source, Status, Supervision, Ticket, Urgency


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, converted to UTC here: PostgreSQL refuses offsets beyond ±15:59
    that Python accepts, and a time near the calendar's edge cannot be converted at all — both are
    bad input (400), not a database error."""

    def to_python(self, value: Any) -> datetime | None:
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class TicketFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=Source.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    # distinct=False: a status is a column of the ticket row, no join can double a row; django-filter's
    # default (True) made every ``?status=`` a SELECT DISTINCT over every column of every matching row
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    # A name is looked up first and the tickets filtered by the ids it names (a unit's name is unique
    # only within its street: a district's reader may name several units). Filtered through a join on
    # the name, PostgreSQL cannot tell a rare unit or category from a common one and read a street's
    # tickets newest first until a page matched: at 10,000,000 tickets 147,750 rows and 145 ms for a
    # page of one unit's closed tickets, 4 ms by its id (docs/performance.md, "City scale").
    category = django_filters.CharFilter(method="filter_named", help_text="category name")
    community = django_filters.CharFilter(method="filter_named", help_text="community name")
    lead_unit = django_filters.CharFilter(method="filter_named", help_text="lead unit name")
    # a district's people see several streets (docs/district.md); a street's own see one
    street = django_filters.CharFilter(method="filter_named", help_text="street name")
    received_after = IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    due_after = IsoDateTimeFilter(field_name="next_due_at", lookup_expr="gte")
    due_before = IsoDateTimeFilter(field_name="next_due_at", lookup_expr="lt")
    handle_due_after = IsoDateTimeFilter(field_name="handle_due_at", lookup_expr="gte")
    handle_due_before = IsoDateTimeFilter(field_name="handle_due_at", lookup_expr="lt")
    is_key = django_filters.BooleanFilter()
    is_difficult = django_filters.BooleanFilter()
    is_excluded = django_filters.BooleanFilter()
    supervision = django_filters.ChoiceFilter(choices=[c for c in Supervision.choices if c[0]])
    supervised = django_filters.BooleanFilter(method="filter_supervised", help_text="any supervision level")
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="the running deadline has passed")
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon", help_text="less than the warning share of the running deadline's time left"
    )
    q = django_filters.CharFilter(
        method="filter_text",
        help_text="one search: a ticket number (whole or its beginning); the complainant's phone (whole or "
        "its last four digits) or name, for the roles that may see them; words of the content or address. "
        "2 to 100 characters; `notices` in the answer says what was not searched.",
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_named(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        """``?community=南路社区``: the tickets of the units (categories, streets) of that name, by id."""
        related = Ticket._meta.get_field(name).related_model
        ids = list(related._default_manager.filter(name=value).values_list("pk", flat=True))  # type: ignore[union-attr]
        return queryset.filter(**{f"{name}_id__in": ids})

    def filter_supervised(self, queryset: QuerySet[Ticket], name: str, value: bool) -> QuerySet[Ticket]:
        return queryset.exclude(supervision="") if value else queryset.filter(supervision="")

    def filter_overdue(self, queryset: QuerySet[Ticket], name: str, value: bool) -> QuerySet[Ticket]:
        overdue = Q(next_due_at__lte=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_soon(self, queryset: QuerySet[Ticket], name: str, value: bool) -> QuerySet[Ticket]:
        now = timezone.now()
        due_soon = Q(next_warn_at__lte=now, next_due_at__gt=now)
        return queryset.filter(due_soon) if value else queryset.exclude(due_soon)

    def filter_text(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        if not value.strip():
            return queryset
        user = getattr(self.request, "user", None)
        found = search_tickets(user, value, queryset)
        if self.request is not None:
            self.request.ticket_search = found  # the view shows its notices
        return found.tickets

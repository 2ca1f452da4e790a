"""New categories an import brought (问题分类待确认): an upstream name we did not know is created
unconfirmed instead of silently becoming one of ours; the center confirms it as a category of the
street, or maps it to an existing one — its tickets move there, the new name is dropped and kept as
an alias (``CategoryAlias``), so the next import files that name under the category it was mapped to.

Both are one transaction; mapping is one UPDATE of the tickets whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min
from django.utils.translation import gettext as _

from intake.models import Category, CategoryAlias, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class NewCategory:
    category: Category
    tickets: int
    first_received_at: object


def new_categories() -> list[NewCategory]:
    """The unconfirmed categories, most used first, with how many tickets carry each."""
    rows = (
        Category.objects.filter(confirmed=False)
        .annotate(ticket_count=Count("tickets"), first_at=Min("tickets__received_at"))
        .order_by("-ticket_count", "name")
    )
    return [NewCategory(row, row.ticket_count, row.first_at) for row in rows]


def _unconfirmed(category_id: int) -> Category:
    category = Category.objects.select_for_update().filter(pk=category_id, confirmed=False).first()
    if category is None:
        raise DomainError(ErrorCode.CONFLICT, _("This category is no longer waiting for confirmation."))
    return category


@transaction.atomic
def confirm_category(category_id: int) -> Category:
    """Keep the new name as one of the street's categories."""
    category = _unconfirmed(category_id)
    category.confirmed = True
    category.save(update_fields=["confirmed"])
    return category


@transaction.atomic
def map_category(category_id: int, *, into: Category) -> int:
    """Move the new category's tickets to the existing (confirmed) category ``into`` and drop the new
    name, remembering it as an alias of ``into`` so later imports file it there; returns how many
    tickets moved."""
    category = _unconfirmed(category_id)
    if into is None or not into.confirmed or into.pk == category.pk:
        raise DomainError(
            ErrorCode.INVALID, _("Choose one of the street's confirmed categories."), errors={"into": "invalid"}
        )
    if category.children.exists():
        raise DomainError(ErrorCode.CONFLICT, _("This category has subcategories; confirm it instead."))
    moved = Ticket.objects.filter(category=category).update(category=into)
    CategoryAlias.objects.update_or_create(name=category.name, defaults={"category": into})
    category.delete()
    return moved

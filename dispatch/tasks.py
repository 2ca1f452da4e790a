"""Celery tasks of the workflow: thin, idempotent, safe to run twice or on two workers at once."""

from celery import shared_task

from dispatch.early_warning import mark_deadline_warnings
from dispatch.forms import prune_form_tokens
from intake.places import learn_from_history, place_tickets


@shared_task(name="dispatch.mark_deadline_warnings")
def mark_deadline_warnings_task() -> dict[str, int]:
    """Every 5 minutes (beat): mark and announce tickets due soon and overdue."""
    return mark_deadline_warnings()


@shared_task(name="dispatch.prune_form_tokens")
def prune_form_tokens_task() -> int:
    """Nightly (beat): forget the one-time tokens of forms acted on more than two days ago."""
    return prune_form_tokens()


@shared_task(name="dispatch.place_tickets")
def place_tickets_task() -> dict[str, int]:
    """Every 10 minutes (beat): place the tickets an import could not place right after it (a crash
    between the import and the lookup); idempotent, a ticket is placed once."""
    result = place_tickets()
    return {"placed": result.placed, "unresolved": result.unresolved}


@shared_task(name="dispatch.learn_places")
def learn_places_task() -> int:
    """Nightly (beat): teach the gazetteer the addresses of earlier tickets, then place the unresolved."""
    return learn_from_history()

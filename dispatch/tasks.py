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


@shared_task(name="dispatch.deliver", ignore_result=True)
def deliver_task(delivery_id: int) -> str | None:
    """One try of one outgoing notice (dispatch.delivery); queues its own next try when one is due."""
    from dispatch.delivery import attempt

    return attempt(delivery_id)


@shared_task(name="dispatch.requeue_deliveries", ignore_result=True)
def requeue_deliveries_task() -> int:
    """Every minute (beat): queue again the pending deliveries nobody is trying (broker was down, worker died)."""
    from dispatch.delivery import requeue_due

    return requeue_due()


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

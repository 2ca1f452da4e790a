"""Celery jobs of proactive handling: thin, idempotent, taking dates."""

from datetime import date

from celery import shared_task

from proactive.hotspots import find_hotspots as find_hotspots_between
from proactive.indexing import index_pending


@shared_task(name="proactive.tasks.index_signatures")
def index_signatures(limit: int | None = None) -> int:
    """Index tickets not yet in the similarity index (beat, every few minutes)."""
    return index_pending(limit)


@shared_task(name="proactive.tasks.find_hotspots")
def find_hotspots(end_on: str | None = None, days: int | None = None) -> dict:
    """Recompute the hot spots of the window ending on ``end_on`` (default today); replaces that run."""
    run = find_hotspots_between(date.fromisoformat(end_on) if end_on else None, days=days)
    return {"run": run.id, "tickets": run.ticket_count, "hotspots": run.hotspot_count}


@shared_task(name="proactive.tasks.train_triage_model")
def train_triage_model() -> dict:
    """Retrain the triage assistant on the street's history (beat, nightly); nothing stored when the
    history is too short."""
    from proactive.triage_model import train

    model = train()
    return {"model": model.pk if model else None, "tickets": model.ticket_count if model else 0}

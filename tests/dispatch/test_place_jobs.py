"""The place jobs run in a real Celery worker (docs/geography.md): tickets left unplaced, and lessons
from the street's history."""

import pytest
from django.utils import timezone

from dispatch import tasks
from intake.models import PlaceOrigin, Ticket
from org.models import GridCell, Unit
from tests.conftest import wait_for
from tests.factories import make_ticket
from tests.geography import load_test_street


@pytest.mark.django_db(transaction=True)
def test_the_jobs_place_what_an_import_left_and_learn_from_history(celery_worker):
    load_test_street()
    left = make_ticket(address="朝阳区酒仙桥南路社区13号楼")  # written without the import's lookup
    tasks.place_tickets_task.delay()
    assert wait_for(lambda: Ticket.objects.get(pk=left.pk).place_origin == PlaceOrigin.GAZETTEER)
    assert Ticket.objects.get(pk=left.pk).grid_cell == GridCell.objects.get(code="NL-2")

    east = Unit.objects.get(name="东路社区")
    for _ in range(2):
        make_ticket(
            address="酒仙桥东路早市", lead_unit=east, closed_at=timezone.now(), place_origin=PlaceOrigin.UNRESOLVED
        )
    waiting = make_ticket(address="酒仙桥东路早市门口", place_origin=PlaceOrigin.UNRESOLVED)
    tasks.learn_places_task.delay()
    assert wait_for(lambda: Ticket.objects.get(pk=waiting.pk).place_origin == PlaceOrigin.HISTORY)
    assert Ticket.objects.get(pk=waiting.pk).place_community == east

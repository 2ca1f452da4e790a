"""The proactive jobs run in a real Celery worker through the settings' broker (Redis in ``make test``)."""

import time

import pytest

from proactive import tasks
from proactive.models import HotSpotRun, TicketSignature
from tests.conftest import wait_for
from tests.factories import resident_ticket
from tests.proactive.conftest import MARKET


@pytest.mark.django_db(transaction=True)
def test_indexing_and_the_hot_spot_job_run_in_a_worker_on_demand(celery_worker, principal_leader, api_client_for):
    tickets = [resident_ticket(text, day=day) for day, text in enumerate(MARKET)]

    # the periodic indexing task
    tasks.index_signatures.delay()
    assert wait_for(lambda: TicketSignature.objects.count() == len(tickets))

    # the on-demand run through the API, twice: one run remains
    for _ in range(2):
        response = api_client_for(principal_leader).post("/api/v1/hotspots/run/", {"end_on": "2026-03-10", "days": 30})
        assert response.status_code == 202, response.content
    assert wait_for(lambda: HotSpotRun.objects.filter(finished_at__isnull=False).exists())
    time.sleep(1.0)  # the second run replaces the first
    assert wait_for(lambda: HotSpotRun.objects.filter(finished_at__isnull=False).count() == 1)
    run = HotSpotRun.objects.get()
    assert (run.ticket_count, run.hotspot_count) == (4, 1)
    assert run.hotspots.get().ticket_count == 4


def test_only_the_center_and_the_principal_leader_start_a_run(db, section_leader, api_client_for):
    response = api_client_for(section_leader).post("/api/v1/hotspots/run/", {})
    assert response.status_code == 403
    assert not HotSpotRun.objects.exists()

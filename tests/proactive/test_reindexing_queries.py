"""Indexing tickets that were indexed before deletes their old band rows in one statement, however
many they are (it was one DELETE per ticket)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proactive.indexing import index_tickets
from proactive.models import SignatureBand, TicketSignature
from tests.factories import resident_ticket

pytestmark = pytest.mark.django_db

TEXTS = ["酒仙桥路菜市场门口早上占道经营", "小区楼下烧烤油烟很大", "路灯不亮晚上很黑", "楼道堆放杂物影响通行"]


def _reindex(tickets) -> int:
    with CaptureQueriesContext(connection) as captured:
        index_tickets(tickets)
    return len(captured)


def test_reindexing_deletes_the_old_bands_in_one_statement_whatever_their_number():
    few = [resident_ticket(TEXTS[i % 4] + str(i), day=i) for i in range(2)]
    many = [resident_ticket(TEXTS[i % 4] + str(i), day=i) for i in range(2, 14)]
    index_tickets(few + many)
    bands = {t.pk: set(SignatureBand.objects.filter(ticket=t).values_list("key", flat=True)) for t in few + many}
    assert all(bands.values())
    assert _reindex(few) == _reindex(many)
    # the rows were replaced, not doubled, and the other tickets' rows are untouched
    for ticket in few + many:
        assert set(SignatureBand.objects.filter(ticket=ticket).values_list("key", flat=True)) == bands[ticket.pk]
        assert SignatureBand.objects.filter(ticket=ticket).count() == len(bands[ticket.pk])
    assert TicketSignature.objects.count() == 14


def test_reindexing_one_ticket_leaves_the_others_bands():
    one, other = resident_ticket(TEXTS[0], day=0), resident_ticket(TEXTS[0], day=0)
    index_tickets([one, other])
    before = SignatureBand.objects.filter(ticket=other).count()
    index_tickets([one])
    assert SignatureBand.objects.filter(ticket=other).count() == before > 0

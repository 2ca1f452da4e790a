"""GET /api/v1/tickets/{ticket_no}/similar/: earlier tickets that are probably the same matter."""

from proactive.indexing import index_pending
from proactive.models import SignatureBand, TicketSignature
from tests.factories import resident_ticket
from tests.proactive.conftest import MARKET, OTHER_MATTERS


def _url(ticket):
    return f"/api/v1/tickets/{ticket.ticket_no}/similar/"


def test_the_same_matter_ranks_first_and_different_matters_are_left_out(db, center_staff, api_client_for):
    # given earlier calls about the morning market, and other matters of the same courtyard
    market = [
        resident_ticket(text, day=i, category="噪音扰民", address="酒仙桥路12号院") for i, text in enumerate(MARKET[:3])
    ]
    others = [resident_ticket(text, day=1, category="噪音扰民", address="酒仙桥路12号院") for text in OTHER_MATTERS]
    later = resident_ticket(MARKET[0], day=30, category="噪音扰民")  # after the ticket asked about: not "earlier"
    asked = resident_ticket(MARKET[3], day=5, category="噪音扰民", address="酒仙桥路12号院")
    assert index_pending() == 8  # what the periodic task does

    # when
    response = api_client_for(center_staff).get(_url(asked))

    # then
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    numbers = [r["ticket_no"] for r in results]
    assert set(numbers[:3]) == {t.ticket_no for t in market}
    assert not {t.ticket_no for t in others} & set(numbers)
    assert later.ticket_no not in numbers and asked.ticket_no not in numbers
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    best = results[0]
    assert best["same_community"] is True and "早市" in best["shared_words"]
    assert any("早市" in why for why in best["why"])


def test_the_lookup_indexes_the_ticket_it_is_asked_about(db, center_staff, api_client_for):
    earlier = resident_ticket(MARKET[0], day=0)
    asked = resident_ticket(MARKET[1], day=1)
    assert not TicketSignature.objects.exists()

    response = api_client_for(center_staff).get(_url(asked))

    assert response.status_code == 200
    assert TicketSignature.objects.filter(ticket=asked).exists()
    # the earlier ticket was never indexed, so the band keys cannot find it; the same-community
    # source does not either: only indexed tickets are candidates
    assert response.json()["results"] == []
    assert not TicketSignature.objects.filter(ticket=earlier).exists()


def test_reindexing_replaces_a_tickets_rows(db):
    from proactive.indexing import index_tickets

    ticket = resident_ticket(MARKET[0])
    assert index_pending() == 1
    bands = SignatureBand.objects.filter(ticket=ticket).count()
    assert bands > 0
    index_tickets([ticket])
    assert SignatureBand.objects.filter(ticket=ticket).count() == bands
    assert TicketSignature.objects.filter(ticket=ticket).count() == 1
    assert index_pending() == 0


def test_a_handler_sees_only_similar_tickets_of_their_unit(db, unit_handler, handler_unit, other_unit, api_client_for):
    mine = resident_ticket(MARKET[0], day=0, lead_unit=handler_unit)
    not_mine = resident_ticket(MARKET[1], day=1, lead_unit=other_unit)
    asked = resident_ticket(MARKET[2], day=2, lead_unit=handler_unit)
    index_pending()

    response = api_client_for(unit_handler).get(_url(asked))

    assert response.status_code == 200
    numbers = [r["ticket_no"] for r in response.json()["results"]]
    assert numbers == [mine.ticket_no]
    assert not_mine.ticket_no not in numbers


def test_a_handler_of_another_unit_cannot_ask_about_the_ticket(db, other_unit_handler, handler_unit, api_client_for):
    asked = resident_ticket(MARKET[0], lead_unit=handler_unit)
    response = api_client_for(other_unit_handler).get(_url(asked))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_and_the_platform_are_refused(db, platform_client, api_client_for):
    asked = resident_ticket(MARKET[0])
    assert api_client_for(None).get(_url(asked)).status_code in (401, 403)
    assert api_client_for(platform_client).get(_url(asked)).status_code == 404


def test_the_periodic_pass_indexes_new_tickets_once_and_changed_ones_again(db):
    first = resident_ticket(MARKET[0])
    assert index_pending() == 1
    assert index_pending() == 0  # nothing new, nothing changed

    # a workflow save moves updated_at but not the text: no re-index
    first.is_key = True
    first.save()
    assert index_pending() == 0

    # the upstream corrected the text: re-indexed, and a new ticket is picked up beside it
    first.content = OTHER_MATTERS[0]
    first.save()
    second = resident_ticket(MARKET[1])
    assert index_pending() == 2
    stored = TicketSignature.objects.get(ticket=first)
    assert "装修" in stored.profile["w"]
    assert TicketSignature.objects.filter(ticket=second).exists()


def test_a_retelling_without_a_shared_word_is_found_through_its_grid_cell(db, center_staff, api_client_for):
    # given a call about a stairwell light in one grid cell, then 60 calls of the same community
    # elsewhere (more than the most recent of the community that the lookup reads), then a retelling
    # with a homophone typo (楼到) that shares no word with it: no band key can bring them together
    from org.models import GridCell
    from tests.geography import load_test_street

    load_test_street(gazetteer=False)
    cell = GridCell.objects.get(code="NL-1")
    first = resident_ticket("楼道灯坏了，晚上黑漆漆的", day=0, category="物业管理", grid_cell=cell)
    for i in range(60):
        resident_ticket(f"{i}号院门口垃圾没人清运，味道很大", day=1 + i / 100, category="市容环境")
    asked = resident_ticket("楼到灯不亮，上下楼摸黑", day=2, category="物业管理", grid_cell=cell)
    index_pending()
    words = [set(TicketSignature.objects.get(ticket=t).profile["w"]) for t in (first, asked)]
    assert not words[0] & words[1]

    # when
    response = api_client_for(center_staff).get(_url(asked))

    # then
    assert response.status_code == 200, response.content
    assert [r["ticket_no"] for r in response.json()["results"]] == [first.ticket_no]

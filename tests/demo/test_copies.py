"""Benchmark sizes (demo.copies): a few stories played, the rest exact copies of them moved by whole
days -- each copy's status, times, events and requests agree, as the workflow left its template."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, Max
from django.db.models.functions import TruncDate

from demo.accounts import create_demo_accounts
from demo.seed import load_tickets
from dispatch import deadlines
from dispatch.models import ExtensionRequest, Note, ReplyDraft, RequestStatus, SendBackRequest, TicketEvent
from intake.models import ReturnVisit, Status, Ticket

pytestmark = pytest.mark.django_db
END = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TIMES = ["received_at", "triaged_at", "dispatched_at", "acknowledged_at", "first_contact_at", "reviewed_at",
         "replied_at", "closed_at", "handle_due_at", "next_due_at", "visited_at", "created_at"]  # fmt: skip


@pytest.fixture(scope="module")
def copied(committed):
    create_demo_accounts()
    return load_tickets(1500, 60, seed=5, end_at=END, stories=120)


def test_the_plan_is_filled_with_copies(copied):
    assert copied.played < 130 and copied.copied > 1300
    assert Ticket.objects.count() == copied.tickets == copied.played + copied.copied
    assert Ticket.objects.values("ticket_no").distinct().count() == copied.tickets
    assert TicketEvent.objects.aggregate(m=Max("at"))["m"] <= END
    assert ReturnVisit.objects.aggregate(m=Max("visited_at"))["m"] <= END


def test_each_copy_is_its_template_moved_by_whole_days(copied):
    assert 500 <= len(copied.sample) <= 1000  # up to a thousand copies spread over all are reported
    for copy_id, template_id, days in copied.sample[::2]:
        copy, template = Ticket.objects.get(pk=copy_id), Ticket.objects.get(pk=template_id)
        shift = timedelta(days=days)
        assert copy.ticket_no != template.ticket_no and copy.status == template.status
        assert (copy.content, copy.lead_unit_id, copy.urgency) == (
            template.content,
            template.lead_unit_id,
            template.urgency,
        )
        for name in TIMES:
            theirs = getattr(template, name)
            assert getattr(copy, name) == (theirs + shift if theirs else None), (copy_id, name)
        assert events(copy, shift) == events(template, timedelta(0))
        assert list(copy.co_units.values_list("pk", flat=True)) == list(template.co_units.values_list("pk", flat=True))


def test_a_copys_timeline_ends_in_its_status_and_names_its_own_notes_and_requests(copied):
    checked = 0
    for copy_id, _template_id, _days in copied.sample[::2]:
        copy = Ticket.objects.get(pk=copy_id)
        timeline = list(copy.events.order_by("at", "id"))
        if copy.status != Status.RECEIVED:
            assert timeline[-1].to_status == copy.status
        for event in timeline:
            if "note_id" in event.data:
                assert Note.objects.get(pk=event.data["note_id"]).ticket_id == copy.pk
                checked += 1
            if "request_id" in event.data:
                owners = [m.objects.filter(pk=event.data["request_id"], ticket=copy).exists()
                          for m in (ExtensionRequest, SendBackRequest)]  # fmt: skip
                assert any(owners), (copy.ticket_no, event.kind)
        for draft in ReplyDraft.objects.filter(ticket=copy):
            assert all(datetime.fromisoformat(s["at"]) <= END for s in draft.signatures)
    assert checked > 100


def test_the_copies_deadlines_are_the_deadline_codes(copied):
    rules, overrides = deadlines.load_rules(), deadlines.load_overrides()
    pending = set(ExtensionRequest.objects.filter(status=RequestStatus.PENDING).values_list("ticket_id", flat=True))
    for copy_id, _template_id, _days in copied.sample:
        ticket = Ticket.objects.get(pk=copy_id)
        assert deadlines.apply_deadlines(ticket, extension_pending=ticket.pk in pending, rules=rules,
                                         overrides=overrides) == []  # fmt: skip


def test_the_last_days_keep_open_tickets_and_old_ones_are_done(copied):
    open_states = [Status.DISPATCHED, Status.CONTACTED, Status.HANDLING, Status.REVIEWED, Status.REPLIED]
    recent = Ticket.objects.filter(received_at__gte=END - timedelta(days=5))
    assert recent.filter(status__in=open_states).count() > recent.count() / 4
    old = Ticket.objects.filter(received_at__lt=END - timedelta(days=40))
    assert old.filter(status__in=[Status.CLOSED, Status.SENT_BACK, Status.MERGED]).count() > 0.95 * old.count()
    per_day = old.annotate(day=TruncDate("received_at")).values("day").annotate(n=Count("id"))
    assert min(row["n"] for row in per_day) >= 10  # the copies fill every day


def events(ticket: Ticket, shift: timedelta) -> list[tuple]:
    return [
        (kind, actor, at - shift, from_status, to_status)
        for kind, actor, at, from_status, to_status in ticket.events.order_by("at", "id").values_list(
            "kind", "actor_id", "at", "from_status", "to_status"
        )
    ]

"""Early warning (预警): tickets due soon (25% of their time left) and overdue are marked and their lead
unit's handlers and the center are told in-app and by email — once, however often the task runs and
however many workers run it at once."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from dispatch.early_warning import mark_deadline_warnings
from dispatch.models import Notification
from dispatch.workflow import acknowledge_ticket, dispatch_ticket
from intake.models import Status, Ticket
from jxq_cases.celery import app
from tests.conftest import wait_for
from tests.factories import ticket_in


def _running(handler_unit, *, start_ago: timedelta, due_in: timedelta, **fields) -> Ticket:
    now = timezone.now()
    start, due = now - start_ago, now + due_in
    return ticket_in(
        Status.HANDLING,
        lead_unit=handler_unit,
        handle_started_at=start,
        handle_due_at=due,
        next_due_kind="handle",
        next_due_at=due,
        next_warn_at=due - (due - start) * 0.25,
        **fields,
    )


@pytest.fixture
def with_email(center_staff, unit_handler, other_unit_handler):
    for user, address in ((center_staff, "center@example.org"), (unit_handler, "handler@example.org")):
        user.email = address
        user.save(update_fields=["email"])
    other_unit_handler.email = "other@example.org"
    other_unit_handler.save(update_fields=["email"])


@pytest.mark.django_db
def test_due_soon_and_overdue_are_marked_and_notified_once(handler_unit, with_email, center_staff, unit_handler):
    # given one ticket well within its time, one with less than 25% left, one past its deadline
    fine = _running(handler_unit, start_ago=timedelta(days=1), due_in=timedelta(days=6))
    soon = _running(handler_unit, start_ago=timedelta(days=6), due_in=timedelta(days=1))
    late = _running(handler_unit, start_ago=timedelta(days=8), due_in=timedelta(hours=-2))
    # when the task runs twice
    first = mark_deadline_warnings()
    second = mark_deadline_warnings()
    # then each ticket was marked once and each of the lead unit's handlers and the center heard once
    assert first == {"overdue": 1, "due_soon": 1}
    assert second == {"overdue": 0, "due_soon": 0}
    levels = dict(Ticket.objects.filter(pk__in=[fine.pk, soon.pk, late.pk]).values_list("ticket_no", "warning_level"))
    assert levels == {fine.ticket_no: "", soon.ticket_no: "due_soon", late.ticket_no: "overdue"}
    notes = Notification.objects.order_by("ticket_id", "user_id")
    assert [(n.ticket_id, n.user_id, n.kind) for n in notes] == [
        (soon.pk, center_staff.pk, "due_soon"),
        (soon.pk, unit_handler.pk, "due_soon"),
        (late.pk, center_staff.pk, "overdue"),
        (late.pk, unit_handler.pk, "overdue"),
    ]
    assert late.ticket_no in Notification.objects.get(ticket=late, user=unit_handler).text
    # one email per person and run, nobody from another unit
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["center@example.org", "handler@example.org"] * 2)


@pytest.mark.django_db
def test_a_due_soon_ticket_is_warned_again_when_it_becomes_overdue(handler_unit, center_staff):
    ticket = _running(handler_unit, start_ago=timedelta(days=6), due_in=timedelta(days=1))
    assert mark_deadline_warnings() == {"overdue": 0, "due_soon": 1}
    assert mark_deadline_warnings(now=timezone.now() + timedelta(days=2)) == {"overdue": 1, "due_soon": 0}
    assert mark_deadline_warnings(now=timezone.now() + timedelta(days=3)) == {"overdue": 0, "due_soon": 0}
    assert list(Notification.objects.filter(ticket=ticket).values_list("kind", flat=True).order_by("id")) == [
        "due_soon",
        "overdue",
    ]


@pytest.mark.django_db
def test_a_new_running_deadline_is_judged_afresh(center_staff, unit_handler, handler_unit):
    """Not acknowledged in time is itself a warning; acknowledging starts the contact deadline."""
    ticket = ticket_in(Status.TRIAGED)
    dispatch_ticket(ticket, actor=center_staff, lead_unit=handler_unit, now=timezone.now() - timedelta(hours=6))
    assert mark_deadline_warnings() == {"overdue": 1, "due_soon": 0}
    assert Notification.objects.filter(kind="overdue", ticket=ticket, user=unit_handler).exists()
    acknowledge_ticket(ticket, actor=unit_handler)
    ticket.refresh_from_db()
    assert ticket.warning_level == "" and ticket.next_due_kind == "contact"
    assert mark_deadline_warnings() == {"overdue": 0, "due_soon": 0}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_notify_once(handler_unit, center_staff):
    tickets = [_running(handler_unit, start_ago=timedelta(days=8), due_in=timedelta(hours=-1)) for _ in range(20)]
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(mark_deadline_warnings())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(r["overdue"] for r in results) == [0, 20]
    assert Notification.objects.filter(ticket__in=tickets).count() == 20


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_runs_in_a_real_worker_twice_and_notifies_once(handler_unit, center_staff, celery_worker):
    from dispatch.tasks import mark_deadline_warnings_task

    late = _running(handler_unit, start_ago=timedelta(days=8), due_in=timedelta(hours=-1))
    for _ in range(2):
        mark_deadline_warnings_task.delay()
    # no result backend: wait for the queue to drain, then for the solo worker to finish the last one
    with app.connection_for_read() as conn:
        queue = conn.default_channel.client
        wait_for(lambda: not queue.llen("celery") and Notification.objects.filter(ticket=late).exists())
    time.sleep(1)
    assert Ticket.objects.get(pk=late.pk).warning_level == "overdue"
    assert Notification.objects.filter(ticket=late).count() == 1

"""The seed_demo and demo_accounts commands: what `make run` loads and prints, once, deterministically."""

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo_accounts
from demo.seed import load_tickets
from dispatch.models import Notification, TicketEvent
from intake.models import ReturnVisit, Status, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Role, User
from reporting.models import Snapshot

pytestmark = pytest.mark.django_db
END = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def test_seed_demo_fills_every_page_with_something_real_and_prints_the_accounts(street_units, capsys):
    # when
    call_command("seed_demo", "--tickets", "60", "--days", "12")

    # then: one account per role of docs/domain.md §7 (and the machine client)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    # tickets across states, both sources, with visits and a history
    assert Ticket.objects.count() == 60
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert Status.CLOSED in statuses and len(statuses) >= 4, statuses
    assert set(Ticket.objects.values_list("source", flat=True)) == {"city", "district"}
    assert ReturnVisit.objects.exists()
    assert TicketEvent.objects.filter(ticket__status=Status.CLOSED).exists()
    assert Snapshot.objects.exists()
    out = capsys.readouterr().out
    assert "demo data loaded" in out
    assert DEMO_PASSWORD in out and "principal" in out  # the accounts, as `make run` prints them


def test_seed_demo_if_empty_loads_only_once(street_units, capsys):
    call_command("seed_demo", "--tickets", "30", "--days", "6")
    call_command("seed_demo", "--tickets", "30", "--days", "6", "--if-empty")
    assert Ticket.objects.count() == 30
    assert "not loaded again" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--tickets", "0"], ["--days", "0"], ["--stories", "0"]])
def test_seed_demo_refuses_nonsense_and_writes_nothing(street_units, args):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", *args)
    assert not User.objects.exists() and not Ticket.objects.exists()


def test_copies_need_postgresql(monkeypatch, street_units):
    create_demo_accounts()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(DomainError, match="PostgreSQL"):
        load_tickets(100, 10, stories=10)
    assert not Ticket.objects.exists()


def test_stories_need_their_players(street_units):
    with pytest.raises(DomainError, match="create the demo accounts first"):
        load_tickets(20, 5)
    assert not Ticket.objects.exists()


def test_a_second_run_over_the_same_period_is_refused_and_writes_nothing(street_units):
    create_demo_accounts()
    load_tickets(40, 8, seed=3, end_at=END)
    events, notifications = TicketEvent.objects.count(), Notification.objects.count()

    with pytest.raises(DomainError) as refused:
        load_tickets(40, 8, seed=3, end_at=END)

    assert refused.value.code == ErrorCode.CONFLICT
    assert Ticket.objects.count() == 40 and TicketEvent.objects.count() == events
    assert Notification.objects.count() == notifications


def test_the_same_seed_plays_the_same_street(street_units, django_capture_on_commit_callbacks):
    def street() -> tuple[list, list]:
        with django_capture_on_commit_callbacks(execute=True):
            load_tickets(45, 8, seed=21, end_at=END)
        tickets = list(
            Ticket.objects.order_by("ticket_no").values_list(
                "ticket_no", "content", "status", "received_at", "lead_unit__name", "handle_due_at", "visited_at"
            )
        )
        events = list(
            TicketEvent.objects.order_by("ticket__ticket_no", "at", "id").values_list(
                "ticket__ticket_no", "kind", "actor__username", "at", "to_status"
            )
        )
        return tickets, events

    create_demo_accounts()
    first = street()
    Ticket.objects.update(merged_into=None)
    Ticket.objects.all().delete()

    second = street()

    assert second == first
    assert len(first[1]) > 45 * 4


def test_every_demo_account_signs_in_with_the_demo_password(street_units):
    accounts = create_demo_accounts()
    assert len(accounts) == len(DEMO_ACCOUNTS) + 17
    assert all(User.objects.get(pk=u.pk).check_password(DEMO_PASSWORD) for u in accounts)
    assert not User.objects.get(username="leader").check_password("wrong-password-123")


def test_demo_accounts_prints_one_account_per_role(street_units, capsys):
    create_demo_accounts()
    call_command("demo_accounts")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert all(f"  {username} " in out for username, *_rest in DEMO_ACCOUNTS)

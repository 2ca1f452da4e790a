from django.core.management import call_command

from dispatch.models import TicketEvent
from intake.models import ReturnVisit, Status, Ticket
from org.models import Role, User
from reporting.models import Snapshot


def test_seed_demo_fills_every_page_with_something_real(street_units, capsys):
    # when
    call_command("seed_demo", "--tickets", "400", "--days", "60")

    # then: one account per role of docs/domain.md §7 (and the machine client)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    # tickets across states, both sources, with visits and a history
    assert Ticket.objects.count() == 400
    statuses = set(Ticket.objects.values_list("status", flat=True))
    # (which early states exist depends on the hour: night calls wait for the morning's triage)
    assert Status.CLOSED in statuses
    assert len(statuses) >= 6, statuses
    assert set(Ticket.objects.values_list("source", flat=True)) == {"city", "district"}
    assert ReturnVisit.objects.exists()
    assert TicketEvent.objects.filter(ticket__status=Status.CLOSED).exists()
    assert Snapshot.objects.exists()
    assert "demo data loaded" in capsys.readouterr().out


def test_seed_demo_if_empty_loads_only_once(street_units, capsys):
    call_command("seed_demo", "--tickets", "50", "--days", "10")
    call_command("seed_demo", "--tickets", "50", "--days", "10", "--if-empty")
    assert Ticket.objects.count() == 50
    assert "not loaded again" in capsys.readouterr().out

"""Intake with two streets (docs/district.md, "Intake"): every ticket gets its street; a file names
its street when the database holds several; a platform client is bound to its street (403 for
another); bad input — an unknown street, a community of another street, a number another street
holds — is refused whole with the row named and nothing written."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from intake.models import ReturnVisit, Ticket
from org.accounts import create_user
from org.models import Role, Street, Unit
from org.streets import add_street
from tests.conftest import PASSWORD

from .helpers import ZH_TICKET_HEADER, ZH_VISIT_HEADER, intake_state, write_csv, zh_ticket

pytestmark = pytest.mark.django_db

JSON_TICKET = {
    "ticket_no": "JT-1",
    "source": "city",
    "received_at": "2024-05-06T08:30:00+08:00",
    "kind": "complaint",
    "content": "楼道灯坏了",
    "community": "南路社区",
}


@pytest.fixture
def two_streets(street_units):
    """Jiuxianqiao (the default street) and Jiangtai, with the same unit names."""
    return Street.objects.get(name="酒仙桥街道"), add_street("将台街道", "朝阳区")


def test_a_file_names_its_street_when_there_are_several(tmp_path, two_streets):
    jiuxianqiao, jiangtai = two_streets
    path = write_csv(tmp_path / "t.csv", [ZH_TICKET_HEADER, zh_ticket("S1"), zh_ticket("S2")])
    with pytest.raises(CommandError, match="several streets"):
        call_command("import_tickets", str(path), stdout=StringIO(), stderr=StringIO())
    call_command("import_tickets", str(path), "--street", "将台街道", stdout=StringIO())
    tickets = Ticket.objects.order_by("ticket_no")
    assert [(t.ticket_no, t.street, t.community) for t in tickets] == [
        ("S1", jiangtai, Unit.objects.get(street=jiangtai, name="南路社区")),
        ("S2", jiangtai, Unit.objects.get(street=jiangtai, name="南路社区")),
    ]
    # the visits of that street's tickets
    visits = write_csv(tmp_path / "v.csv", [ZH_VISIT_HEADER, "S1,2024-05-09 10:00,是,是,是,是"])
    call_command("import_visits", str(visits), "--street", "将台街道", stdout=StringIO())
    assert ReturnVisit.objects.get().ticket.ticket_no == "S1"


def test_bad_input_is_refused_whole_with_the_row_named(tmp_path, two_streets):
    jiuxianqiao, jiangtai = two_streets
    held = write_csv(tmp_path / "held.csv", [ZH_TICKET_HEADER, zh_ticket("HELD-1")])
    call_command("import_tickets", str(held), "--street", "酒仙桥街道", stdout=StringIO())
    before = intake_state()

    # an unknown street
    with pytest.raises(CommandError, match="Unknown street"):
        call_command("import_tickets", str(held), "--street", "火星街道", stdout=StringIO(), stderr=StringIO())

    # a number another street holds, in row 3
    path = write_csv(tmp_path / "t.csv", [ZH_TICKET_HEADER, zh_ticket("NEW-1"), zh_ticket("HELD-1")])
    err = StringIO()
    with pytest.raises(CommandError, match="not imported"):
        call_command("import_tickets", str(path), "--street", "将台街道", stdout=StringIO(), stderr=err)
    assert 'row 3, column ticket_no, value "HELD-1": is held by another street (酒仙桥街道)' in err.getvalue()

    # a community of another street, in row 2

    Unit.objects.create(street=jiangtai, name="将台西社区", kind="community")
    path = write_csv(tmp_path / "c.csv", [ZH_TICKET_HEADER, zh_ticket("NEW-2", community="将台西社区")])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_tickets", str(path), "--street", "酒仙桥街道", stdout=StringIO(), stderr=err)
    assert (
        'row 2, column community, value "将台西社区": is a community of 将台街道, not of this street' in err.getvalue()
    )

    # visits of another street's ticket, in row 2
    visits = write_csv(tmp_path / "v.csv", [ZH_VISIT_HEADER, "HELD-1,2024-05-09 10:00,是,是,是,是"])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_visits", str(visits), "--street", "将台街道", stdout=StringIO(), stderr=err)
    assert 'row 2, column ticket_no, value "HELD-1": is a ticket of another street (酒仙桥街道)' in err.getvalue()

    assert intake_state() == before  # nothing written


def test_a_platform_client_is_bound_to_its_street(api_client_for, two_streets):
    jiuxianqiao, jiangtai = two_streets
    platform = create_user("jt-platform", role=Role.PLATFORM, street=jiangtai, password=PASSWORD)
    client = api_client_for(platform)

    created = client.post("/api/v1/tickets/", JSON_TICKET, format="json")
    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(ticket_no="JT-1")
    assert ticket.street == jiangtai and ticket.community.street == jiangtai

    other = client.post("/api/v1/tickets/", {**JSON_TICKET, "ticket_no": "JT-2", "street": "酒仙桥街道"}, format="json")
    assert other.status_code == 403
    assert not Ticket.objects.filter(ticket_no="JT-2").exists()

    # the Jiuxianqiao center cannot take Jiangtai's number
    center = create_user("jxq-center", role=Role.CENTER_STAFF, unit_names=["市民诉求处置中心"], street=jiuxianqiao)
    taken = api_client_for(center).post("/api/v1/tickets/", JSON_TICKET, format="json")
    assert taken.status_code == 409
    assert "将台街道" in taken.json()["detail"]
    assert Ticket.objects.filter(ticket_no="JT-1").count() == 1

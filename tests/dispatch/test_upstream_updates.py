"""A ticket number received again (docs/intake.md "Receiving a ticket number again"): before triage the
update is applied and recorded on the timeline; after triage the upstream's own fields may not change
(JSON: 409; CSV: the whole file refused), the center's classification stands, and an identical re-send
records nothing. Every way in (JSON, CSV upload, the command) goes through dispatch.upstream."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from dispatch.models import EventKind, TicketEvent
from dispatch.upstream import import_tickets_and_record
from dispatch.workflow import triage_ticket
from intake.models import Category, ImportBatch, Status, Ticket
from tests.intake.helpers import ZH_TICKET_HEADER, write_csv, zh_ticket

from .helpers import ticket_in

pytestmark = pytest.mark.django_db

TICKET = {
    "ticket_no": "U-1",
    "source": "city",
    "received_at": "2025-03-03 09:00",
    "kind": "complaint",
    "category": "物业管理",
    "content": "楼道灯坏了",
    "complainant_name": "王女士",
    "complainant_phone": "13800001234",
    "address": "酒仙桥南路5号楼",
    "community": "南路社区",
    "urgency": "一般",
}
UPSTREAM_FIELDS = ("source", "received_at", "kind", "content", "complainant_name", "complainant_phone", "address")


def post(client, **changes):
    return client.post("/api/v1/tickets/", {**TICKET, **changes}, format="json", HTTP_ACCEPT_LANGUAGE="en")


def upstream_events(ticket_no: str = "U-1"):
    return list(TicketEvent.objects.filter(ticket__ticket_no=ticket_no, kind=EventKind.UPSTREAM_UPDATE))


def stored(ticket_no: str = "U-1") -> tuple:
    ticket = Ticket.objects.get(ticket_no=ticket_no)
    return tuple(getattr(ticket, name) for name in (*UPSTREAM_FIELDS, "category_id", "urgency", "updated_at"))


def test_a_resend_before_triage_is_applied_and_recorded(api_client_for, center_staff):
    client = api_client_for(center_staff)
    assert post(client).status_code == 201

    response = post(
        client,
        content="楼道灯坏了,已经一周",
        complainant_name="李先生",
        complainant_phone="13900009999",
        category="市容环境",
    )

    assert response.status_code == 200 and response.json()["outcome"] == "updated"
    ticket = Ticket.objects.get(ticket_no="U-1")
    assert ticket.content == "楼道灯坏了,已经一周" and ticket.category.name == "市容环境"
    assert ticket.complainant_phone == "13900009999" and ticket.status == Status.RECEIVED
    [event] = upstream_events()
    assert event.actor == center_staff and event.from_status == event.to_status == Status.RECEIVED
    assert event.data["fields"] == ["category", "content", "complainant_name", "complainant_phone"]
    assert event.data["changes"] == {
        "category": {"from": "物业管理", "to": "市容环境"},
        "content": {"from": "楼道灯坏了", "to": "楼道灯坏了,已经一周"},
    }
    assert event.data["import_batch"] == ImportBatch.objects.latest("id").pk
    # personal data is named, never kept in the history
    recorded = json.dumps(event.data, ensure_ascii=False)
    assert not any(value in recorded for value in ("王女士", "李先生", "13800001234", "13900009999"))
    events = client.get("/api/v1/tickets/U-1/events/").json()
    assert [e["kind"] for e in events] == ["receive", "upstream_update"]


def test_an_identical_resend_is_unchanged_and_records_nothing(api_client_for, platform_client):
    client = api_client_for(platform_client)
    post(client)
    before = stored()

    response = post(client)

    assert response.status_code == 200 and response.json()["outcome"] == "unchanged"
    assert stored() == before and upstream_events() == []


def test_after_triage_a_changed_resend_is_refused_and_nothing_changes(api_client_for, center_staff, platform_client):
    post(api_client_for(center_staff))
    ticket = triage_ticket(Ticket.objects.get(ticket_no="U-1"), actor=center_staff, urgency="urgent")
    before, events, batches = stored(), TicketEvent.objects.count(), ImportBatch.objects.count()

    response = post(
        api_client_for(platform_client),
        content="改过的诉求",
        complainant_name="李先生",
        complainant_phone="13900009999",
    )

    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert "U-1" in response.json()["detail"] and "past receipt" in response.json()["detail"]
    assert [e["column"] for e in response.json()["errors"]] == ["content", "complainant_name", "complainant_phone"]
    assert stored() == before and ticket.urgency == "urgent"
    assert TicketEvent.objects.count() == events and ImportBatch.objects.count() == batches


def test_after_triage_the_centers_classification_stands(api_client_for, center_staff):
    client = api_client_for(center_staff)
    post(client)
    triage_ticket(
        Ticket.objects.get(ticket_no="U-1"),
        actor=center_staff,
        category=Category.objects.create(name="市容环境"),
        urgency="urgent",
    )
    before = stored()

    # the upstream sends its own classification again: not compared once the center has triaged
    response = post(client)

    assert response.status_code == 200 and response.json()["outcome"] == "unchanged"
    assert stored() == before and Ticket.objects.get(ticket_no="U-1").category.name == "市容环境"
    assert upstream_events() == []


def test_a_closed_ticket_cannot_be_rewritten(api_client_for, platform_client, handler_unit):
    closed = ticket_in(Status.CLOSED, lead_unit=handler_unit, ticket_no="U-9")
    same = {
        "ticket_no": closed.ticket_no,
        "source": closed.source,
        "received_at": closed.received_at.isoformat(),
        "kind": closed.kind,
        "content": closed.content,
        "complainant_name": closed.complainant_name,
        "complainant_phone": closed.complainant_phone,
        "address": closed.address,
    }
    client = api_client_for(platform_client)
    before = stored("U-9")

    assert client.post("/api/v1/tickets/", same, format="json").json()["outcome"] == "unchanged"
    response = client.post(
        "/api/v1/tickets/",
        {**same, "content": "全新的内容", "complainant_name": "赵六", "complainant_phone": "13700000000"},
        format="json",
    )

    assert response.status_code == 409
    assert stored("U-9") == before and upstream_events("U-9") == []


def test_only_importers_may_resend(api_client_for, center_staff, unit_handler):
    post(api_client_for(center_staff))
    before = stored()

    response = post(api_client_for(unit_handler), content="不该生效")

    assert response.status_code == 403
    assert stored() == before and upstream_events() == []


# ----------------------------------------------------------------------------------------- CSV


def test_a_csv_resend_before_triage_is_applied_and_recorded_with_its_row(tmp_path, center_staff):
    import_tickets_and_record(write_csv(tmp_path / "a.csv", [ZH_TICKET_HEADER, zh_ticket("P1"), zh_ticket("P2")]))
    out = StringIO()

    path = write_csv(tmp_path / "b.csv", [ZH_TICKET_HEADER, zh_ticket("P1"), zh_ticket("P2", content="灯还是坏的")])
    call_command("import_tickets", str(path), "--user", center_staff.username, stdout=out)

    assert "0 created, 1 updated, 1 unchanged" in out.getvalue()
    assert Ticket.objects.get(ticket_no="P2").content == "灯还是坏的"
    [event] = upstream_events("P2")
    assert event.actor == center_staff
    assert event.data["fields"] == ["content"] and event.data["row"] == 3
    assert event.data["changes"]["content"]["to"] == "灯还是坏的"
    assert event.data["import_batch"] == ImportBatch.objects.latest("id").pk
    assert upstream_events("P1") == []

    # the same file again: unchanged, nothing more recorded
    again = import_tickets_and_record(path)
    assert (again.updated, again.unchanged) == (0, 2) and len(upstream_events("P2")) == 1


def test_a_csv_resend_after_triage_refuses_the_whole_file(tmp_path, api_client_for, center_staff):
    import_tickets_and_record(write_csv(tmp_path / "a.csv", [ZH_TICKET_HEADER, zh_ticket("P1"), zh_ticket("P2")]))
    triage_ticket(Ticket.objects.get(ticket_no="P1"), actor=center_staff, urgency="urgent")
    before = [stored("P1"), stored("P2")]
    events = TicketEvent.objects.count()
    lines = [
        ZH_TICKET_HEADER,
        zh_ticket("P1", content="改过的诉求", urgency="一般"),  # the urgency is the center's now: not compared
        zh_ticket("P2", content="也改了"),  # still received: would be updated, but the file is refused
        zh_ticket("P3"),  # new: would be created
    ]
    upload = SimpleUploadedFile("b.csv", ("\r\n".join(lines) + "\r\n").encode("gb18030"), content_type="text/csv")

    response = api_client_for(center_staff).post(
        "/api/v1/imports/tickets/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["column"], error["value"]) == (2, "content", "P1")
    assert "past receipt" in error["reason"]
    assert [stored("P1"), stored("P2")] == before and not Ticket.objects.filter(ticket_no="P3").exists()
    assert TicketEvent.objects.count() == events


def test_the_timeline_shows_what_the_upstream_changed(api_client_for, center_staff):
    client = api_client_for(center_staff)
    post(client)
    post(client, content="楼道灯坏了,已经一周", complainant_phone="13900009999", urgency="紧急")
    page = Client()
    page.force_login(center_staff)

    html = page.get("/tickets/U-1/").content.decode()

    assert 'data-kind="upstream_update"' in html
    assert "上游更新工单" in html and "上游改动" in html
    assert "楼道灯坏了 → 楼道灯坏了,已经一周" in html and "一般 → 紧急" in html
    assert "13800001234" not in html  # the old phone is nowhere, not even on the timeline

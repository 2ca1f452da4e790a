"""Return visits imported from the city's results move replied tickets on: double-yes -> closed,
otherwise -> visited (awaiting the center's decision). Same file twice changes nothing."""

import pytest
from django.core.management import call_command

from dispatch.models import TicketEvent
from intake.models import ImportBatch, Status, Ticket
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

CSV = (
    "工单编号,回访时间,纳入考评,响应,解决,满意\n"
    "{a},2025-03-10 10:00,是,是,是,是\n"
    "{b},2025-03-10 11:00,是,是,否,否\n"
    "{c},2025-03-10 12:00,是,是,是,是\n"
)


def test_imported_visits_advance_replied_tickets(tmp_path, handler_unit, center_staff):
    # given two replied tickets and one still in handling
    a = ticket_in(Status.REPLIED, lead_unit=handler_unit)
    b = ticket_in(Status.REPLIED, lead_unit=handler_unit)
    c = ticket_in(Status.HANDLING, lead_unit=handler_unit)
    path = tmp_path / "visits.csv"
    path.write_text(CSV.format(a=a.ticket_no, b=b.ticket_no, c=c.ticket_no), encoding="utf-8-sig")
    # when the file is imported
    call_command("import_visits", str(path), "--user", center_staff.username)
    # then the double-yes one is closed, the other waits as visited; the handling one keeps its state
    status = dict(Ticket.objects.values_list("ticket_no", "status"))
    assert status[a.ticket_no] == Status.CLOSED
    assert status[b.ticket_no] == Status.VISITED
    assert status[c.ticket_no] == Status.HANDLING
    events = TicketEvent.objects.filter(kind="record_return_visit").order_by("ticket_id")
    assert [(e.ticket_id, e.from_status, e.to_status, e.actor_id) for e in events] == [
        (a.pk, "replied", "closed", center_staff.pk),
        (b.pk, "replied", "visited", center_staff.pk),
    ]
    assert events[1].data["resolved"] is False and events[1].data["imported"] is True
    # and importing the same file again changes nothing
    call_command("import_visits", str(path))
    assert TicketEvent.objects.filter(kind="record_return_visit").count() == 2
    assert ImportBatch.objects.filter(kind=ImportBatch.Kind.VISITS).count() >= 1


def test_the_upload_api_advances_too(api_client_for, center_staff, handler_unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = ticket_in(Status.REPLIED, lead_unit=handler_unit)
    body = f"ticket_no,visited_at,counted,contacted,resolved,satisfied\n{a.ticket_no},2025-03-10 10:00,1,1,1,0\n"
    upload = SimpleUploadedFile("visits.csv", body.encode(), content_type="text/csv")
    response = api_client_for(center_staff).post("/api/v1/imports/visits/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    a.refresh_from_db()
    assert a.status == Status.VISITED and a.visit_satisfied is False

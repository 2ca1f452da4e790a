"""The intake API: who may write, one ticket as JSON, and CSV uploads refused by size."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from intake.models import ImportBatch, ReturnVisit, Ticket
from tests.conftest import PASSWORD

from .helpers import ZH_TICKET_HEADER, ZH_VISIT_HEADER, zh_ticket

pytestmark = pytest.mark.django_db

TICKETS_URL = "/api/v1/tickets/"
IMPORT_TICKETS_URL = "/api/v1/imports/tickets/"
IMPORT_VISITS_URL = "/api/v1/imports/visits/"

ONE_TICKET = {
    "ticket_no": "API-1",
    "source": "city",
    "received_at": "2024-05-06T08:30:00+08:00",
    "kind": "complaint",
    "category": "噪音扰民",
    "content": "<b>早市</b>叫卖声音很大",
    "complainant_name": "李先生",
    "complainant_phone": "13912345678",
    "community": "南路社区",
}


def csv_upload(lines, name="t.csv", encoding="gb18030"):
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding), content_type="text/csv")


def test_center_staff_receives_a_ticket_then_the_same_number_is_never_doubled(api_client_for, center_staff):
    client = api_client_for(center_staff)

    created = client.post(TICKETS_URL, ONE_TICKET, format="json")
    same = client.post(TICKETS_URL, ONE_TICKET, format="json")
    changed = client.post(TICKETS_URL, {**ONE_TICKET, "urgency": "紧急"}, format="json")

    assert created.status_code == 201 and created.json()["outcome"] == "created"
    assert same.status_code == 200 and same.json()["outcome"] == "unchanged"
    assert changed.status_code == 200 and changed.json()["outcome"] == "updated"
    ticket = Ticket.objects.get()
    assert ticket.urgency == "urgent" and ticket.content == "<b>早市</b>叫卖声音很大"
    assert ticket.community.name == "南路社区" and ticket.category.name == "噪音扰民"


def test_the_platform_writes_with_its_token(platform_client):
    client = APIClient()
    key = client.post("/api/v1/auth/token/", {"username": "platform", "password": PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(TICKETS_URL, {**ONE_TICKET, "工单编号": "API-2", "ticket_no": None}, format="json")
    assert response.status_code == 400  # the same field twice (English and Chinese) is not allowed silently

    response = client.post(TICKETS_URL, {**ONE_TICKET, "ticket_no": "API-2"}, format="json")
    assert response.status_code == 201
    assert Ticket.objects.get(ticket_no="API-2").import_batch.imported_by == platform_client


@pytest.mark.parametrize("persona", ["unit_handler", "inspector", "section_leader", "principal_leader"])
def test_everyone_else_is_refused_with_403(request, api_client_for, persona):
    client = api_client_for(request.getfixturevalue(persona))

    response = client.post(TICKETS_URL, ONE_TICKET, format="json")
    upload = client.post(IMPORT_TICKETS_URL, {"file": csv_upload([ZH_TICKET_HEADER, zh_ticket("F1")])})

    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert upload.status_code == 403
    assert Ticket.objects.count() == 0


def test_anonymous_gets_401(api_client_for):
    response = api_client_for(None).post(TICKETS_URL, ONE_TICKET, format="json")
    assert response.status_code == 401
    assert Ticket.objects.count() == 0


def test_a_bad_json_ticket_lists_every_bad_field(api_client_for, center_staff):
    body = {**ONE_TICKET, "source": "province", "community": "火星社区", "colour": "red"}
    del body["content"]

    response = api_client_for(center_staff).post(TICKETS_URL, body, format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert {(e["column"], e["value"]) for e in data["errors"]} == {
        ("colour", "red"),
        ("content", ""),
        ("source", "province"),
        ("community", "火星社区"),
    }
    assert Ticket.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_csv_uploads_import_tickets_then_visits(api_client_for, center_staff):
    client = api_client_for(center_staff)

    tickets = client.post(IMPORT_TICKETS_URL, {"file": csv_upload([ZH_TICKET_HEADER, zh_ticket("F1")])})
    visits = client.post(
        IMPORT_VISITS_URL,
        {"file": csv_upload([ZH_VISIT_HEADER, "F1,2024-05-09 10:00,是,是,是,否"], "v.csv", "utf-8-sig")},
    )

    assert tickets.status_code == 201
    assert tickets.json() | {"batch": 0} == {
        "batch": 0,
        "kind": "tickets",
        "file_name": "t.csv",
        "encoding": "gb18030",
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "ignored_columns": [],
    }
    assert visits.status_code == 201 and visits.json()["tickets_with_new_latest_visit"] == 1
    assert Ticket.objects.get().visit_satisfied is False


def test_a_bad_upload_gets_the_same_error_report_as_the_command(api_client_for, center_staff):
    lines = [ZH_TICKET_HEADER, zh_ticket("F1"), zh_ticket("F1", when="2024-13-01 00:00")]

    response = api_client_for(center_staff).post(IMPORT_TICKETS_URL, {"file": csv_upload(lines)})

    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "received_at"), (3, "ticket_no")]
    assert Ticket.objects.count() == 0


def test_an_upload_without_a_file_field_is_explained(api_client_for, center_staff):
    response = api_client_for(center_staff).post(IMPORT_TICKETS_URL, {"other": "x"})
    assert response.status_code == 400 and "file" in response.json()["detail"]


@override_settings(IMPORT_UPLOAD_MAX_BYTES=200)
def test_an_upload_over_the_size_limit_is_refused_by_size(api_client_for, center_staff):
    lines = [ZH_TICKET_HEADER] + [zh_ticket(f"S{i}") for i in range(5)]

    response = api_client_for(center_staff).post(IMPORT_TICKETS_URL, {"file": csv_upload(lines)})

    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "200 bytes" in response.json()["detail"]
    assert Ticket.objects.count() == 0


@override_settings(IMPORT_UPLOAD_MAX_BYTES=1000)
def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_parsed(api_client_for, center_staff):
    lines = [ZH_VISIT_HEADER] + [f"X{i},2024-05-09 10:00,是,是,是,否" for i in range(4000)]  # ~120 KB

    response = api_client_for(center_staff).post(IMPORT_VISITS_URL, {"file": csv_upload(lines)})

    assert response.status_code == 413
    assert ReturnVisit.objects.count() == 0


def test_a_json_body_that_is_not_an_object_is_refused(api_client_for, center_staff):
    response = api_client_for(center_staff).post(TICKETS_URL, [ONE_TICKET], format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert Ticket.objects.count() == 0


def test_chinese_field_names_are_accepted_in_json(api_client_for, center_staff):
    body = {
        "工单编号": "ZH-1",
        "来源": "区级转派",
        "受理时间": "2024-05-06 08:30",
        "诉求类型": "建议",
        "诉求内容": "建议增设座椅",
    }
    response = api_client_for(center_staff).post(TICKETS_URL, body, format="json")
    assert response.status_code == 201
    assert Ticket.objects.get(ticket_no="ZH-1").source == "district"

"""A category name the upstream sends that we do not know is not silently made ours: the import
creates it unconfirmed and the center's page lists it, to confirm or to map to an existing category
(the tickets move; the new name goes). Both import paths (JSON one by one, CSV in bulk) do this."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dispatch.upstream import import_tickets_and_record
from intake.models import Category, Ticket
from tests.factories import make_ticket
from tests.intake.helpers import ZH_TICKET_HEADER, write_csv, zh_ticket

pytestmark = pytest.mark.django_db


def _receive(api_client_for, platform_client, number: str, category: str):
    body = {
        "ticket_no": number,
        "source": "city",
        "received_at": "2026-03-02T09:00:00+08:00",
        "kind": "complaint",
        "category": category,
        "content": "菜市场拆了以后附近买菜很不方便",
    }
    answer = api_client_for(platform_client).post("/api/v1/tickets/", body, format="json")
    assert answer.status_code in (200, 201), answer.json()


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_unknown_category_waits_for_the_center_who_confirms_it(api_client_for, platform_client, center_staff):
    known = Category.objects.create(name="市容环境")
    _receive(api_client_for, platform_client, "N0001", "买菜难")
    _receive(api_client_for, platform_client, "N0002", "买菜难")
    _receive(api_client_for, platform_client, "N0003", "市容环境")

    new = Category.objects.get(name="买菜难")
    assert not new.confirmed and Category.objects.get(pk=known.pk).confirmed
    html = _page(center_staff).get("/categories/new/").content.decode()
    rows = html.split('data-testid="new-categories"')[1]
    assert (
        rows.count('data-testid="new-category"') == 1
        and "买菜难" in rows
        and "市容环境" not in rows.split("<select")[0]
    )

    assert _page(center_staff).post(f"/categories/{new.pk}/confirm/").status_code == 302
    assert Category.objects.get(pk=new.pk).confirmed
    assert 'data-testid="no-new-categories"' in _page(center_staff).get("/categories/new/").content.decode()
    # confirming twice is refused with a message, nothing changes
    again = _page(center_staff).post(f"/categories/{new.pk}/confirm/", follow=True).content.decode()
    assert "不再等待确认" in again and Category.objects.get(pk=new.pk).confirmed


def test_a_new_category_is_mapped_to_an_existing_one_and_its_tickets_follow(
    api_client_for, platform_client, center_staff
):
    known = Category.objects.create(name="市容环境")
    _receive(api_client_for, platform_client, "N0011", "环境卫生")
    _receive(api_client_for, platform_client, "N0012", "环境卫生")
    new = Category.objects.get(name="环境卫生")
    other_new = Category.objects.create(name="另一个新分类", confirmed=False)
    client = _page(center_staff)

    # only a confirmed category may be the target: nothing changes otherwise
    client.post(f"/categories/{new.pk}/map/", {"into": other_new.pk})
    assert Ticket.objects.filter(category=new).count() == 2

    assert client.post(f"/categories/{new.pk}/map/", {"into": known.pk}).status_code == 302
    assert not Category.objects.filter(pk=new.pk).exists()
    assert set(Ticket.objects.values_list("ticket_no", "category__name")) == {
        ("N0011", "市容环境"),
        ("N0012", "市容环境"),
    }


def test_the_bulk_csv_import_creates_unknown_categories_unconfirmed(tmp_path, center_staff):
    Category.objects.create(name="物业管理")
    rows = [ZH_TICKET_HEADER, zh_ticket("C1"), zh_ticket("C2", category="共享单车乱停放")]

    import_tickets_and_record(write_csv(tmp_path / "a.csv", rows), actor=center_staff)

    assert dict(Category.objects.values_list("name", "confirmed")) == {"物业管理": True, "共享单车乱停放": False}
    assert "共享单车乱停放" in _page(center_staff).get("/categories/new/").content.decode()
    # a category made by hand (or by the demo) is the street's own
    assert Category.objects.create(name="手工分类").confirmed
    assert make_ticket(category=Category.objects.get(name="手工分类")).category.confirmed


def test_a_mapped_name_is_remembered_by_the_next_imports(tmp_path, api_client_for, platform_client, center_staff):
    known = Category.objects.create(name="物业管理")
    _receive(api_client_for, platform_client, "M0001", "物业服务")
    new = Category.objects.get(name="物业服务")
    assert _page(center_staff).post(f"/categories/{new.pk}/map/", {"into": known.pk}).status_code == 302

    # the same upstream name again, through the JSON intake and through a CSV file
    _receive(api_client_for, platform_client, "M0002", "物业服务")
    rows = [ZH_TICKET_HEADER, zh_ticket("M0003", category="物业服务")]
    import_tickets_and_record(write_csv(tmp_path / "b.csv", rows), actor=center_staff)

    assert set(Ticket.objects.values_list("ticket_no", "category__name")) == {
        ("M0001", "物业管理"),
        ("M0002", "物业管理"),
        ("M0003", "物业管理"),
    }
    assert not Category.objects.filter(name="物业服务").exists()
    assert 'data-testid="no-new-categories"' in _page(center_staff).get("/categories/new/").content.decode()


def test_the_page_reads_the_street_categories_once_for_all_its_rows(center_staff):
    Category.objects.create(name="市容环境")  # confirmed: a choice of every row's select
    client = _page(center_staff)

    def queries() -> tuple[int, str]:
        client.get("/categories/new/")  # warm
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/categories/new/").content.decode()
        return len(captured), html

    for i in range(2):
        Category.objects.create(name=f"新分类{i}", confirmed=False)
    few, _html = queries()
    for i in range(2, 12):
        Category.objects.create(name=f"新分类{i}", confirmed=False)
    many, html = queries()
    assert many == few
    assert html.count('data-testid="new-category"') == 12 and html.count(">市容环境</option>") == 12

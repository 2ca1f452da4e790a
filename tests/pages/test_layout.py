"""Every page says who is signed in (name, role, unit) and their unread notifications, in Chinese by
default and in English on request; each role lands on its own work."""

import pytest

from dispatch.models import Notification


@pytest.mark.parametrize(
    "persona,home",
    [
        ("center_staff", "/tickets/"),
        ("unit_handler", "/inbox/"),
        ("section_leader", "/signoff/"),
        ("principal_leader", "/dashboard/"),
        ("inspector", "/reports/"),
    ],
)
def test_home_sends_each_role_to_its_work(request, client_for, persona, home):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    assert client_for(user).get(home).status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get("/tickets/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/tickets/")


def test_login_form_signs_in_and_logout_signs_out(client, unit_handler):
    page = client.get("/login/")
    assert "用户名" in page.content.decode() and "密码" in page.content.decode()
    response = client.post("/login/", {"username": "handler", "password": "test-password-123"})
    assert response.status_code == 302
    assert client.get("/inbox/").status_code == 200
    client.post("/logout/")
    assert client.get("/inbox/").status_code == 302


def test_wrong_password_says_so_and_signs_nobody_in(client, unit_handler):
    response = client.post("/login/", {"username": "handler", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert client.get("/inbox/").status_code == 302


def test_header_shows_name_role_unit_and_unread_count(client_for, unit_handler):
    unit_handler.display_name = "王小明"
    unit_handler.save()
    Notification.objects.create(user=unit_handler, kind="dispatched", text="工单已派至南路社区")
    Notification.objects.create(user=unit_handler, kind="dispatched", text="旧消息", read_at="2025-01-01T00:00Z")
    html = client_for(unit_handler).get("/inbox/").content.decode()
    assert "王小明" in html
    assert "承办人" in html  # the role, in Chinese
    assert "南路社区" in html
    assert 'data-testid="unread">1<' in html


def test_english_is_selectable(client_for, center_staff):
    client = client_for(center_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/tickets/"})
    html = client.get("/tickets/").content.decode()
    assert "Complaint center workbench" in html
    assert "Center staff" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/tickets/"})
    assert "诉求中心工作台" in client.get("/tickets/").content.decode()


def test_notifications_page_marks_read(client_for, unit_handler):
    n = Notification.objects.create(user=unit_handler, kind="dispatched", text="请签收")
    client = client_for(unit_handler)
    assert "请签收" in client.get("/notifications/").content.decode()
    client.post("/notifications/", {"ids": [n.pk]})
    n.refresh_from_db()
    assert n.read_at is not None
    assert client.post("/notifications/", {"ids": ["x"]}).status_code == 400


def test_not_found_is_a_page_of_ours_in_chinese(client_for, unit_handler, settings):
    settings.DEBUG = False
    response = client_for(unit_handler).get("/tickets/NO-SUCH-TICKET/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "未找到" in html and "返回我的工作" in html
    assert 'data-testid="who"' in html  # the header still says who is signed in

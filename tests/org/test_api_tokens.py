"""API tokens expire, can be revoked by their holder and by an administrator, and are stored hashed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
TICKETS_URL = "/api/v1/tickets/"


def issue(username: str) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_refused(response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "已过期" in body["detail"] and "/api/v1/auth/token/" in body["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_is_issued_with_its_expiry_and_authenticates(center_staff):
    before = timezone.now()
    response = APIClient().post(TOKEN_URL, {"username": "center", "password": PASSWORD}, format="json")

    body = response.json()
    expires_at = parse_datetime(body["expires_at"])
    assert before + timedelta(hours=24) <= expires_at <= timezone.now() + timedelta(hours=24)
    assert client_with(body["token"]).get(TICKETS_URL).status_code == 200
    assert APIClient().get(TICKETS_URL).status_code == 401  # no token: refused


def test_the_lifetime_comes_from_the_settings(settings, center_staff):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=2)}
    key = issue("center")
    token = AuthToken.objects.get(user=center_staff)
    assert timedelta(hours=1, minutes=59) < token.expiry - token.created <= timedelta(hours=2)
    assert client_with(key).get(TICKETS_URL).status_code == 200


def test_an_expired_token_is_refused(center_staff):
    key = issue("center")
    # its lifetime has passed
    AuthToken.objects.filter(user=center_staff).update(expiry=timezone.now() - timedelta(seconds=1))

    assert_refused(client_with(key).get(TICKETS_URL))


def test_wrong_and_unreadable_keys_are_refused_alike(center_staff):
    issue("center")
    assert_refused(client_with("0" * 64).get(TICKETS_URL))
    assert_refused(client_with("not-hex-at-all").get(TICKETS_URL))


def test_the_holder_revokes_one_token_and_the_others_keep_working(center_staff, platform_client):
    first, second, platform = issue("center"), issue("center"), issue("platform")

    response = client_with(first).post(REVOKE_URL)

    assert response.status_code == 204
    assert_refused(client_with(first).get(TICKETS_URL))
    assert client_with(second).get(TICKETS_URL).status_code == 200
    assert client_with(platform).post("/api/v1/tickets/", {}, format="json").status_code == 400  # still signed in
    assert AuthToken.objects.filter(user=center_staff).count() == 1


def test_revoking_needs_a_token(api_client_for, center_staff):
    # a signed-in session has no token to revoke; an anonymous caller has nothing at all
    session = APIClient()
    session.force_login(center_staff)
    assert session.post(REVOKE_URL).status_code == 401
    assert api_client_for(center_staff).post(REVOKE_URL).status_code == 401
    assert APIClient().post(REVOKE_URL).status_code == 401
    assert_refused(client_with("0" * 64).post(REVOKE_URL))


def test_a_wrong_password_gets_no_token(center_staff):
    response = APIClient().post(TOKEN_URL, {"username": "center", "password": "wrong-password-x"}, format="json")
    missing = APIClient().post(TOKEN_URL, {"username": "center"}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert missing.status_code == 400 and "password" in missing.json()["errors"]
    assert not AuthToken.objects.exists()


def test_an_inactive_user_gets_no_token_and_loses_the_ones_it_had(center_staff):
    key = issue("center")
    center_staff.is_active = False
    center_staff.save()

    assert APIClient().post(TOKEN_URL, {"username": "center", "password": PASSWORD}).status_code == 400
    assert_refused(client_with(key).get(TICKETS_URL))


def test_only_a_digest_of_the_token_is_stored(center_staff):
    key = issue("center")
    token = AuthToken.objects.get()
    assert key not in (token.digest, token.token_key)
    assert len(token.digest) == 128


def test_an_administrator_revokes_a_token_in_the_admin(client, django_user_model, center_staff, platform_client):
    center_key, platform_key = issue("center"), issue("platform")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD))
    token = AuthToken.objects.get(user=center_staff)

    listing = client.get("/admin/org/apitoken/")
    response = client.post(f"/admin/org/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200 and listing.content.decode().count("field-expiry") == 2
    assert response.status_code == 302
    assert_refused(client_with(center_key).get(TICKETS_URL))
    assert client_with(platform_key).post("/api/v1/tickets/", {}, format="json").status_code == 400
    # tokens are issued by the endpoint only: the admin would see the key and choose its lifetime
    assert client.get("/admin/org/apitoken/add/").status_code == 403


def test_a_new_password_revokes_the_users_tokens_only(client, center_staff, unit_handler):
    center_key, handler_key = issue("center"), issue("handler")
    client.force_login(center_staff)

    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "river-bank-7310", "new_password2": "river-bank-7310"},
    )

    assert response.status_code == 302
    assert_refused(client_with(center_key).get(TICKETS_URL))
    assert client_with(handler_key).get(TICKETS_URL).status_code == 200


def test_the_schema_documents_the_token_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    obtain = schema["paths"]["/api/v1/auth/token/"]["post"]
    token = schema["components"]["schemas"]["Token"]
    assert {"token", "expires_at"} <= set(token["properties"])
    assert set(obtain["responses"]) >= {"200", "400", "429"}
    assert "post" in schema["paths"]["/api/v1/auth/token/revoke/"]

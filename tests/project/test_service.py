import json

import pytest
from django.core.management import call_command


def test_healthz_answers_with_the_database(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_openapi_schema_validates(tmp_path):
    out = tmp_path / "schema.json"
    # --validate checks the generated document against the OpenAPI 3 JSON schema
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    schema = json.loads(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]


def test_swagger_ui_is_served_from_our_static_files(client, db):
    response = client.get("/api/schema/swagger-ui/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "drf_spectacular_sidecar" in body or "/static/" in body
    assert "cdn." not in body and "unpkg" not in body and "jsdelivr" not in body

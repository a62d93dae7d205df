"""The API: authentication, pagination, the calendar endpoints, the audit log and the committed schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from rest_framework.test import APIClient

from core.audit.record import audit_record

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "docs" / "openapi.yaml"


def generated_schema() -> str:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


def test_the_committed_schema_matches_the_code():
    assert SNAPSHOT.read_text() == generated_schema(), (
        "API changed: review it, then run `python manage.py spectacular --file docs/openapi.yaml --validate`"
    )


def test_the_docs_page_loads_nothing_from_another_host(personas, client_for):
    response = client_for(personas.clerk_a).get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    links = re.findall(r'(?:src|href)=["\']([^"\']+)', html)
    assert links, "the page should load its scripts"
    assert all(not link.startswith(("http://", "https://", "//")) for link in links), links
    assert "/static/drf_spectacular_sidecar/" in html


def test_the_schema_is_served_to_signed_in_users(personas, api_for):
    response = api_for(personas.clerk_a).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/calendar/due/" in response.content


def test_token_authentication_works_with_a_token_issued_on_the_account_page(personas, client_for):
    browser = client_for(personas.clerk_a)
    browser.post("/account/token/")
    token = browser.get("/account/").context["new_token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "clerk_a"
    assert response.json()["role_labels"] == ["登记员"]
    browser.post("/account/token/revoke/")
    assert api.get("/api/v1/me/").status_code == 401


def test_a_wrong_token_is_refused(db):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert api.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    ("query", "due_on", "provisional"),
    [
        ("start=2023-10-01&days=60", "2023-11-30", False),
        ("start=2025-08-02&days=60", "2025-10-09", False),
        ("start=2025-08-02&days=60&roll_forward=false", "2025-10-01", False),
        ("start=2026-09-29&days=5&unit=working", "2026-10-12", False),
        ("start=2026-11-22&days=60", "2027-01-21", True),
    ],
)
def test_calendar_due_returns_the_engines_date(personas, api_for, query, due_on, provisional):
    response = api_for(personas.clerk_a).get(f"/api/v1/calendar/due/?{query}")
    assert response.status_code == 200
    body = response.json()
    assert body["due_on"] == due_on
    assert body["provisional"] is provisional


def test_calendar_due_names_the_bad_field(personas, api_for):
    response = api_for(personas.clerk_a).get("/api/v1/calendar/due/?start=2026-13-01&days=-2&unit=weeks")
    assert response.status_code == 400
    assert set(response.json()) == {"start", "days", "unit"}


def test_calendar_days_lists_one_years_exceptions(personas, api_for):
    response = api_for(personas.clerk_a).get("/api/v1/calendar/days/?year=2026")
    days = {row["date"]: row for row in response.json()}
    assert days["2026-10-10"] == {"date": "2026-10-10", "kind": "workday", "name": "国庆节"}
    assert days["2026-02-17"]["kind"] == "holiday"


def test_audit_api_is_for_the_audit_admin_only(personas, api_for):
    for name in ["clerk_a", "section_head", "system_admin", "security_admin"]:
        assert api_for(getattr(personas, name)).get("/api/v1/audit-events/").status_code == 403
    assert api_for(personas.audit_admin).get("/api/v1/audit-events/").status_code == 200


def test_page_size_is_capped_at_200(personas, api_for):
    with transaction.atomic():
        for index in range(230):
            audit_record(actor=personas.clerk_a, action="test.bulk", object_id=str(index))
    api = api_for(personas.audit_admin)
    default_page = api.get("/api/v1/audit-events/?action=test.bulk").json()
    assert default_page["count"] == 230
    assert len(default_page["results"]) == 50
    big_page = api.get("/api/v1/audit-events/?action=test.bulk&page_size=1000").json()
    assert len(big_page["results"]) == 200

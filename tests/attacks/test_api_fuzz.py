"""Property-based fuzzing of the REST API from its committed OpenAPI schema (docs/openapi.yaml) with schemathesis.

Every operation is called in-process through the WSGI application, inside the test's transaction on the real
database, with generated parameters and bodies, as a clerk and as a section head (token authentication). No answer
may be a server error or break the schema. Generation is derandomised, so every run makes the same cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from core.services.users import user_api_token_issue
from tests.support.accounts import Personas

SCHEMA = schemathesis.openapi.from_path(Path(settings.BASE_DIR) / "docs" / "openapi.yaml")
ROLES = ["clerk_a", "section_head"]
EXAMPLES = 12
CASES = {"count": 0}


@pytest.fixture(scope="module", autouse=True)
def cases_run() -> Iterator[None]:
    yield
    print(f"\nschemathesis: {CASES['count']} cases")


@pytest.fixture
def app() -> Iterator[object]:
    """The WSGI application, kept on the test's database connection as Django's test client keeps it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@SCHEMA.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_answer_outside_the_schema(case, role, personas: Personas, app):
    token = user_api_token_issue(actor=getattr(personas, role))
    case.headers = {**(case.headers or {}), "Authorization": f"Token {token.key}"}

    CASES["count"] += 1
    case.call_and_validate(app=app, checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["null,null/", "null,null/accept/", "abc/reveal/"])
def test_a_non_numeric_item_id_found_by_the_fuzzer_is_a_404(personas: Personas, api_for, path):
    api = api_for(personas.clerk_a)

    response = (
        api.get(f"/api/v1/petitions/{path}")
        if path.count("/") == 1
        else api.post(f"/api/v1/petitions/{path}")
    )

    assert response.status_code == 404

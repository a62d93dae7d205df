"""docker-compose.yml cannot start here; its structure is checked instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_all_production_services_are_defined(compose):
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(compose["services"])


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker", "beat"])
def test_every_long_running_service_has_a_health_check(compose, name):
    check = compose["services"][name]["healthcheck"]
    assert check["test"]
    assert check["interval"]


@pytest.mark.parametrize("name", ["web", "worker", "beat", "migrate"])
def test_app_services_use_production_settings_and_wait_for_healthy_dependencies(compose, name):
    service = compose["services"][name]
    env = service["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_start_after_migrations(compose, name):
    assert compose["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_web_runs_gunicorn_and_worker_and_beat_run_celery(compose):
    assert compose["services"]["web"]["command"][0] == "gunicorn"
    assert compose["services"]["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_data_lives_in_named_volumes(compose):
    assert {"pgdata", "redisdata", "media", "beat"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql" in compose["services"]["db"]["volumes"]
    assert any(v.startswith("redisdata:") for v in compose["services"]["redis"]["volumes"])


def test_database_is_initialised_with_utf8_character_classes(compose):
    assert "--locale=C.UTF-8" in compose["services"]["db"]["environment"]["POSTGRES_INITDB_ARGS"]


def test_secrets_are_required_from_the_environment_never_written_in(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    for variable in (
        "DJANGO_SECRET_KEY",
        "XF_LOOKUP_KEY",
        "XF_FIELD_KEYS",
        "POSTGRES_PASSWORD",
        "DJANGO_ALLOWED_HOSTS",
    ):
        assert re.search(r"\$\{" + variable + r":\?", text), variable
    env = compose["services"]["web"]["environment"]
    assert env["DJANGO_SECRET_KEY"].startswith("${")


def test_every_variable_the_compose_file_reads_is_documented_in_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    missing = used - documented
    assert not missing, f"document in .env.example: {sorted(missing)}"


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_the_application_runs_as_the_role_that_cannot_change_audit_rows(compose, name):
    assert compose["services"][name]["environment"]["DATABASE_URL"].startswith("postgres://xinfang_app:")


def test_migrate_runs_as_the_owner_and_then_grants_the_application_role(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://xinfang:")
    command = " ".join(migrate["command"])
    assert command.index("migrate --noinput") < command.index("db_grant_app_role xinfang_app")


def test_the_database_holds_its_working_set_in_memory_and_refills_it_after_a_restart(compose):
    arguments = compose["services"]["db"]["command"]
    settings = dict(arguments[index + 1].split("=", 1) for index, arg in enumerate(arguments) if arg == "-c")
    assert settings["shared_buffers"] == "${POSTGRES_SHARED_BUFFERS:-4GB}"
    assert "pg_prewarm" in settings["shared_preload_libraries"]

"""Fixture plugin for the test environment: reference data after flushes, cache, Celery, a pinned today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from accountability.models import DeadlineRule
from accountability.rules import rules_load
from accountability.services.ladder import ladder_defaults_load
from core.models import CalendarYear, Division
from core.services.calendar import calendar_seed_from_package
from ledger.deadline_rules import RULES as LEDGER_RULES
from petitions.models import Category
from petitions.seed_data import reference_data_load
from tests.celery_worker import WorkerProcess
from tests.support.helpers import travel_to


@pytest.fixture(scope="session")
def division_snapshot(django_db_setup: None, django_db_blocker: Any) -> None:
    """A copy of the migrated divisions in a table Django does not manage, so flushes leave it alone."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS test_division_snapshot AS SELECT * FROM core_division")


@pytest.fixture(scope="session")
def rule_snapshot(django_db_setup: None, django_db_blocker: Any) -> None:
    """Copies of the deadline rules and ladder rungs as migrate left them, taken before any flush reloads them from
    the declarations, for tests/accountability/test_rule_declarations.py to compare with the declarations."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS test_deadlinerule_snapshot AS SELECT * FROM accountability_deadlinerule"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS test_escalationstep_snapshot AS SELECT * FROM accountability_escalationstep"
        )


@pytest.fixture
def transactional_db(transactional_db: None, division_snapshot: None, rule_snapshot: None) -> None:
    """Transactional tests start from flushed tables; put the calendar, divisions, deadline rules and categories back."""
    if not CalendarYear.objects.exists():
        calendar_seed_from_package()
    if not Division.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_division SELECT * FROM test_division_snapshot")
    if not Category.objects.exists():
        reference_data_load(DeadlineRule, Category)
    if not DeadlineRule.objects.filter(kind__startswith="ledger.").exists():
        rules_load(DeadlineRule, LEDGER_RULES)
    ladder_defaults_load()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request: pytest.FixtureRequest) -> None:
    """Tests marked django_db(transaction=True) get the reference data back too, not only those asking for it."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")


@pytest.fixture(scope="session")
def _cache_server() -> Iterator[redis.Redis]:
    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _empty_cache(_cache_server: redis.Redis) -> None:
    """Every test starts without this test process's cache entries. The test database's ids start again in each
    run, so a dashboard counted by an earlier run (or test) for a unit of the same id would be served as fresh."""
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    stale = list(_cache_server.scan_iter(match=f"{prefix}:*", count=1000))
    if stale:
        _cache_server.delete(*stale)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, django_db_blocker: object) -> Iterator[WorkerProcess]:
    """A real worker process on the real broker, reading and writing the test database."""
    worker = WorkerProcess()
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def today(request: pytest.FixtureRequest) -> Iterator[date]:
    """Pin 'today' to the test module's TODAY, 10:00 in Beijing."""
    day = getattr(request.module, "TODAY", None)
    if not isinstance(day, date):
        pytest.fail(f"{request.module.__name__} asks for `today` but sets no TODAY date")
    with travel_to(day):
        yield day

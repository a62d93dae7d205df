"""The sweep has the statistics of the tables it writes taken again as they double, so cached plans follow them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

import pytest
from django.db import connection

from accountability.models import Deadline, DeadlineRule, Escalation, Notification
from accountability.services import sweep as sweep_module
from accountability.services.deadlines import Subject, deadline_open
from accountability.services.sweep import sweep, sweep_statistics_refresh
from core.choices import Role
from core.models import User
from tests.support.accounts import Personas, Tree
from tests.support.ladder import DUE, DUTY, OPENED

pytestmark = pytest.mark.django_db

ESCALATIONS = "accountability_escalation"
NOTIFICATIONS = "accountability_notification"


def known_empty() -> None:
    """Empty the sweep's tables and take their statistics: what the planner sees after go-live, a data import or a
    restore once VACUUM or ANALYZE has run (no pages, no rows). Undone with the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {ESCALATIONS}, {NOTIFICATIONS} CASCADE")
        cursor.execute(f"ANALYZE {ESCALATIONS}, {NOTIFICATIONS}")
    assert (planner_rows(ESCALATIONS), planner_rows(NOTIFICATIONS)) == (0, 0)


def planner_rows(table: str) -> float:
    """How many rows the planner believes the table has (its statistics)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


def pages(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::integer", [table]
        )
        return int(cursor.fetchone()[0])


@pytest.fixture
def clocks(ladder: DeadlineRule, tree: Tree, personas: Personas, make_user: Callable[..., User]):
    """Open `count` clocks of the test ladder in one department, with a handler and a section head to tell."""
    handler = make_user(tree.county_a_department, [Role.HANDLER], "stats_handler")
    make_user(tree.county_a_department, [Role.SECTION_HEAD], "stats_head")

    def open_clocks(count: int) -> list[Deadline]:
        return [
            deadline_open(
                subject=Subject("tests.thing", number),
                kind=DUTY,
                unit_id=tree.county_a_department.pk,
                responsible_id=handler.pk,
                starts_on=OPENED,
                actor=personas.clerk_a,
            )
            for number in range(1, count + 1)
        ]

    return open_clocks


@pytest.fixture
def grow(clocks: Callable[[int], list[Deadline]]) -> Callable[[int], int]:
    """Add rungs of one clock (one per made-up due date) until the escalation table has `wanted` pages; returns how
    many rungs it then holds."""
    deadline = clocks(1)[0]
    step = deadline.rule.steps.get(offset_days=1)
    added = 0

    def grow_to(wanted: int) -> int:
        nonlocal added
        while pages(ESCALATIONS) < wanted:
            Escalation.objects.bulk_create(
                Escalation(
                    deadline=deadline,
                    step=step,
                    due_on=DUE + timedelta(days=added + n),
                    reached_on=DUE,
                    unit_id=deadline.unit_id,
                )
                for n in range(20)
            )
            added += 20
        return Escalation.objects.count()

    return grow_to


@pytest.mark.parametrize("refresh_statistics", [True, False])
def test_a_sweep_into_tables_known_to_be_empty_leaves_the_planner_knowing_their_rows(
    clocks, monkeypatch, refresh_statistics
):
    monkeypatch.setattr(sweep_module, "STATISTICS_MIN_PAGES", 1)  # the test's tables stay within a few pages
    known_empty()
    clocks(6)

    run = sweep(today=DUE + timedelta(days=20), limit=2, refresh_statistics=refresh_statistics)

    assert run is not None
    assert run.batches == 4
    # Overdue, 督办 and 通报 of six clocks (no warning is written past the due date).
    assert Escalation.objects.count() == 18
    assert Notification.objects.count() > 0
    if refresh_statistics:
        # Taken again before the second batch, once the first had written a page of each table: the foreign-key
        # check's cached plan, made while the table was empty, is made again for a table that has rows.
        assert planner_rows(ESCALATIONS) > 0
        assert planner_rows(NOTIFICATIONS) > 0
    else:
        assert (planner_rows(ESCALATIONS), planner_rows(NOTIFICATIONS)) == (0, 0)


def test_statistics_are_taken_again_when_a_table_has_doubled_and_not_before(grow):
    known_empty()
    assert sweep_statistics_refresh(min_pages=1) == 0  # empty tables: nothing to take

    rows = grow(1)
    assert sweep_statistics_refresh(min_pages=1) == 1  # the escalations; the notifications are still empty
    assert planner_rows(ESCALATIONS) == rows
    assert planner_rows(NOTIFICATIONS) == 0
    assert sweep_statistics_refresh(min_pages=1) == 0  # no growth since: no second ANALYZE

    rows = grow(2)
    assert sweep_statistics_refresh(min_pages=1) == 1
    assert planner_rows(ESCALATIONS) == rows

    grow(3)  # half as much again is not yet twice
    assert sweep_statistics_refresh(min_pages=1) == 0
    assert planner_rows(ESCALATIONS) == rows

    rows = grow(4)
    assert sweep_statistics_refresh(min_pages=8) == 0  # twice the pages, but below the floor
    assert sweep_statistics_refresh(min_pages=1) == 1
    assert planner_rows(ESCALATIONS) == rows


def test_a_role_that_may_not_analyze_the_tables_refreshes_them_through_the_function(grow):
    known_empty()
    rows = grow(1)
    role = f"xf_test_sweep_{uuid4().hex[:8]}"  # dropped with the test's transaction
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")  # like the application's role: owns no table
        cursor.execute(f"SET ROLE {role}")
        try:
            cursor.execute(f"ANALYZE {ESCALATIONS}")  # skipped with a warning: only the owner may
            assert planner_rows(ESCALATIONS) == 0
            refreshed = sweep_statistics_refresh(min_pages=1)
        finally:
            cursor.execute("RESET ROLE")
    assert refreshed == 1
    assert planner_rows(ESCALATIONS) == rows

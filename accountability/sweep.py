"""The overdue sweep: set-based SQL that writes each reached ladder rung once, with its notifications, in batches."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accountability.choices import LadderStep
from accountability.models import SweepRun
from core.models import Unit

SWEEP_LOCK_KEY = 0x58465357  # "XFSW": the advisory lock that lets only one sweep run at a time

# One batch: the first open deadlines whose next rung has come; write the rungs reached (once per due date),
# tell the people each rung names, and move every deadline of the batch on to its next rung (or none).
BATCH_SQL = """
WITH batch AS (
    SELECT p.deadline_id AS id FROM accountability_ladderposition p
    WHERE p.next_step_on IS NOT NULL AND p.next_step_on <= %(today)s
    ORDER BY p.next_step_on, p.deadline_id
    LIMIT %(limit)s
    FOR UPDATE
),
reached AS (
    INSERT INTO accountability_escalation (deadline_id, step_id, due_on, reached_on, unit_id, created_at)
    SELECT d.id, s.id, d.due_on, %(today)s, d.unit_id, now()
    FROM batch
    JOIN accountability_deadline d ON d.id = batch.id
    JOIN accountability_escalationstep s ON s.kind = d.kind AND s.is_active
    WHERE d.due_on + s.offset_days <= %(today)s AND (s.offset_days > 0 OR %(today)s <= d.due_on)
    ON CONFLICT (deadline_id, step_id, due_on) DO NOTHING
    RETURNING id, deadline_id, step_id
),
advanced AS (
    UPDATE accountability_ladderposition p
    SET next_step_on = (
        SELECT min(d.due_on + s.offset_days)
        FROM accountability_deadline d
        JOIN accountability_escalationstep s ON s.kind = d.kind AND s.is_active
        WHERE d.id = p.deadline_id AND d.due_on + s.offset_days > %(today)s
    )
    FROM batch WHERE p.deadline_id = batch.id
    RETURNING p.deadline_id
),
told AS (
    SELECT r.id AS escalation_id, d.responsible_id AS user_id
    FROM reached r JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    WHERE 'handler' = ANY(s.notify) AND d.responsible_id IS NOT NULL
    UNION
    SELECT r.id, u.id
    FROM reached r JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    JOIN core_user u ON u.unit_id = d.unit_id AND 'handler' = ANY(u.roles)
    WHERE 'handler' = ANY(s.notify) AND d.responsible_id IS NULL
    UNION
    SELECT r.id, u.id
    FROM reached r JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    JOIN core_user u ON u.unit_id = d.unit_id AND 'section_head' = ANY(u.roles)
    WHERE 'section_head' = ANY(s.notify)
    UNION
    SELECT r.id, u.id
    FROM reached r JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    JOIN core_user u ON u.unit_id = d.unit_id AND 'leader' = ANY(u.roles)
    WHERE 'unit_leader' = ANY(s.notify)
    UNION
    SELECT r.id, d.overseer_id
    FROM reached r JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    WHERE 'case_owner' = ANY(s.notify) AND d.overseer_id IS NOT NULL
    UNION
    SELECT r.id, u.id
    FROM reached r JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    JOIN core_unit du ON du.id = d.unit_id
    CROSS JOIN LATERAL generate_series(1, du.depth) AS ancestor(depth)
    JOIN core_unit au ON au.path = substr(du.path, 1, ancestor.depth * %(steplen)s)
    JOIN core_user u ON u.unit_id = au.id AND 'supervisor' = ANY(u.roles)
    WHERE 'supervisors' = ANY(s.notify)
),
notified AS (
    INSERT INTO accountability_notification
        (key, recipient_id, escalation_id, title, body, url, created_at, email_state)
    SELECT
        'escalation:' || t.escalation_id || ':' || u.id,
        u.id,
        t.escalation_id,
        '【' || (%(labels)s::jsonb ->> s.step) || '】' || rule.label || '（到期日 '
            || to_char(d.due_on, 'YYYY-MM-DD') || '）',
        '责任单位：' || unit.name || '。' || CASE
            WHEN d.due_on >= %(today)s THEN '距到期还有 ' || (d.due_on - %(today)s) || ' 日。'
            ELSE '已超期 ' || (%(today)s - d.due_on) || ' 日。' END,
        '/accountability/escalations/' || t.escalation_id || '/',
        now(),
        CASE WHEN u.email <> '' THEN 'pending' ELSE 'none' END
    FROM told t
    JOIN core_user u ON u.id = t.user_id AND u.is_active
    JOIN reached r ON r.id = t.escalation_id
    JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    JOIN accountability_deadlinerule rule ON rule.kind = d.kind
    JOIN core_unit unit ON unit.id = d.unit_id
    ON CONFLICT (key) DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM advanced), (SELECT count(*) FROM reached), (SELECT count(*) FROM notified)
"""


@dataclass(frozen=True)
class BatchResult:
    """What one batch did and how long its transaction took."""

    deadlines: int
    escalations: int
    notifications: int
    milliseconds: int


def batch_params(*, today: date, limit: int) -> dict[str, Any]:
    """The parameters of BATCH_SQL: the business date, the batch size, rung names and the unit tree's step length."""
    labels = json.dumps({value: str(label) for value, label in LadderStep.choices}, ensure_ascii=False)
    return {"today": today, "limit": limit, "labels": labels, "steplen": Unit.steplen}


def sweep_batch(*, today: date, limit: int) -> BatchResult:
    """Run one batch in its own transaction."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BATCH_SQL, batch_params(today=today, limit=limit))
        deadlines, escalations, notifications = cursor.fetchone()
    return BatchResult(deadlines, escalations, notifications, round((time.perf_counter() - started) * 1000))


@contextmanager
def sweep_lock() -> Iterator[bool]:
    """Hold the session-level advisory lock of the sweep, yielding False at once when another session holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK_KEY])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])


def sweep(*, today: date | None = None, limit: int | None = None) -> SweepRun | None:
    """Escalate every open deadline that reached a rung it does not have; None when another sweep is running."""
    with sweep_lock() as held:
        return sweep_locked(today=today, limit=limit) if held else None


def sweep_locked(*, today: date | None = None, limit: int | None = None) -> SweepRun:
    """The sweep itself; the caller holds `sweep_lock`."""
    today = today or timezone.localdate()
    limit = limit or settings.XF_SWEEP_BATCH
    run = SweepRun.objects.create(business_date=today)
    started = time.perf_counter()
    while True:
        batch = sweep_batch(today=today, limit=limit)
        run.batches += 1
        run.deadlines_seen += batch.deadlines
        run.escalations_created += batch.escalations
        run.notifications_created += batch.notifications
        run.longest_batch_ms = max(run.longest_batch_ms, batch.milliseconds)
        if batch.deadlines < limit:
            break
    run.finished_at = timezone.now()
    run.duration_ms = round((time.perf_counter() - started) * 1000)
    run.save()
    return run

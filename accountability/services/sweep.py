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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import DIGESTED_STEPS, LadderStep, NotificationKind
from accountability.models import SweepRun
from core.models import Unit

SWEEP_LOCK_KEY = 0x58465357  # "XFSW": the advisory lock that lets only one sweep run at a time

# Each notification a batch writes is checked against its escalation by the foreign key's own query, which a session
# plans once and then keeps (a generic plan) until something invalidates it, such as new statistics of the
# escalation table. When those say the table is empty (the first catch-up after go-live, a data import or a restore
# that VACUUM followed) and the first commit leaves only a few hundred rungs in it, the plan is a sequential scan;
# with autovacuum off or behind nothing replaces it, and every check reads the whole growing table (101,160 overdue
# clocks at batch 100: 715 s, or unfinished after 20 minutes, where a clean run takes 55-85 s; docs/benchmarks.md).
# So before each batch the sweep has a table's statistics taken again once it has twice the pages it had when they
# were last taken (and at least STATISTICS_MIN_PAGES): that invalidates the cached plans, which are then made for
# the table's real size. It costs one sampled ANALYZE per doubling (15 to 18 in that catch-up, the largest 0.3 s)
# and none on an ordinary day. Measured and not chosen: planning every check anew (plan_cache_mode =
# force_custom_plan), 1.4-1.8 times a clean run; dropping the foreign key, which would give up the database's
# guarantee for about 3 %, within the noise.
STATISTICS_MIN_PAGES = 16

# One batch: the first open deadlines whose next rung has come; write the rungs reached (once per due date),
# tell the people each rung names, and move every deadline of the batch on to its next rung (or none).
# 预警 and 超期 rungs (DIGESTED_STEPS) do not each make an inbox row: each is an entry of the person's digest of the
# day (one row per person per day, upserted so it grows and its count rises), which alone is shown, counted and
# e-mailed; 督办, 通报 and 约谈 stay one immediate row each. Entries keep the ledger of who was told of which rung.
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
digests AS (
    INSERT INTO accountability_notification
        (key, recipient_id, kind, count, title, body, url, created_at, email_state)
    SELECT
        'digest:' || to_char(%(today)s::date, 'YYYY-MM-DD') || ':' || u.id,
        u.id,
        %(digest_kind)s,
        count(*),
        %(digest_title)s || to_char(%(today)s::date, 'YYYY-MM-DD'),
        '',
        %(digest_url)s,
        now(),
        CASE WHEN u.email <> '' THEN 'pending' ELSE 'none' END
    FROM told t
    JOIN core_user u ON u.id = t.user_id AND u.is_active
    JOIN reached r ON r.id = t.escalation_id
    JOIN accountability_escalationstep s ON s.id = r.step_id
    WHERE s.step = ANY(%(digested)s)
    GROUP BY u.id, u.email
    ON CONFLICT (key) DO UPDATE
    SET count = accountability_notification.count + EXCLUDED.count, read_at = NULL, created_at = EXCLUDED.created_at
    RETURNING id, recipient_id
),
notified AS (
    INSERT INTO accountability_notification
        (key, recipient_id, escalation_id, digest_id, kind, title, body, url, due_on, created_at, email_state)
    SELECT
        'escalation:' || t.escalation_id || ':' || u.id,
        u.id,
        t.escalation_id,
        dg.id,
        CASE WHEN dg.id IS NULL THEN %(immediate_kind)s ELSE %(digest_kind)s END,
        '【' || (%(labels)s::jsonb ->> s.step) || '】' || rule.label || '（到期日 '
            || to_char(d.due_on, 'YYYY-MM-DD') || '）',
        '责任单位：' || unit.name || '。' || CASE
            WHEN d.due_on >= %(today)s THEN '距到期还有 ' || (d.due_on - %(today)s) || ' 日。'
            ELSE '已超期 ' || (%(today)s - d.due_on) || ' 日。' END,
        '/accountability/escalations/' || t.escalation_id || '/',
        d.due_on,
        now(),
        CASE WHEN dg.id IS NULL AND u.email <> '' THEN 'pending' ELSE 'none' END
    FROM told t
    JOIN core_user u ON u.id = t.user_id AND u.is_active
    JOIN reached r ON r.id = t.escalation_id
    JOIN accountability_escalationstep s ON s.id = r.step_id
    JOIN accountability_deadline d ON d.id = r.deadline_id
    JOIN accountability_deadlinerule rule ON rule.kind = d.kind
    JOIN core_unit unit ON unit.id = d.unit_id
    LEFT JOIN digests dg ON dg.recipient_id = u.id AND s.step = ANY(%(digested)s)
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
    """The parameters of BATCH_SQL: the business date, the batch size, rung names, the unit tree's step length and
    what the day's digest is called."""
    labels = json.dumps({value: str(label) for value, label in LadderStep.choices}, ensure_ascii=False)
    return {
        "today": today,
        "limit": limit,
        "labels": labels,
        "steplen": Unit.steplen,
        "digested": list(DIGESTED_STEPS),
        "digest_kind": NotificationKind.DEADLINE,
        "immediate_kind": NotificationKind.SUPERVISION,
        "digest_title": str(_("【预警与超期】每日汇总 ")),
        "digest_url": f"{reverse('accountability:inbox')}?kind={NotificationKind.DEADLINE}",
    }


def sweep_batch(*, today: date, limit: int) -> BatchResult:
    """Run one batch in its own transaction."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BATCH_SQL, batch_params(today=today, limit=limit))
        deadlines, escalations, notifications = cursor.fetchone()
    return BatchResult(deadlines, escalations, notifications, round((time.perf_counter() - started) * 1000))


def sweep_statistics_refresh(*, min_pages: int | None = None) -> int:
    """Refresh the statistics of the escalation and notification tables where a table has doubled in pages since
    they were taken (and has at least `min_pages`, by default STATISTICS_MIN_PAGES); returns how many tables were
    refreshed.

    Through a database function that runs with the tables' owner's rights: the application's role may not ANALYZE.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT accountability_sweep_statistics_refresh(%s)",
            [STATISTICS_MIN_PAGES if min_pages is None else min_pages],
        )
        return int(cursor.fetchone()[0])


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


def sweep(
    *, today: date | None = None, limit: int | None = None, refresh_statistics: bool = True
) -> SweepRun | None:
    """Escalate every open deadline that reached a rung it does not have; None when another sweep is running."""
    with sweep_lock() as held:
        return sweep_locked(today=today, limit=limit, refresh_statistics=refresh_statistics) if held else None


def sweep_locked(
    *, today: date | None = None, limit: int | None = None, refresh_statistics: bool = True
) -> SweepRun:
    """The sweep itself; the caller holds `sweep_lock`. `refresh_statistics=False` only to measure the sweep without
    `sweep_statistics_refresh` (the catch-up benchmark)."""
    today = today or timezone.localdate()
    limit = limit or settings.XF_SWEEP_BATCH
    run = SweepRun.objects.create(business_date=today)
    started = time.perf_counter()
    while True:
        if refresh_statistics:
            sweep_statistics_refresh()
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

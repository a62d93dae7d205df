"""The escalation ladder's configuration: default rungs for every obligation, and re-arming after a change."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from accountability.choices import LadderStep, Recipient
from accountability.models import DeadlineRule, EscalationStep
from core.audit import audit_record
from core.choices import DayUnit
from core.models import User

SUPERVISION_REPLY = "accountability.supervision_reply"

# (step, days after the due date, who is told, creates a 督办单); the warning's offset comes from the rule.
DEFAULT_LADDER: list[tuple[str, int | None, list[str], bool]] = [
    (LadderStep.WARNING, None, [Recipient.HANDLER], False),
    (LadderStep.OVERDUE, 1, [Recipient.HANDLER, Recipient.SECTION_HEAD], False),
    (
        LadderStep.SUPERVISION,
        5,
        [Recipient.SECTION_HEAD, Recipient.UNIT_LEADER, Recipient.CASE_OWNER, Recipient.SUPERVISORS],
        True,
    ),
    (LadderStep.CIRCULAR, 15, [Recipient.UNIT_LEADER, Recipient.CASE_OWNER, Recipient.SUPERVISORS], False),
    (LadderStep.SUMMONS, 30, [Recipient.UNIT_LEADER, Recipient.CASE_OWNER, Recipient.SUPERVISORS], False),
]

REARM_BATCH = 20_000


def ladder_defaults_load(rule_model: Any = DeadlineRule, step_model: Any = EscalationStep) -> int:
    """Create the 督办 reply rule and the default ladder of every obligation kind that has none; returns rungs made."""
    rule_model.objects.get_or_create(
        kind=SUPERVISION_REPLY,
        defaults={
            "label": "督办答复",
            "days": 10,
            "day_unit": DayUnit.WORKING,
            "roll_forward": True,
            "is_obligation": True,
            "warn_days_before": 2,
            "article": "《信访工作条例》第四十条",
        },
    )
    made = 0
    for rule in rule_model.objects.filter(is_obligation=True, steps__isnull=True):
        made_for_rule = True
        for step, offset, notify, opens_supervision in DEFAULT_LADDER:
            if step == LadderStep.SUPERVISION and rule.kind == SUPERVISION_REPLY:
                continue  # an unanswered 督办 goes to 通报 and 约谈, not to another 督办
            step_model.objects.create(
                rule=rule,
                step=step,
                offset_days=-rule.warn_days_before if offset is None else offset,
                notify=notify,
                opens_supervision=opens_supervision,
            )
            made += 1
        if made_for_rule and rule_model is DeadlineRule:
            ladder_rearm(kind=rule.kind, actor=None)  # deadlines opened before this kind had a ladder
    return made


def ladder_rearm(*, kind: str, actor: User | None) -> int:
    """After a kind's rungs change, let the sweep look again at every open deadline of that kind, in batches."""
    total, last_id = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                WITH batch AS (
                    SELECT id FROM accountability_deadline
                    WHERE kind = %(kind)s AND status = 'open' AND paused_since IS NULL AND id > %(after)s
                    ORDER BY id LIMIT %(limit)s
                )
                UPDATE accountability_deadline d
                SET next_step_on = d.due_on + (
                    SELECT min(s.offset_days) FROM accountability_escalationstep s
                    WHERE s.kind = d.kind AND s.is_active
                )
                FROM batch WHERE d.id = batch.id
                RETURNING d.id
                """,
                {"kind": kind, "after": last_id, "limit": REARM_BATCH},
            )
            ids = [row[0] for row in cursor.fetchall()]
            if ids:
                audit_record(
                    actor=actor,
                    action="accountability.ladder.rearmed",
                    object_type="accountability.deadlinerule",
                    object_id=kind,
                    object_repr=kind,
                    detail={"deadlines": len(ids), "from_id": last_id + 1, "to_id": max(ids)},
                )
        total += len(ids)
        if len(ids) < REARM_BATCH:
            return total
        last_id = max(ids)

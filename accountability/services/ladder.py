"""The escalation ladder's configuration: default rungs for every obligation, and re-arming after a change."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from accountability.choices import LadderStep
from accountability.deadline_rules import DEFAULT_LADDER, SUPERVISION_REPLY, SUPERVISION_REPLY_RULE
from accountability.models import DeadlineRule, EscalationStep
from accountability.rules import ladder_for
from core.audit.record import audit_record
from core.choices import Role
from core.errors import DomainError
from core.models import User
from core.versioning import lock_version

REARM_BATCH = 20_000


def ladder_defaults_load(rule_model: Any = DeadlineRule, step_model: Any = EscalationStep) -> int:
    """Create the 督办 reply rule and the default ladder of every obligation kind that has none; returns rungs made."""
    rule_model.objects.get_or_create(kind=SUPERVISION_REPLY, defaults=SUPERVISION_REPLY_RULE.row())
    made = 0
    for rule in rule_model.objects.filter(is_obligation=True, steps__isnull=True):
        made_for_rule = True
        for rung in ladder_for(rule, DEFAULT_LADDER):
            step_model.objects.create(
                rule=rule,
                step=rung.step,
                offset_days=rung.offset_days(rule),
                notify=list(rung.notify),
                opens_supervision=rung.opens_supervision,
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
                    SELECT id, kind, due_on FROM accountability_deadline
                    WHERE kind = %(kind)s AND status = 'open' AND paused_since IS NULL AND id > %(after)s
                    ORDER BY id LIMIT %(limit)s
                ),
                armed AS (
                    INSERT INTO accountability_ladderposition (deadline_id, next_step_on)
                    SELECT b.id, b.due_on + (
                        SELECT min(s.offset_days) FROM accountability_escalationstep s
                        WHERE s.kind = b.kind AND s.is_active
                    )
                    FROM batch b
                    ON CONFLICT (deadline_id) DO UPDATE SET next_step_on = EXCLUDED.next_step_on
                    RETURNING deadline_id
                )
                SELECT deadline_id FROM armed
                """,
                {"kind": kind, "after": last_id, "limit": REARM_BATCH},
            )
            ids = [row[0] for row in cursor.fetchall()]
            if ids:
                audit_record(
                    actor=actor,
                    action="accountability.services.ladder.rearmed",
                    object_type="accountability.deadlinerule",
                    object_id=kind,
                    object_repr=kind,
                    detail={"deadlines": len(ids), "from_id": last_id + 1, "to_id": max(ids)},
                )
        total += len(ids)
        if len(ids) < REARM_BATCH:
            return total
        last_id = max(ids)


def escalation_step_update(
    *,
    actor: User,
    step_id: int,
    offset_days: int,
    notify: list[str],
    opens_supervision: bool,
    is_active: bool,
    expected_version: int | None = None,
) -> EscalationStep:
    """Change one rung (system admin); open deadlines of its kind are re-armed so the sweep looks again."""
    if not actor.has_role(Role.SYSTEM_ADMIN):
        raise DomainError(_("只有系统管理员可以修改预警升级规则。"), code="forbidden")
    if not notify:
        raise DomainError(_("请至少选择一个通知对象。"), field="notify")
    if not -30 <= offset_days <= 365:
        raise DomainError(_("距到期日应在 -30 到 365 日之间。"), field="offset_days")
    with transaction.atomic():
        step = lock_version(
            EscalationStep.objects.all(),
            step_id,
            expected_version,
            _("该预警升级规则已被他人修改，请刷新页面后重试。"),
        )
        if step.step == LadderStep.WARNING and offset_days > 0:
            raise DomainError(_("预警应在到期日当天或之前。"), field="offset_days")
        if step.step != LadderStep.WARNING and offset_days < 1:
            raise DomainError(_("超期以后的各级应在到期日之后（至少 1 日）。"), field="offset_days")
        before = {
            "offset_days": step.offset_days,
            "notify": list(step.notify),
            "opens_supervision": step.opens_supervision,
            "is_active": step.is_active,
        }
        step.offset_days, step.notify = offset_days, list(notify)
        step.opens_supervision, step.is_active = opens_supervision, is_active
        step.version += 1
        step.save()
        audit_record(
            actor=actor,
            action="accountability.services.ladder.step_updated",
            target=step,
            changed_fields=[name for name, value in before.items() if getattr(step, name) != value],
            detail={"before": before},
        )
    ladder_rearm(kind=step.rule_id, actor=actor)
    return step

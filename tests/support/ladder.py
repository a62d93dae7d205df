"""Fixture plugin for supervision: a ten-day duty with an escalation ladder of its own."""

from __future__ import annotations

from datetime import date

import pytest

from accountability.choices import LadderStep, Recipient
from accountability.models import DeadlineRule, EscalationStep
from core.choices import DayUnit

DUTY = "test.duty"  # 10 calendar days
OPENED = date(2026, 3, 2)
DUE = date(2026, 3, 12)


@pytest.fixture
def ladder(db: None) -> DeadlineRule:
    rule, _ = DeadlineRule.objects.update_or_create(
        kind=DUTY,
        defaults={
            "label": "测试办理",
            "days": 10,
            "day_unit": DayUnit.CALENDAR,
            "roll_forward": False,
            "is_obligation": True,
            "max_extensions": 1,
            "max_extension_days": 30,
        },
    )
    rule.steps.all().delete()
    for step, offset, notify, opens in [
        (LadderStep.WARNING, -3, [Recipient.HANDLER], False),
        (LadderStep.OVERDUE, 1, [Recipient.HANDLER, Recipient.SECTION_HEAD], False),
        (LadderStep.SUPERVISION, 5, [Recipient.UNIT_LEADER, Recipient.SUPERVISORS], True),
        (LadderStep.CIRCULAR, 15, [Recipient.CASE_OWNER], False),
    ]:
        EscalationStep.objects.create(
            rule=rule, step=step, offset_days=offset, notify=notify, opens_supervision=opens
        )
    return rule

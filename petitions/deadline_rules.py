"""The statutory deadlines of the petition life cycle (《信访工作条例》), declared as RuleSpec."""

from __future__ import annotations

from accountability.rules import RuleSpec
from core.choices import DayUnit
from petitions.choices import (
    ACCEPTANCE_CLOCK,
    HANDLING,
    OBJECTION,
    RECHECK_CLOCK,
    RECHECK_WINDOW,
    REVIEW_CLOCK,
    REVIEW_WINDOW,
    ROUTING,
)

# Each rule here is a row of accountability_deadlinerule. Changing one changes nothing on a running database:
# add a migration that updates the row as well (docs/development/changing-a-rule.md); the test
# tests/accountability/test_rule_declarations.py fails while the two differ.
RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        kind=ROUTING,
        label="转送交办",
        days=15,
        day_unit=DayUnit.CALENDAR,
        starts="自收到信访事项之日起（退回异议后自退回之日起）",
        article="《信访工作条例》第二十二条",
        warn_days_before=3,
    ),
    RuleSpec(
        kind=ACCEPTANCE_CLOCK,
        label="受理告知",
        days=15,
        day_unit=DayUnit.CALENDAR,
        starts="自收到转送交办之日起",
        article="《信访工作条例》第二十三条",
        warn_days_before=3,
    ),
    RuleSpec(
        kind=OBJECTION,
        label="退回异议期",
        days=5,
        day_unit=DayUnit.WORKING,
        starts="自收到转送交办之日起",
        article="《信访工作条例》第二十三条",
        warn_days_before=1,
        is_obligation=False,
    ),
    RuleSpec(
        kind=HANDLING,
        label="办理答复",
        days=60,
        day_unit=DayUnit.CALENDAR,
        starts="自受理之日起",
        article="《信访工作条例》第三十四条",
        warn_days_before=10,
        max_extensions=1,
        max_extension_days=30,
    ),
    RuleSpec(
        kind=REVIEW_WINDOW,
        label="申请复查期",
        days=30,
        day_unit=DayUnit.CALENDAR,
        starts="自信访处理意见书送达之日起（未登记送达的，自推定送达日起）",
        article="《信访工作条例》第三十五条",
        warn_days_before=0,
        is_obligation=False,
    ),
    RuleSpec(
        kind=REVIEW_CLOCK,
        label="复查",
        days=30,
        day_unit=DayUnit.CALENDAR,
        starts="自收到复查请求之日起",
        article="《信访工作条例》第三十五条",
        warn_days_before=5,
    ),
    RuleSpec(
        kind=RECHECK_WINDOW,
        label="申请复核期",
        days=30,
        day_unit=DayUnit.CALENDAR,
        starts="自复查意见书送达之日起（未登记送达的，自推定送达日起）",
        article="《信访工作条例》第三十六条",
        warn_days_before=0,
        is_obligation=False,
    ),
    RuleSpec(
        kind=RECHECK_CLOCK,
        label="复核",
        days=30,
        day_unit=DayUnit.CALENDAR,
        starts="自收到复核请求之日起",
        article="《信访工作条例》第三十六条",
        warn_days_before=5,
    ),
)

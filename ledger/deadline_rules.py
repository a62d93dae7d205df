"""The ledger's clocks (化解时限, 排查报告, 敏感时期日报), declared as RuleSpec."""

from __future__ import annotations

from accountability.rules import RuleSpec
from core.choices import DayUnit
from ledger.choices import DAILY_REPORT, RESOLVE, SCREENING_REPORT

# Each rule here is a row of accountability_deadlinerule. Changing one changes nothing on a running database:
# add a migration that updates the row as well (docs/development/changing-a-rule.md); the test
# tests/accountability/test_rule_declarations.py fails while the two differ.
RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        kind=RESOLVE,
        label="化解时限",
        days=90,
        day_unit=DayUnit.CALENDAR,
        starts="自列入台账之日起（到期日由包案领导指定，不按本规则计算）",
        article="包案领导确定的化解时限（默认90日）",
        warn_days_before=7,
        roll_forward=False,
    ),
    RuleSpec(
        kind=SCREENING_REPORT,
        label="排查报告",
        days=2,
        day_unit=DayUnit.WORKING,
        starts="自排查周期首日（周一，或每月1日、16日）起",
        article="每周一排查、每周一通报、每周一反馈",
        warn_days_before=1,
    ),
    RuleSpec(
        kind=DAILY_REPORT,
        label="敏感时期日报",
        days=1,
        day_unit=DayUnit.CALENDAR,
        starts="自报告日前一日起（当日报送）",
        article="敏感时期每日报告（含零报告）",
        warn_days_before=0,
        roll_forward=False,
    ),
)

"""The deadline rules and the ladder declared in code equal the rows of a freshly migrated database, field by field."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from accountability.choices import LadderStep, Recipient
from accountability.deadline_rules import DEFAULT_LADDER, SUPERVISION_REPLY
from accountability.deadline_rules import RULES as ACCOUNTABILITY_RULES
from accountability.rules import ROW_FIELDS, RuleSpec, RungSpec, ladder_for
from core.choices import DayUnit
from ledger.deadline_rules import RULES as LEDGER_RULES
from petitions.choices import ACCEPTANCE_CLOCK, HANDLING, REVIEW_WINDOW
from petitions.deadline_rules import RULES as PETITION_RULES

# Every app's declarations; a rule a migration adds must be declared in its app's deadline_rules.py and listed here.
DECLARED = {"accountability": ACCOUNTABILITY_RULES, "petitions": PETITION_RULES, "ledger": LEDGER_RULES}
ALL_RULES = [rule for rules in DECLARED.values() for rule in rules]
BY_KIND = {rule.kind: rule for rule in ALL_RULES}
STEP_FIELDS = ("step", "offset_days", "notify", "opens_supervision", "is_active")

pytestmark = pytest.mark.django_db


def _snapshot(table: str) -> list[dict[str, Any]]:
    """Every row of a snapshot table, by column name."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a fixed table name)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture
def migrated_rules(rule_snapshot: None) -> dict[str, dict[str, Any]]:
    """kind → the DeadlineRule columns, as migrate (and its post_migrate ladder defaults) left them."""
    return {
        row["kind"]: {name: row[name] for name in ROW_FIELDS}
        for row in _snapshot("test_deadlinerule_snapshot")
    }


@pytest.fixture
def migrated_steps(rule_snapshot: None) -> dict[str, list[tuple[Any, ...]]]:
    """kind → its ladder rungs (step, offset, notify, opens 督办, active), nearest the due date first."""
    steps: dict[str, list[tuple[Any, ...]]] = {}
    for row in sorted(
        _snapshot("test_escalationstep_snapshot"), key=lambda row: (row["kind"], row["offset_days"])
    ):
        steps.setdefault(row["kind"], []).append(tuple(row[name] for name in STEP_FIELDS))
    return steps


def test_each_kind_is_declared_once():
    kinds = [rule.kind for rule in ALL_RULES]
    assert len(kinds) == len(set(kinds))


def test_the_migrated_kinds_are_the_declared_kinds(migrated_rules):
    assert sorted(migrated_rules) == sorted(BY_KIND)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.kind)
def test_the_declaration_equals_the_migrated_row_field_by_field(rule: RuleSpec, migrated_rules):
    row = migrated_rules[rule.kind]
    declared = rule.row()
    differing = {
        name: {"database": row[name], "declared": declared[name]}
        for name in ROW_FIELDS
        if row[name] != declared[name]
    }
    assert differing == {}, (
        f"{rule.kind}: write a migration for the change (docs/development/changing-a-rule.md)"
    )


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.kind)
def test_each_kind_has_the_declared_ladder(rule: RuleSpec, migrated_steps):
    expected = [
        (rung.step, rung.offset_days(rule), list(rung.notify), rung.opens_supervision, True)
        for rung in sorted(ladder_for(rule, DEFAULT_LADDER), key=lambda rung: rung.offset_days(rule))
    ]
    assert migrated_steps.get(rule.kind, []) == expected


def test_a_window_gets_no_ladder_and_the_supervision_reply_no_second_supervision():
    assert ladder_for(BY_KIND[REVIEW_WINDOW], DEFAULT_LADDER) == []
    steps = [rung.step for rung in ladder_for(BY_KIND[SUPERVISION_REPLY], DEFAULT_LADDER)]
    assert steps == [LadderStep.WARNING, LadderStep.OVERDUE, LadderStep.CIRCULAR, LadderStep.SUMMONS]


def test_a_rule_reads_as_one_line():
    assert str(BY_KIND[ACCEPTANCE_CLOCK]) == (
        "受理告知: 15 日, 自然日, 自收到转送交办之日起, 《信访工作条例》第二十三条; 到期前 3 日预警"
    )
    assert str(BY_KIND[HANDLING]) == (
        "办理答复: 60 日, 自然日, 自受理之日起, 《信访工作条例》第三十四条; 可延期 1 次, 每次至多 30 日; "
        "到期前 10 日预警"
    )
    assert str(BY_KIND["petition.objection"]) == (
        "退回异议期: 5 日, 工作日, 自收到转送交办之日起, 《信访工作条例》第二十三条; "
        "信访人申请期限, 期满未行使即关闭"
    )
    assert str(BY_KIND["ledger.daily"]).startswith("敏感时期日报: 1 日, 自然日, 末日不顺延, ")


def test_a_rung_reads_as_one_line():
    assert [str(rung) for rung in DEFAULT_LADDER[:3]] == [
        "预警: 到期前按规则的预警日数, 告知责任人（承办人）",
        "超期: 到期后 1 日, 告知责任人（承办人）、责任单位科室负责人",
        "督办: 到期后 5 日, 告知责任单位科室负责人、责任单位领导, 生成督办单 (accountability.supervision_reply 除外)",
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"days": 0},
        {"day_unit": "weeks"},
        {"warn_days_before": -1},
        {"max_extensions": 1},
        {"label": ""},
    ],
    ids=["no days", "unknown unit", "negative warning", "extensions without days", "no label"],
)
def test_a_malformed_rule_is_refused_when_declared(change):
    values: dict[str, Any] = {
        "kind": "test.rule",
        "label": "测试",
        "days": 10,
        "day_unit": DayUnit.CALENDAR,
        "starts": "自某日起",
        "article": "测试依据",
        "warn_days_before": 1,
    }
    with pytest.raises(ValueError, match=r"test\.rule"):
        RuleSpec(**{**values, **change})


def test_a_malformed_rung_is_refused_when_declared():
    with pytest.raises(ValueError, match="only the warning"):
        RungSpec(LadderStep.OVERDUE, None, (Recipient.HANDLER,))
    with pytest.raises(ValueError, match="at least 1 day"):
        RungSpec(LadderStep.OVERDUE, 0, (Recipient.HANDLER,))
    with pytest.raises(ValueError, match="unknown rung or recipients"):
        RungSpec(LadderStep.OVERDUE, 1, ("nobody",))

"""The one typed form of a deadline rule (RuleSpec) and of a ladder rung (RungSpec), as each app declares them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accountability.choices import LadderStep, Recipient
from core.choices import DayUnit

# How each day basis is said in a rule's one-line form.
DAY_BASIS_WORDS = {DayUnit.CALENDAR: "自然日", DayUnit.WORKING: "工作日"}

# The DeadlineRule columns a RuleSpec fills, in the model's order; `starts` is not stored.
ROW_FIELDS = (
    "label",
    "days",
    "day_unit",
    "roll_forward",
    "is_obligation",
    "max_extensions",
    "max_extension_days",
    "warn_days_before",
    "article",
)


@dataclass(frozen=True)
class RuleSpec:
    """One kind of deadline as the law (or the office) sets it; `row()` is the DeadlineRule row it stands for.

    kind: the DeadlineRule key ("petition.acceptance"); label: its Chinese name; days and day_unit: the period,
    counted in calendar days (DayUnit.CALENDAR) or working days (DayUnit.WORKING); starts: the event the period
    runs from, in words (documentation only: the code that opens the clock passes the date); article: the legal
    or office basis; roll_forward: a last day on a holiday moves to the next working day; is_obligation: True for
    an office's duty (overdue → ladder), False for a petitioner's window (lapses, no ladder); max_extensions and
    max_extension_days: how often and by how much it may be extended; warn_days_before: the ladder's 预警 rung
    comes that many days before the due date.
    """

    kind: str
    label: str
    days: int
    day_unit: str
    starts: str
    article: str
    warn_days_before: int
    roll_forward: bool = True
    is_obligation: bool = True
    max_extensions: int = 0
    max_extension_days: int = 0

    def __post_init__(self) -> None:
        problems = []
        if not 0 < len(self.kind) <= 50 or not 0 < len(self.label) <= 50 or len(self.article) > 100:
            problems.append("kind and label need 1–50 characters, article at most 100")
        if self.days < 1:
            problems.append("days must be at least 1")
        if self.day_unit not in DayUnit.values:
            problems.append(f"day_unit must be one of {DayUnit.values}")
        if self.warn_days_before < 0 or self.max_extensions < 0 or self.max_extension_days < 0:
            problems.append("warn_days_before and the extension limits cannot be negative")
        if (self.max_extensions == 0) != (self.max_extension_days == 0):
            problems.append("max_extensions and max_extension_days are both 0 or both positive")
        if problems:
            raise ValueError(f"{self.kind}: " + "; ".join(problems))

    def row(self) -> dict[str, Any]:
        """The DeadlineRule columns (without the key) this rule stands for."""
        return {name: getattr(self, name) for name in ROW_FIELDS}

    def __str__(self) -> str:
        parts = [f"{self.label}: {self.days} 日", DAY_BASIS_WORDS[DayUnit(self.day_unit)]]
        if not self.roll_forward:
            parts.append("末日不顺延")
        parts += [self.starts, self.article]
        line = ", ".join(parts)
        if self.max_extensions:
            line += f"; 可延期 {self.max_extensions} 次, 每次至多 {self.max_extension_days} 日"
        if not self.is_obligation:
            line += "; 信访人申请期限, 期满未行使即关闭"
        elif self.warn_days_before:
            line += f"; 到期前 {self.warn_days_before} 日预警"
        return line


@dataclass(frozen=True)
class RungSpec:
    """One rung of the default escalation ladder every obligation kind gets.

    after_due: days after the due date the rung is reached (1 = the day after); None for the 预警 rung, which
    comes the rule's warn_days_before days before it. notify: Recipient values; opens_supervision: the rung
    issues a 督办单; except_kinds: deadline kinds that do not get this rung.
    """

    step: str
    after_due: int | None
    notify: tuple[str, ...]
    opens_supervision: bool = False
    except_kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (
            self.step not in LadderStep.values
            or not self.notify
            or not set(self.notify) <= set(Recipient.values)
        ):
            raise ValueError(f"{self.step}: unknown rung or recipients {self.notify}")
        if (self.step == LadderStep.WARNING) != (self.after_due is None):
            raise ValueError(f"{self.step}: only the warning takes its offset from the rule")
        if self.after_due is not None and self.after_due < 1:
            raise ValueError(f"{self.step}: rungs after the warning come at least 1 day after the due date")

    def offset_days(self, rule: RuleSpec | Any) -> int:
        """EscalationStep.offset_days of this rung for `rule` (a RuleSpec or a DeadlineRule row)."""
        return -rule.warn_days_before if self.after_due is None else self.after_due

    def __str__(self) -> str:
        when = "到期前按规则的预警日数" if self.after_due is None else f"到期后 {self.after_due} 日"
        told = "、".join(str(Recipient(value).label) for value in self.notify)
        line = f"{LadderStep(self.step).label}: {when}, 告知{told}"
        if self.opens_supervision:
            line += ", 生成督办单"
        if self.except_kinds:
            line += f" ({'、'.join(self.except_kinds)} 除外)"
        return line


def ladder_for(rule: RuleSpec | Any, ladder: Iterable[RungSpec]) -> list[RungSpec]:
    """The rungs of `ladder` that `rule` (a RuleSpec or a DeadlineRule row) gets; none for a petitioner's window."""
    if not rule.is_obligation:
        return []
    return [rung for rung in ladder if rule.kind not in rung.except_kinds]


def rules_load(rule_model: Any, rules: Iterable[RuleSpec]) -> None:
    """Create or update the DeadlineRule row of each rule (outside migrations: tests after a flush, new kinds)."""
    for rule in rules:
        rule_model.objects.update_or_create(kind=rule.kind, defaults=rule.row())

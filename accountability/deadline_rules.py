"""The clock engine's own deadline rule (督办答复) and the default escalation ladder, declared as RuleSpec and RungSpec."""

from __future__ import annotations

from accountability.choices import LadderStep, Recipient
from accountability.rules import RuleSpec, RungSpec
from core.choices import DayUnit

SUPERVISION_REPLY = "accountability.supervision_reply"

SUPERVISION_REPLY_RULE = RuleSpec(
    kind=SUPERVISION_REPLY,
    label="督办答复",
    days=10,
    day_unit=DayUnit.WORKING,
    starts="自督办单签发之日起",
    article="《信访工作条例》第四十条",
    warn_days_before=2,
)

# Rules this app declares; post_migrate creates the row when it is missing (accountability.services.ladder).
RULES: tuple[RuleSpec, ...] = (SUPERVISION_REPLY_RULE,)

# The rungs every obligation kind gets when it has none yet (post_migrate, accountability.services.ladder). Each rung
# reaches one level further up: handler → section head → the unit's leader → the 包案领导 → supervisors.
# An unanswered 督办 goes to 通报 and 约谈, not to another 督办.
DEFAULT_LADDER: tuple[RungSpec, ...] = (
    RungSpec(LadderStep.WARNING, None, (Recipient.HANDLER,)),
    RungSpec(LadderStep.OVERDUE, 1, (Recipient.HANDLER, Recipient.SECTION_HEAD)),
    RungSpec(
        LadderStep.SUPERVISION,
        5,
        (Recipient.SECTION_HEAD, Recipient.UNIT_LEADER),
        opens_supervision=True,
        except_kinds=(SUPERVISION_REPLY,),
    ),
    RungSpec(LadderStep.CIRCULAR, 15, (Recipient.UNIT_LEADER, Recipient.CASE_OWNER)),
    RungSpec(LadderStep.SUMMONS, 30, (Recipient.CASE_OWNER, Recipient.SUPERVISORS)),
)

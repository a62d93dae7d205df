"""Vocabulary of the key-case ledger, screening and sensitive periods, and the status moves a case may make."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import UnitLevel

# Subjects and kinds of the clocks this app runs on the deadline engine.
KEYCASE_SUBJECT = "ledger.keycase"
SCREENING_SUBJECT = "ledger.screeningreport"
DAILY_SUBJECT = "ledger.dailyreport"
FINDING_SUBJECT = "ledger.finding"
RESOLVE = "ledger.resolve"
SCREENING_REPORT = "ledger.screening"
DAILY_REPORT = "ledger.daily"

STALE_PROGRESS_DAYS = 7  # a case with no progress report for longer is flagged on the ledger


class Source(models.TextChoices):
    """Where a key case came from."""

    PROVINCIAL_LEADER = "provincial_leader", _("省级领导包案督查")
    CITY_LEADER = "city_leader", _("市级领导包案")
    SCREENING = "screening", _("矛盾纠纷排查")
    ESCALATED_ITEM = "escalated_item", _("信访事项升级")
    HIGHER_REFERRAL = "higher_referral", _("上级交办")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    """风险等级."""

    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class CaseStatus(models.TextChoices):
    """化解状态; 已销号 only through an approved strike-off."""

    UNRESOLVED = "unresolved", _("未化解")
    RESOLVING = "resolving", _("化解中")
    STABILIZED = "stabilized", _("稳控")
    RESOLVED = "resolved", _("已化解")
    STRUCK_OFF = "struck_off", _("已销号")


# Moves a progress report may make. 已化解 is left only by a strike-off decision (approved: 已销号; refused:
# back to 化解中 with a new 化解时限); 已销号 is final.
STATUS_MOVES: dict[str, frozenset[str]] = {
    CaseStatus.UNRESOLVED: frozenset({CaseStatus.RESOLVING, CaseStatus.STABILIZED, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVING: frozenset({CaseStatus.UNRESOLVED, CaseStatus.STABILIZED, CaseStatus.RESOLVED}),
    CaseStatus.STABILIZED: frozenset({CaseStatus.UNRESOLVED, CaseStatus.RESOLVING, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset(),
    CaseStatus.STRUCK_OFF: frozenset(),
}
OPEN_CASE_STATUSES = frozenset({CaseStatus.UNRESOLVED, CaseStatus.RESOLVING, CaseStatus.STABILIZED})


class StrikeOffState(models.TextChoices):
    """A strike-off (销号) request's decision."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class Frequency(models.TextChoices):
    """How often a unit screens for disputes."""

    WEEKLY = "weekly", _("每周")
    HALF_MONTHLY = "half_monthly", _("每半月")
    NONE = "none", _("随时（不设轮次）")


# Defaults of domain notes §5: city and county units (and their departments) weekly, townships every half month,
# villages as things arise. XF_SCREENING_FREQUENCY overrides them per level.
DEFAULT_FREQUENCY_BY_LEVEL: dict[int, str] = {
    UnitLevel.CITY: Frequency.WEEKLY,
    UnitLevel.COUNTY: Frequency.WEEKLY,
    UnitLevel.TOWNSHIP: Frequency.HALF_MONTHLY,
    UnitLevel.VILLAGE: Frequency.NONE,
}


class FocusArea(models.TextChoices):
    """Focus areas of dispute screening (排查重点)."""

    LAND = "land", _("征地")
    DEMOLITION = "demolition", _("拆迁")
    LITIGATION = "litigation", _("涉法涉诉")
    ENVIRONMENT = "environment", _("环境保护")
    FOREST = "forest", _("林权")
    VETERANS = "veterans", _("退役军人")
    PROPERTY = "property", _("企业改制与物业纠纷")
    VILLAGE = "village", _("村务")
    WAGES = "wages", _("拖欠工资")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    OTHER = "other", _("其他")


class ReportState(models.TextChoices):
    """Whether a unit's screening or daily report is in."""

    PENDING = "pending", _("未报送")
    FILED = "filed", _("已报送")
    FILED_LATE = "filed_late", _("逾期报送")

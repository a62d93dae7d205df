"""Enumerations of the clock engine: deadline statuses and the changes a deadline goes through."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineStatus(models.TextChoices):
    """Where a deadline stands; only OPEN deadlines run."""

    OPEN = "open", _("进行中")
    MET_ON_TIME = "met_on_time", _("按期完成")
    MET_LATE = "met_late", _("超期完成")
    MISSED = "missed", _("超期未完成")
    LAPSED = "lapsed", _("期满未行使")
    CANCELLED = "cancelled", _("已取消")


CLOSED_STATUSES = frozenset(set(DeadlineStatus.values) - {DeadlineStatus.OPEN})


class DeadlineChangeCause(models.TextChoices):
    """Why a deadline's due date or status changed; every change is one history row."""

    OPENED = "opened", _("开始计时")
    EXTENDED = "extended", _("延期")
    PAUSED = "paused", _("中止计时")
    RESUMED = "resumed", _("恢复计时")
    RECOMPUTED_CALENDAR = "recomputed_calendar", _("日历变更后重算")
    RECOMPUTED_RULE = "recomputed_rule", _("时限规则变更后重算")
    MET = "met", _("完成")
    LAPSED = "lapsed", _("期满")
    MISSED = "missed", _("超期未完成")
    CANCELLED = "cancelled", _("取消")
    RESCHEDULED = "rescheduled", _("重新指定到期日")
    REASSIGNED = "reassigned", _("变更责任单位或责任人")

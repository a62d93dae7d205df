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
    REOPENED = "reopened", _("退回重办，恢复计时")
    LAPSED = "lapsed", _("期满")
    MISSED = "missed", _("超期未完成")
    CANCELLED = "cancelled", _("取消")
    RESCHEDULED = "rescheduled", _("重新指定到期日")
    REASSIGNED = "reassigned", _("变更责任单位或责任人")


class LadderStep(models.TextChoices):
    """The rungs of the escalation ladder (domain rules §6), in the order they are reached."""

    WARNING = "warning", _("预警")
    OVERDUE = "overdue", _("超期")
    SUPERVISION = "supervision", _("督办")
    CIRCULAR = "circular", _("通报")
    SUMMONS = "summons", _("约谈")


# The rungs that wait for the person's daily digest instead of making an inbox row each.
DIGESTED_STEPS = (LadderStep.WARNING, LadderStep.OVERDUE)


class Recipient(models.TextChoices):
    """Who hears of an escalation step."""

    HANDLER = "handler", _("责任人（承办人）")
    SECTION_HEAD = "section_head", _("责任单位科室负责人")
    UNIT_LEADER = "unit_leader", _("责任单位领导")
    CASE_OWNER = "case_owner", _("包案领导")
    SUPERVISORS = "supervisors", _("上级督查人员")


class EmailState(models.TextChoices):
    """Where a notification's e-mail stands; a claimed e-mail is never sent again."""

    NONE = "none", _("无邮箱")
    PENDING = "pending", _("待发送")
    CLAIMED = "claimed", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class NotificationKind(models.TextChoices):
    """What a notification is about: the inbox filters by it; only 预警与超期 waits for the day's digest."""

    SUPERVISION = "supervision", _("督办")
    DEADLINE = "deadline", _("预警与超期")
    APPROVAL = "approval", _("审批")
    COLLECTIVE = "collective", _("集体访")
    SYSTEM = "system", _("系统")


class SupervisionGround(models.TextChoices):
    """Grounds for a 督办 order (《信访工作条例》第四十条)."""

    NOT_CLOSED_ON_TIME = "not_closed", _("无正当理由未按规定时限办结")
    NOT_REPORTED = "not_reported", _("未按规定反馈办理结果")
    PROCEDURE = "procedure", _("未按规定程序办理")
    EVASION = "evasion", _("办理过程中推诿、敷衍、拖延")
    NOT_CARRIED_OUT = "not_carried_out", _("不执行信访处理意见")


class SupervisionMethod(models.TextChoices):
    """How a 督办 is carried out."""

    WRITTEN = "written", _("书面督办")
    TALK = "talk", _("约谈督办")
    SITE = "site", _("实地督办")
    JOINT = "joint", _("联合督办")


class SupervisionStatus(models.TextChoices):
    """Where a 督办 order stands."""

    ISSUED = "issued", _("待答复")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class AccountabilityMeasure(models.TextChoices):
    """Measures of accountability (追责), mildest first."""

    REMINDER_TALK = "reminder_talk", _("谈话提醒")
    CRITICISM = "criticism", _("批评教育")
    SELF_EXAMINATION = "self_examination", _("责令检查")
    ADMONITION = "admonition", _("诫勉")
    ORGANISATIONAL = "organisational", _("组织调整")
    DISCIPLINARY = "disciplinary", _("政务处分")


class Liability(models.TextChoices):
    """Why a person is held to account under 一岗双责."""

    PRINCIPAL = "principal", _("主要负责人")
    IN_CHARGE = "in_charge", _("分管负责人")
    DIRECT = "direct", _("直接责任人")

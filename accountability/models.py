"""The one deadline table for every clock in the system, the rules that set them, and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accountability.choices import DeadlineChangeCause, DeadlineStatus
from core.choices import DayUnit
from core.models import Unit


class DeadlineRule(models.Model):
    """The default period of one kind of deadline (时限); an admin may change it per deployment."""

    kind = models.CharField(_("类别代码"), max_length=50, primary_key=True)
    label = models.CharField(_("名称"), max_length=50)
    days = models.PositiveSmallIntegerField(_("期限"))
    day_unit = models.CharField(_("计算单位"), max_length=10, choices=DayUnit.choices)
    roll_forward = models.BooleanField(_("末日遇节假日顺延"), default=True)
    is_obligation = models.BooleanField(
        _("责任时限"),
        default=True,
        help_text=_("是：到期未完成即为超期，进入督办；否：信访人的申请期限，期满未行使即关闭。"),
    )
    max_extensions = models.PositiveSmallIntegerField(_("可延期次数"), default=0)
    max_extension_days = models.PositiveSmallIntegerField(_("每次最多延长（日）"), default=0)
    warn_days_before = models.PositiveSmallIntegerField(_("到期前预警（日）"), default=3)
    article = models.CharField(_("依据"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="deadlinerule_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.days}{DayUnit(self.day_unit).label}）"


class Deadline(models.Model):
    """One running or finished clock on any subject, with the rule it was computed with."""

    subject_type = models.CharField(_("对象类型"), max_length=50)
    subject_id = models.BigIntegerField(_("对象编号"))
    rule = models.ForeignKey(
        DeadlineRule,
        on_delete=models.PROTECT,
        related_name="deadlines",
        db_column="kind",
        verbose_name=_("类别"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("责任单位")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("责任人"),
    )
    starts_on = models.DateField(_("起算日"))
    days = models.PositiveSmallIntegerField(_("期限"))
    day_unit = models.CharField(_("计算单位"), max_length=10, choices=DayUnit.choices)
    roll_forward = models.BooleanField(_("末日顺延"))
    extension_days = models.PositiveSmallIntegerField(_("延长天数"), default=0)
    paused_days = models.PositiveIntegerField(_("中止天数"), default=0)
    paused_since = models.DateField(_("中止自"), null=True, blank=True)
    nominal_on = models.DateField(_("名义末日"))
    due_on = models.DateField(_("到期日"))
    calendar_version = models.PositiveIntegerField(_("日历版本"))
    provisional = models.BooleanField(_("临时计算"), default=False)
    fixed = models.BooleanField(
        _("指定到期日"),
        default=False,
        help_text=_("到期日由负责人指定（如台账化解时限），规则变更时不重算。"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    met_on = models.DateField(_("完成日"), null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        indexes = [
            # "Due soon / overdue now" is one range scan over open rows.
            models.Index(fields=["due_on"], condition=Q(status="open"), name="deadline_open_due_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject_idx"),
            models.Index(fields=["unit", "status"], name="deadline_unit_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "rule"],
                condition=Q(status="open"),
                name="deadline_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeadlineStatus.values), name="deadline_status_known"
            ),
            models.CheckConstraint(
                condition=Q(met_on__isnull=True)
                | Q(status__in=[DeadlineStatus.MET_ON_TIME, DeadlineStatus.MET_LATE]),
                name="deadline_met_on_only_when_met",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="deadline_due_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject_type}#{self.subject_id} → {self.due_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == DeadlineStatus.OPEN

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class DeadlineExtension(models.Model):
    """An approved extension (延期): who approved it, why, and the due date before and after."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.CharField(_("理由"), max_length=500)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    approved_on = models.DateField(_("批准日"))
    due_before = models.DateField()
    due_after = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.deadline_id}+{self.days}"


class DeadlinePause(models.Model):
    """A stretch of time that does not count (e.g. a 听证 hearing during 复核)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField(_("中止日"))
    ended_on = models.DateField(_("恢复日"), null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=200)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        ordering = ["started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline"], condition=Q(ended_on__isnull=True), name="deadlinepause_one_running"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="deadlinepause_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id}: {self.started_on}–{self.ended_on or ''}"


class DeadlineChange(models.Model):
    """One change of a deadline's due date or status, kept so recomputations are never silent."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(auto_now_add=True)
    cause = models.CharField(max_length=30, choices=DeadlineChangeCause.choices)
    due_before = models.DateField(null=True, blank=True)
    due_after = models.DateField(null=True, blank=True)
    calendar_version = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("时限变更记录")
        verbose_name_plural = _("时限变更记录")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.deadline_id}: {self.cause}"

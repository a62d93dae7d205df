"""Key cases (重点信访问题台账) with progress and strike-off; screening rounds (排查); sensitive periods (敏感时期)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Division, Unit
from core.versioning import version_field
from ledger.choices import CaseStatus, FocusArea, Frequency, ReportState, RiskLevel, Source, StrikeOffState


class KeyCase(models.Model):
    """A prominent problem with one owning leader, one responsible unit, one plan and one deadline."""

    number = models.CharField(_("台账编号"), max_length=20, unique=True)
    title = models.CharField(_("问题名称"), max_length=100)
    problem = models.TextField(_("问题概况"), max_length=2000)
    group_concerned = models.CharField(_("涉及群体"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_note = models.CharField(_("来源说明"), max_length=200, blank=True)
    head_count = models.PositiveIntegerField(_("涉及人数"), default=0)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    office = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="ledger_cases", verbose_name=_("台账管理单位")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("包案领导"),
    )
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="responsible_cases", verbose_name=_("责任单位")
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_cases",
        verbose_name=_("责任人"),
    )
    stabilizing_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stabilizing_cases",
        verbose_name=_("稳控单位"),
    )
    measures = models.TextField(_("化解措施"), max_length=2000)
    opened_on = models.DateField(_("列入台账日期"))
    resolve_by = models.DateField(_("化解时限"))
    status = models.CharField(
        _("化解状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.UNRESOLVED
    )
    last_progress_on = models.DateField(_("最近进展日期"), null=True, blank=True)
    resolved_on = models.DateField(_("化解日期"), null=True, blank=True)
    struck_off_on = models.DateField(_("销号日期"), null=True, blank=True)
    items = models.ManyToManyField(
        "petitions.Item", through="KeyCaseItem", related_name="key_cases", verbose_name=_("关联信访事项")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("重点信访问题")
        verbose_name_plural = _("重点信访问题台账")
        ordering = ["resolve_by", "id"]
        indexes = [
            models.Index(fields=["office", "status"], name="keycase_office_status_idx"),
            models.Index(fields=["responsible_unit", "status"], name="keycase_unit_status_idx"),
            models.Index(fields=["owner", "status"], name="keycase_owner_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="keycase_status_known"),
            models.CheckConstraint(
                condition=Q(resolve_by__gt=models.F("opened_on")), name="keycase_deadline_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(struck_off_on__isnull=True) | Q(status=CaseStatus.STRUCK_OFF),
                name="keycase_struck_off_date_only_when_struck_off",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class KeyCaseItem(models.Model):
    """A petition item linked to a key case."""

    case = models.ForeignKey(KeyCase, on_delete=models.CASCADE, related_name="item_links")
    item = models.ForeignKey("petitions.Item", on_delete=models.PROTECT, related_name="case_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="keycaseitem_once")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.item_id}"


# Writes fire database triggers: see docs/development/database.md (ledger_progressreport_append_only).
class ProgressReport(models.Model):
    """A dated progress report (进展); never edited after submission, only followed by a correction."""

    case = models.ForeignKey(KeyCase, on_delete=models.PROTECT, related_name="progress_reports")
    reported_on = models.DateField(_("进展日期"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报送人")
    )
    done = models.TextField(_("工作进展"), max_length=2000)
    next_step = models.TextField(_("下一步措施"), max_length=2000, blank=True)
    status_before = models.CharField(max_length=12, choices=CaseStatus.choices)
    status_after = models.CharField(_("化解状态"), max_length=12, choices=CaseStatus.choices)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("更正的进展"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("化解进展")
        verbose_name_plural = _("化解进展")
        ordering = ["reported_on", "id"]
        indexes = [models.Index(fields=["case", "reported_on"], name="progress_case_date_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.reported_on}"


class StrikeOffRequest(models.Model):
    """销号: asked for by the responsible unit, decided by the section head of the ledger office."""

    case = models.ForeignKey(KeyCase, on_delete=models.PROTECT, related_name="strike_off_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(_("申请日期"))
    reason = models.TextField(_("销号理由"), max_length=2000)
    state = models.CharField(max_length=10, choices=StrikeOffState.choices, default=StrikeOffState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("销号申请")
        verbose_name_plural = _("销号申请")
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="pending"), name="strikeoff_one_pending_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_state_display()}"


class ScreeningRound(models.Model):
    """One screening period (e.g. the week from Monday) for the units that screen at that frequency."""

    frequency = models.CharField(_("频次"), max_length=15, choices=Frequency.choices)
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("排查轮次")
        verbose_name_plural = _("排查轮次")
        ordering = ["-period_start", "frequency"]
        constraints = [
            models.UniqueConstraint(fields=["frequency", "period_start"], name="screeninground_once"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="screeninground_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.period_start}"


class ScreeningReport(models.Model):
    """One unit's report for one round: findings, or an explicit zero report (零报告)."""

    round = models.ForeignKey(ScreeningRound, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="screening_reports")
    state = models.CharField(
        _("报送状态"), max_length=12, choices=ReportState.choices, default=ReportState.PENDING
    )
    is_zero = models.BooleanField(_("零报告"), default=False)
    summary = models.TextField(_("排查情况"), max_length=2000, blank=True)
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = version_field()

    class Meta:
        verbose_name = _("排查报告")
        verbose_name_plural = _("排查报告")
        ordering = ["round", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="screeningreport_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.unit_id}"


class Finding(models.Model):
    """A dispute or risk found in screening; may be promoted to a key case."""

    report = models.ForeignKey(ScreeningReport, on_delete=models.PROTECT, related_name="findings")
    description = models.TextField(_("矛盾纠纷或风险"), max_length=2000)
    parties = models.CharField(_("当事人"), max_length=200, blank=True)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所在地")
    )
    location = models.CharField(_("详细地点"), max_length=200, blank=True)
    focus_area = models.CharField(_("类别"), max_length=20, choices=FocusArea.choices)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    head_count = models.PositiveIntegerField(_("涉及人数"), default=0)
    measures = models.TextField(_("化解稳控措施"), max_length=2000, blank=True)
    promoted_case = models.OneToOneField(
        KeyCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name=_("已列入台账"),
    )
    version = version_field()

    class Meta:
        verbose_name = _("排查发现")
        verbose_name_plural = _("排查发现")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.description[:30]


class SensitivePeriod(models.Model):
    """敏感时期: between its dates the covered units file a daily report and every page shows a banner."""

    name = models.CharField(_("名称"), max_length=50)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    units = models.ManyToManyField(Unit, related_name="sensitive_periods", verbose_name=_("覆盖单位"))
    note = models.TextField(_("工作要求"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("敏感时期")
        verbose_name_plural = _("敏感时期")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="sensitiveperiod_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts_on}至{self.ends_on}）"


class DailyReport(models.Model):
    """One covered unit's report for one day of a sensitive period (zero report allowed)."""

    period = models.ForeignKey(SensitivePeriod, on_delete=models.PROTECT, related_name="daily_reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="daily_reports")
    day = models.DateField(_("日期"))
    state = models.CharField(
        _("报送状态"), max_length=12, choices=ReportState.choices, default=ReportState.PENDING
    )
    is_zero = models.BooleanField(_("零报告"), default=False)
    content = models.TextField(_("报告内容"), max_length=2000, blank=True)
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = version_field()

    class Meta:
        verbose_name = _("敏感时期日报")
        verbose_name_plural = _("敏感时期日报")
        ordering = ["-day", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "day"], name="dailyreport_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.unit_id}:{self.day}"

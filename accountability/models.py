"""The one deadline table for every clock in the system, the rules that set them, and their history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import (
    AccountabilityMeasure,
    DeadlineChangeCause,
    DeadlineStatus,
    EmailState,
    LadderStep,
    Liability,
    NotificationKind,
    Recipient,
    SupervisionGround,
    SupervisionMethod,
    SupervisionStatus,
)
from core.choices import DayUnit
from core.models import Unit
from core.versioning import version_field


# Writes fire database triggers: see docs/development/database.md (petitions_item_obligation_rule).
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
    version = version_field()
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


# Writes fire database triggers: see docs/development/database.md (accountability_deadline_arm_ladder, accountability_deadline_roll_up_insert_delete, accountability_deadline_roll_up_update, petitions_item_obligation_due_insert_delete, petitions_item_obligation_due_update).
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
    # Few indexes on purpose: the sweep rewrites rows of this table. deadline_unit_status_idx leads with the unit;
    # people are looked up by unit, never by these columns alone.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("责任单位"), db_index=False
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("责任人"),
        db_index=False,
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
    overseer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overseen_deadlines",
        verbose_name=_("包案领导"),
        db_index=False,
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


class EscalationStep(models.Model):
    """One rung of a deadline kind's ladder: reached `offset_days` after the due date, told to `notify`."""

    rule = models.ForeignKey(
        DeadlineRule,
        on_delete=models.CASCADE,
        related_name="steps",
        db_column="kind",
        verbose_name=_("时限类别"),
    )
    step = models.CharField(_("级别"), max_length=12, choices=LadderStep.choices)
    offset_days = models.SmallIntegerField(
        _("距到期日（日）"), help_text=_("负数为到期前（预警），1 为到期次日（超期）。按自然日计。")
    )
    notify = ArrayField(
        models.CharField(max_length=20, choices=Recipient.choices), verbose_name=_("通知对象"), default=list
    )
    opens_supervision = models.BooleanField(_("生成督办单"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    version = version_field()

    class Meta:
        verbose_name = _("预警升级规则")
        verbose_name_plural = _("预警升级规则")
        ordering = ["rule", "offset_days"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "step"], name="escalationstep_one_per_kind"),
            models.CheckConstraint(
                condition=Q(notify__contained_by=Recipient.values), name="escalationstep_recipients_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {LadderStep(self.step).label}（{self.offset_days:+d}日）"

    @property
    def notify_labels(self) -> list[str]:
        """Who is told, in Chinese."""
        return [str(Recipient(value).label) for value in self.notify]


class LadderPosition(models.Model):
    """The sweep's work list: for each running deadline, the day its next rung comes (NULL: none left).

    Kept by a database trigger on the deadline table (a row appears when a deadline opens, is re-armed when its due
    date moves, and goes when it is met, cancelled or paused) and moved on by the sweep. A narrow table of its own,
    so the sweep rewrites two indexes a row instead of every index of the deadline table.
    """

    deadline = models.OneToOneField(
        Deadline, on_delete=models.CASCADE, primary_key=True, related_name="ladder"
    )
    next_step_on = models.DateField(_("下一级预警日"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警进度")
        verbose_name_plural = _("预警进度")
        indexes = [
            models.Index(
                fields=["next_step_on", "deadline"],
                condition=Q(next_step_on__isnull=False),
                name="ladder_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} → {self.next_step_on}"


class Escalation(models.Model):
    """A deadline reached a ladder step for the due date it had then; written once by the sweep."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="escalations")
    step = models.ForeignKey(EscalationStep, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("当时到期日"))
    reached_on = models.DateField(_("触发日"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("预警升级记录")
        verbose_name_plural = _("预警升级记录")
        ordering = ["-reached_on", "-id"]
        constraints = [
            # One row per (deadline, step) for each due date: an extension re-arms the ladder, a rerun adds nothing.
            models.UniqueConstraint(
                fields=["deadline", "step", "due_on"], name="escalation_once_per_due_date"
            ),
        ]
        indexes = [models.Index(fields=["unit", "reached_on"], name="escalation_unit_day_idx")]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.step_id} {self.reached_on}"


class SweepRun(models.Model):
    """The heartbeat of one sweep: when it ran, what it wrote and how long it took."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    business_date = models.DateField(_("业务日"))
    batches = models.PositiveIntegerField(default=0)
    deadlines_seen = models.PositiveIntegerField(default=0)
    escalations_created = models.PositiveIntegerField(default=0)
    notifications_created = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    longest_batch_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("巡检记录")
        verbose_name_plural = _("巡检记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.escalations_created}"


class Notification(models.Model):
    """One message to one person in the outbox: shown in the inbox, e-mailed at most once."""

    key = models.CharField(max_length=120, unique=True, db_collation="C")  # C: no second, pattern-ops index
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notification_inbox_idx leads with the recipient (entries are reached by their digest)
    )
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # The sweep's 预警/超期 rungs are entries of the person's digest of the day: they record who was told of which
    # rung (the ladder's ledger) but the inbox shows, counts and e-mails only the digest.
    digest = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="entries", db_index=False
    )
    kind = models.CharField(
        _("类别"),
        max_length=12,
        choices=NotificationKind.choices,
        default=NotificationKind.SYSTEM,
        db_default=NotificationKind.SYSTEM,
    )
    # identical ones of the same day merged; for a digest, the rungs it lists
    count = models.PositiveIntegerField(_("次数"), default=1, db_default=1)
    title = models.CharField(_("标题"), max_length=200)
    reference = models.CharField(_("编号"), max_length=60, blank=True, default="", db_default="")
    summary = models.CharField(_("摘要"), max_length=200, blank=True, default="", db_default="")
    due_on = models.DateField(_("期限"), null=True, blank=True)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(digest__isnull=True),
                name="notification_inbox_idx",
            ),
            models.Index(
                fields=["recipient", "kind"],
                condition=Q(read_at__isnull=True, digest__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["id"], condition=Q(email_state="pending"), name="notification_mail_due_idx"),
            models.Index(fields=["digest"], condition=Q(digest__isnull=False), name="notification_entry_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_digest(self) -> bool:
        """Whether this row is a person's digest of the day (its entries are the rungs it lists)."""
        return self.key.startswith("digest:")


# A generic subject is either wholly named (type and id) or not at all.
SUBJECT_WHOLE = Q(subject_type="", subject_id__isnull=True) | (
    ~Q(subject_type="") & Q(subject_id__isnull=False)
)


class SupervisionOrder(models.Model):
    """A 督办单: why, how, to which unit, the reply it requires and the reply given."""

    number = models.CharField(_("督办单号"), max_length=30, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("被督办单位"))
    issuing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("督办单位")
    )
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所督时限"),
    )
    escalation = models.OneToOneField(
        Escalation, on_delete=models.PROTECT, null=True, blank=True, related_name="supervision_order"
    )
    # What the order is about, named generically like a deadline's subject (this app never imports the apps that
    # own items, key cases and findings): required when issued by hand, the deadline's subject for a ladder order.
    subject_type = models.CharField(_("督办对象类型"), max_length=50, blank=True, default="")
    subject_id = models.BigIntegerField(_("督办对象编号"), null=True, blank=True)
    ground = models.CharField(_("督办事由"), max_length=20, choices=SupervisionGround.choices)
    method = models.CharField(_("督办方式"), max_length=10, choices=SupervisionMethod.choices)
    requirement = models.TextField(_("督办要求"), max_length=2000)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("督办人"),
    )
    issued_on = models.DateField(_("督办日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SupervisionStatus.choices, default=SupervisionStatus.ISSUED
    )
    reply = models.TextField(_("答复内容"), max_length=4000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    version = version_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="supervision_unit_status_idx"),
            models.Index(
                fields=["subject_type", "subject_id"],
                condition=Q(subject_id__isnull=False),
                name="supervision_subject_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=SupervisionStatus.ISSUED) | Q(replied_on__isnull=False),
                name="supervision_reply_dated",
            ),
            models.CheckConstraint(condition=SUBJECT_WHOLE, name="supervision_subject_whole"),
            # A 督办单 issued by hand names exactly one subject (信访事项, 重点信访问题 or 排查发现); only the ladder's
            # orders, issued by nobody, may lack one. Added NOT VALID: orders issued by hand before subjects existed
            # keep their empty subject.
            models.CheckConstraint(
                condition=Q(issued_by__isnull=True) | Q(subject_id__isnull=False),
                name="supervision_by_hand_names_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Circular(models.Model):
    """A 通报: units with overdue work, missed reports and unanswered 督办 for a period, frozen when issued."""

    number = models.CharField(_("通报编号"), max_length=30, unique=True)
    issuing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("通报单位")
    )
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))
    title = models.CharField(_("标题"), max_length=200)
    rows = models.JSONField(_("通报内容"), default=list)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="circular_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class AccountabilityRecord(models.Model):
    """A 追责 decision: which measure, against whom and in what capacity, why, decided by whom."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位"))
    person_name = models.CharField(_("被追责人"), max_length=50)
    person_title = models.CharField(_("职务"), max_length=50)
    liability = models.CharField(_("责任类型"), max_length=12, choices=Liability.choices)
    measure = models.CharField(_("追责措施"), max_length=20, choices=AccountabilityMeasure.choices)
    reason = models.TextField(_("事由"), max_length=2000)
    supervision_order = models.ForeignKey(
        SupervisionOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("关联督办单"),
    )
    circular = models.ForeignKey(
        Circular,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("关联通报"),
    )
    # The item or case the decision is about (e.g. an overdue item), named generically like a 督办单's subject.
    subject_type = models.CharField(_("关联对象类型"), max_length=50, blank=True, default="")
    subject_id = models.BigIntegerField(_("关联对象编号"), null=True, blank=True)
    decided_by = models.CharField(_("决定机关"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("追责记录")
        verbose_name_plural = _("追责记录")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id"],
                condition=Q(subject_id__isnull=False),
                name="record_subject_idx",
            ),
        ]
        constraints = [models.CheckConstraint(condition=SUBJECT_WHOLE, name="record_subject_whole")]

    def __str__(self) -> str:
        return f"{self.person_name} {AccountabilityMeasure(self.measure).label}"


class DeadlineDayCount(models.Model):
    """The daily roll-up of clocks the measures and dashboards count from: clocks per unit, kind, subject type,
    due day and status, kept in step with the deadline table by a trigger (see accountability/rollup.py)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=50)
    subject_type = models.CharField(max_length=50)
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=DeadlineStatus.choices)
    clocks = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "subject_type", "due_on", "status"], name="deadlinedaycount_key"
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], name="deadlinedaycount_due_idx"),
            models.Index(
                fields=["due_on", "unit"], condition=Q(status="open"), name="deadlinedaycount_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.kind}:{self.due_on}:{self.status}={self.clocks}"

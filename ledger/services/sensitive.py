"""Sensitive periods (敏感时期): defined by an admin, daily reports from every covered unit while they run."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import DeadlineStatus
from accountability.services.deadlines import Subject, deadline_cancel, deadline_meet, deadline_open
from core.audit.record import audit_record
from core.choices import UnitLevel
from core.errors import DomainError
from core.models import Unit, User
from core.versioning import bump_version, lock_version
from ledger.choices import DAILY_REPORT, DAILY_SUBJECT, ReportState
from ledger.models import DailyReport, SensitivePeriod
from ledger.services.common import text

LONGEST_PERIOD_DAYS = 92


def daily_subject(report: DailyReport) -> Subject:
    return Subject(DAILY_SUBJECT, report.pk)


def covered_units(period: SensitivePeriod) -> QuerySet[Unit]:
    """The chosen units and every active unit below them down to townships (villages report through them)."""
    chosen = list(period.units.all())
    if not chosen:
        return Unit.objects.none()
    subtree = Q()
    for unit in chosen:
        subtree |= unit.subtree_q()
    return Unit.objects.filter(subtree, is_active=True, level__lte=UnitLevel.TOWNSHIP).order_by("path")


def sensitive_period_create(
    *, actor: User, name: str, starts_on: date, ends_on: date, unit_ids: list[int], note: str = ""
) -> SensitivePeriod:
    """Define a period and the units it covers; if it has begun, today's daily reports open at once."""
    if not actor.has_role("system_admin", "section_head"):
        raise DomainError(_("只有系统管理员或科室负责人可以设置敏感时期。"), code="forbidden")
    name = text(name, "name", 50)
    today = timezone.localdate()
    if starts_on < today:
        raise DomainError(_("开始日期不能早于今天。"), field="starts_on")
    if ends_on < starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"), field="ends_on")
    if (ends_on - starts_on).days >= LONGEST_PERIOD_DAYS:
        raise DomainError(_("敏感时期不能超过%(days)s天。") % {"days": LONGEST_PERIOD_DAYS}, field="ends_on")
    units = list(Unit.objects.filter(pk__in=set(unit_ids), is_active=True))
    if not units:
        raise DomainError(_("请至少选择一个覆盖单位。"), field="units")
    if len(units) != len(set(unit_ids)) or not all(actor.unit.contains(unit) for unit in units):
        raise DomainError(_("只能选择本单位或下级单位。"), field="units")
    with transaction.atomic():
        period = SensitivePeriod.objects.create(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            note=text(note, "note", 2000, required=False),
            created_by=actor,
        )
        period.units.set(units)
        audit_record(
            actor=actor,
            action="ledger.sensitive_period.created",
            target=period,
            detail={
                "units": [unit.pk for unit in units],
                "from": starts_on.isoformat(),
                "to": ends_on.isoformat(),
            },
        )
        if starts_on <= today:
            _open_day(period, today)
    return period


def sensitive_period_end(
    *, actor: User, period_id: int, on: date, expected_version: int | None = None
) -> SensitivePeriod:
    """End a period early (the last reporting day is `on`); reports of later days are withdrawn."""
    with transaction.atomic():
        period = lock_version(
            SensitivePeriod.objects.all(),
            period_id,
            expected_version,
            _("该敏感时期已被他人修改，请刷新页面后重试。"),
        )
        if (
            not actor.has_role("system_admin", "section_head")
            or not period.units.filter(path__startswith=actor.unit.path).exists()
        ):
            raise DomainError(_("只能调整本单位设置的敏感时期。"), code="forbidden")
        if not period.starts_on <= on < period.ends_on:
            raise DomainError(_("提前结束日期应在敏感时期之内、结束日期之前。"), field="on")
        later = list(
            DailyReport.objects.select_for_update().filter(
                period=period, day__gt=on, state=ReportState.PENDING
            )
        )
        for report in later:
            deadline_cancel(
                subject=daily_subject(report), kind=DAILY_REPORT, actor=actor, reason=_("敏感时期提前结束")
            )
        DailyReport.objects.filter(pk__in=[report.pk for report in later]).delete()
        before = period.ends_on
        period.ends_on = on
        period.save(update_fields=bump_version(period, ["ends_on"]))
        audit_record(
            actor=actor,
            action="ledger.sensitive_period.ended",
            target=period,
            changed_fields=["ends_on"],
            detail={"before": before.isoformat()},
        )
    return period


def _open_day(period: SensitivePeriod, day: date) -> int:
    have = set(DailyReport.objects.filter(period=period, day=day).values_list("unit_id", flat=True))
    added = 0
    for unit in covered_units(period).exclude(pk__in=have):
        report = DailyReport.objects.create(period=period, unit=unit, day=day)
        # Due the same day: the clock starts the day before (the start day is not counted).
        deadline_open(
            subject=daily_subject(report),
            kind=DAILY_REPORT,
            unit_id=unit.pk,
            starts_on=day - timedelta(days=1),
            actor=None,
        )
        added += 1
    return added


def daily_reports_open(*, today: date | None = None) -> int:
    """Open today's report for every unit covered by a running period; idempotent."""
    today = today or timezone.localdate()
    added = 0
    for period in SensitivePeriod.objects.filter(starts_on__lte=today, ends_on__gte=today):
        with transaction.atomic():
            opened = _open_day(period, today)
            if opened:
                audit_record(
                    actor=None,
                    action="ledger.daily_reports.opened",
                    target=period,
                    detail={"day": today.isoformat(), "reports": opened},
                )
            added += opened
    return added


def daily_report_file(
    *, actor: User, report_id: int, is_zero: bool, content: str = "", expected_version: int | None = None
) -> DailyReport:
    """File one day's report (zero report allowed); after its day it is recorded as late."""
    with transaction.atomic():
        report = lock_version(
            DailyReport.objects.all(),
            report_id,
            expected_version,
            _("该日报已被他人修改，请刷新页面后重试。"),
        )
        if actor.unit_id != report.unit_id or not actor.has_role("clerk", "handler", "section_head"):
            raise DomainError(_("只能由本单位人员报送本单位的日报。"), code="forbidden")
        if report.state != ReportState.PENDING:
            raise DomainError(_("当日报告已经报送。"), code="filed_already")
        content = text(content, "content", 2000, required=not is_zero)
        today = timezone.localdate()
        deadline = deadline_meet(subject=daily_subject(report), kind=DAILY_REPORT, met_on=today, actor=actor)
        report.state = (
            ReportState.FILED if deadline.status == DeadlineStatus.MET_ON_TIME else ReportState.FILED_LATE
        )
        report.is_zero, report.content, report.filed_on, report.filed_by = is_zero, content, today, actor
        report.save(
            update_fields=bump_version(report, ["state", "is_zero", "content", "filed_on", "filed_by"])
        )
        audit_record(
            actor=actor,
            action="ledger.daily_report.filed",
            target=report,
            detail={"zero": is_zero, "late": report.state == ReportState.FILED_LATE},
        )
    return report

"""Dispute screening (排查): rounds opened on schedule, reports filed by each unit, findings promoted to cases."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import DeadlineStatus
from accountability.services.deadlines import Subject, deadline_meet, deadline_open
from core.audit.record import audit_record
from core.errors import DomainError
from core.models import Division, Unit, User
from core.versioning import bump_version, lock_version
from ledger.choices import (
    DEFAULT_FREQUENCY_BY_LEVEL,
    SCREENING_REPORT,
    SCREENING_SUBJECT,
    FocusArea,
    Frequency,
    ReportState,
    RiskLevel,
    Source,
)
from ledger.models import Finding, KeyCase, ScreeningReport, ScreeningRound
from ledger.services.common import text
from ledger.services.keycases import KeyCaseInput, keycase_create

MAX_FINDINGS = 50


def frequency_by_level() -> dict[int, str]:
    """Screening frequency per unit level: the defaults of domain notes §5, overridden by settings."""
    return {**DEFAULT_FREQUENCY_BY_LEVEL, **getattr(settings, "XF_SCREENING_FREQUENCY", {})}


def period_containing(frequency: str, day: date) -> tuple[date, date]:
    """The screening period of `frequency` that contains `day`: Monday–Sunday, or 1st–15th / 16th–end of month."""
    if frequency == Frequency.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if frequency == Frequency.HALF_MONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        last = month_calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=16), day.replace(day=last)
    raise ValueError(f"no rounds for frequency {frequency!r}")


def report_subject(report: ScreeningReport) -> Subject:
    return Subject(SCREENING_SUBJECT, report.pk)


def screening_rounds_open(*, today: date | None = None) -> list[ScreeningRound]:
    """Open the current round of each frequency with a pending report and a deadline for every unit due.

    Idempotent: a rerun (or beat firing twice) adds nothing; a unit created mid-period joins the open round.
    """
    today = today or timezone.localdate()
    levels = frequency_by_level()
    opened = []
    for frequency in (Frequency.WEEKLY, Frequency.HALF_MONTHLY):
        wanted_levels = [level for level, value in levels.items() if value == frequency]
        if not wanted_levels:
            continue
        start, end = period_containing(frequency, today)
        with transaction.atomic():
            round_, created = ScreeningRound.objects.get_or_create(
                frequency=frequency, period_start=start, defaults={"period_end": end}
            )
            have = set(round_.reports.values_list("unit_id", flat=True))
            units = Unit.objects.filter(is_active=True, level__in=wanted_levels).exclude(pk__in=have)
            added = 0
            for unit in units.order_by("path"):
                report = ScreeningReport.objects.create(round=round_, unit=unit)
                deadline_open(
                    subject=report_subject(report),
                    kind=SCREENING_REPORT,
                    unit_id=unit.pk,
                    starts_on=start,
                    actor=None,
                )
                added += 1
            if created or added:
                audit_record(
                    actor=None,
                    action="ledger.screening_round.opened",
                    target=round_,
                    detail={"reports_added": added, "period": [start.isoformat(), end.isoformat()]},
                )
        opened.append(round_)
    return opened


@dataclass
class FindingInput:
    """One dispute or risk as typed in the report."""

    description: str
    focus_area: str
    risk_level: str
    parties: str = ""
    division_code: str = ""
    location: str = ""
    head_count: int = 0
    measures: str = ""


@dataclass
class ReportInput:
    """A unit's screening report: findings, or an explicit zero report."""

    is_zero: bool
    summary: str = ""
    findings: list[FindingInput] = field(default_factory=list)


def _finding(report: ScreeningReport, entry: FindingInput, index: int) -> Finding:
    prefix = f"findings-{index}-"
    if entry.focus_area not in FocusArea.values:
        raise DomainError(_("请选择类别。"), field=prefix + "focus_area")
    if entry.risk_level not in RiskLevel.values:
        raise DomainError(_("请选择风险等级。"), field=prefix + "risk_level")
    if entry.head_count < 0:
        raise DomainError(_("涉及人数不能为负数。"), field=prefix + "head_count")
    division = None
    if entry.division_code:
        division = Division.objects.filter(pk=entry.division_code).first()
        if division is None:
            raise DomainError(_("请选择有效的行政区划。"), field=prefix + "division")
    return Finding(
        report=report,
        description=text(entry.description, prefix + "description", 2000),
        focus_area=entry.focus_area,
        risk_level=entry.risk_level,
        parties=text(entry.parties, prefix + "parties", 200, required=False),
        division=division,
        location=text(entry.location, prefix + "location", 200, required=False),
        head_count=entry.head_count,
        measures=text(entry.measures, prefix + "measures", 2000, required=False),
    )


def screening_report_file(
    *,
    actor: User,
    report_id: int,
    data: ReportInput,
    received_on: date | None = None,
    expected_version: int | None = None,
) -> ScreeningReport:
    """File the unit's report; filing after the deadline is recorded as late (逾期报送).

    `received_on` is for a section head above the unit entering a paper report received earlier (补录): the
    report counts as filed on that date. Staff of the unit itself always file as of today.
    """
    with transaction.atomic():
        report = lock_version(
            ScreeningReport.objects.select_related("round", "unit"),
            report_id,
            expected_version,
            _("该排查报告已被他人修改，请刷新页面后重试。"),
        )
        today = timezone.localdate()
        if received_on is None:
            if actor.unit_id != report.unit_id or not actor.has_role("clerk", "handler", "section_head"):
                raise DomainError(_("只能由本单位人员报送本单位的排查报告。"), code="forbidden")
        elif not actor.has_role("section_head") or not actor.unit.is_above(report.unit):
            raise DomainError(_("只有上级单位的科室负责人可以补录纸质报告。"), code="forbidden")
        elif not report.round.period_start <= received_on <= today:
            raise DomainError(
                _("收到日期应在本轮起始日（%(day)s）至今天之间。")
                % {"day": report.round.period_start.isoformat()},
                field="received_on",
            )
        if report.state != ReportState.PENDING:
            raise DomainError(_("本轮排查报告已经报送。"), code="filed_already")
        filed_on = received_on or today
        if data.is_zero and data.findings:
            raise DomainError(_("零报告不能填写排查发现。"), field="findings")
        if not data.is_zero and not data.findings:
            raise DomainError(_("请填写排查发现，或选择零报告。"), field="findings")
        if len(data.findings) > MAX_FINDINGS:
            raise DomainError(_("一次最多填写%(max)s条排查发现。") % {"max": MAX_FINDINGS}, field="findings")
        findings = [_finding(report, entry, index) for index, entry in enumerate(data.findings)]
        Finding.objects.bulk_create(findings)
        deadline = deadline_meet(
            subject=report_subject(report), kind=SCREENING_REPORT, met_on=filed_on, actor=actor
        )
        report.state = (
            ReportState.FILED if deadline.status == DeadlineStatus.MET_ON_TIME else ReportState.FILED_LATE
        )
        report.is_zero = data.is_zero
        report.summary = text(data.summary, "summary", 2000, required=False)
        report.filed_on, report.filed_by = filed_on, actor
        report.save(
            update_fields=bump_version(report, ["state", "is_zero", "summary", "filed_on", "filed_by"])
        )
        audit_record(
            actor=actor,
            action="ledger.screening_report.filed",
            target=report,
            detail={
                "zero": data.is_zero,
                "findings": len(findings),
                "late": report.state == ReportState.FILED_LATE,
            },
        )
    return report


def finding_promote(
    *, actor: User, finding_id: int, data: KeyCaseInput, expected_version: int | None = None
) -> KeyCase:
    """Promote a finding to a key case in one step; the finding keeps a link to it."""
    with transaction.atomic():
        finding = lock_version(
            Finding.objects.select_related("report__unit"),
            finding_id,
            expected_version,
            _("该排查发现已被他人修改，请刷新页面后重试。"),
        )
        if not actor.unit.contains(finding.report.unit):
            raise DomainError(_("只能将本单位或下级单位的排查发现列入台账。"), code="forbidden")
        if finding.promoted_case_id is not None:
            raise DomainError(_("该排查发现已列入台账。"), code="promoted_already")
        data.source = Source.SCREENING
        case = keycase_create(actor=actor, data=data)
        finding.promoted_case = case
        finding.save(update_fields=bump_version(finding, ["promoted_case"]))
        audit_record(actor=actor, action="ledger.finding.promoted", target=finding, detail={"case": case.pk})
    return case

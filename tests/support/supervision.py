"""Subjects for 督办单 in tests that are not about the subject: a screening finding of a unit, written directly
(test set-up: it opens no clock and registers no item, so counts under test stay as they were)."""

from __future__ import annotations

from datetime import date

from accountability.services.deadlines import Subject
from core.models import Unit
from ledger.choices import FINDING_SUBJECT, FocusArea, Frequency, ReportState, RiskLevel
from ledger.models import Finding, ScreeningReport, ScreeningRound

ROUND_START = date(2025, 1, 6)


def finding_on(unit: Unit, description: str = "某小区业主与物业因停车收费发生纠纷。") -> Subject:
    """A finding in `unit`'s screening report of a past round, as the subject a 督办单 is issued on."""
    round_, _ = ScreeningRound.objects.get_or_create(
        frequency=Frequency.WEEKLY,
        period_start=ROUND_START,
        defaults={"period_end": date(2025, 1, 12)},
    )
    report, _ = ScreeningReport.objects.get_or_create(
        round=round_, unit=unit, defaults={"state": ReportState.FILED, "filed_on": date(2025, 1, 10)}
    )
    finding = Finding.objects.create(
        report=report, description=description, focus_area=FocusArea.LAND, risk_level=RiskLevel.MEDIUM
    )
    return Subject(FINDING_SUBJECT, finding.pk)

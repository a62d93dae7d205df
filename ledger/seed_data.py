"""Reference data loaded by migration: the deadline rules of the ledger's clocks (化解时限, 排查报告, 敏感时期日报)."""

from __future__ import annotations

from typing import Any

from ledger.choices import DAILY_REPORT, RESOLVE, SCREENING_REPORT

# kind: (label, days, day unit, roll forward, warn days before, basis)
LEDGER_RULES: dict[str, tuple[str, int, str, bool, int, str]] = {
    RESOLVE: ("化解时限", 90, "calendar", False, 7, "包案领导确定的化解时限（默认90日）"),
    SCREENING_REPORT: ("排查报告", 2, "working", True, 1, "每周一排查、每周一通报、每周一反馈"),
    DAILY_REPORT: ("敏感时期日报", 1, "calendar", False, 0, "敏感时期每日报告（含零报告）"),
}


def ledger_rules_load(DeadlineRule: Any) -> None:
    """Create or update the ledger's deadline rules (real or historical model class)."""
    for kind, (label, days, unit, roll, warn, article) in LEDGER_RULES.items():
        DeadlineRule.objects.update_or_create(
            kind=kind,
            defaults={
                "label": label,
                "days": days,
                "day_unit": unit,
                "roll_forward": roll,
                "is_obligation": True,
                "max_extensions": 0,
                "max_extension_days": 0,
                "warn_days_before": warn,
                "article": article,
            },
        )

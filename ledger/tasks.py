"""Celery tasks of the ledger: thin wrappers around one service each, safe to rerun."""

from __future__ import annotations

from celery import shared_task

from ledger.services.screening import screening_rounds_open
from ledger.services.sensitive import daily_reports_open


@shared_task(name="ledger.screening_rounds_open")
def screening_rounds_open_task() -> list[int]:
    """Open the current screening round of each frequency; returns the round ids."""
    return [round_.pk for round_ in screening_rounds_open()]


@shared_task(name="ledger.daily_reports_open")
def daily_reports_open_task() -> int:
    """Open today's daily reports of running sensitive periods; returns how many were added."""
    return daily_reports_open()

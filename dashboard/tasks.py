"""Celery tasks of the leaders' pages: thin wrappers that call one service."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from dashboard.bulletin import bulletins_generate


@shared_task(name="dashboard.weekly_bulletins", acks_late=True, time_limit=1800, soft_time_limit=1740)
def weekly_bulletins_task(*, week_start: str | None = None) -> int:
    """Freeze last week's bulletins (or those of the week from `week_start`); returns how many were created.

    acks_late is harmless: a rerun finds every bulletin already stored under its unique key and adds nothing.
    """
    start = date.fromisoformat(week_start) if week_start else None
    return len(bulletins_generate(actor=None, week_start=start))

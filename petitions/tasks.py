"""Celery tasks of petitions: thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task

from petitions.services.windows import items_close_lapsed_windows


@shared_task(name="petitions.close_lapsed_windows")
def close_lapsed_windows_task() -> int:
    """Close items whose petitioner let the 复查/复核 window lapse; returns how many were closed."""
    return items_close_lapsed_windows()

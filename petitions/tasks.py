"""Celery tasks of petitions: thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task

from petitions.projections.subtree_sums import subtree_months_refresh
from petitions.services.held_uploads import held_purge_stale
from petitions.services.windows import items_close_lapsed_windows


@shared_task(name="petitions.close_lapsed_windows")
def close_lapsed_windows_task() -> int:
    """Close items whose petitioner let the 复查/复核 window lapse; returns how many were closed."""
    return items_close_lapsed_windows()


@shared_task(name="petitions.subtree_months_refresh")
def subtree_months_refresh_task() -> int:
    """Sum the changed months of the items' monthly roll-up per unit subtree; returns how many months."""
    return len(subtree_months_refresh())


@shared_task(name="petitions.held_uploads_purge")
def held_uploads_purge_task() -> int:
    """Remove files held for refused registration forms not touched for a day; returns how many forms."""
    return held_purge_stale()

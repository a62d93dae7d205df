"""Periodic maintenance tasks of core, run by Celery beat."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.audit.purge import audit_purge_expired
from core.rollups import rollups_registered
from core.services.maintenance import login_attempts_purge, sessions_clear_expired
from core.services.users import users_disable_inactive


@shared_task(name="core.sessions_clear_expired")
def sessions_clear_expired_task() -> int:
    """Delete expired sessions; returns how many were removed."""
    return sessions_clear_expired()


@shared_task(name="core.users_disable_inactive")
def users_disable_inactive_task() -> int:
    """Disable accounts unused for XF_ACCOUNT_INACTIVE_DAYS; returns how many (a rerun the same day finds none)."""
    return len(users_disable_inactive())


@shared_task(name="core.login_attempts_purge")
def login_attempts_purge_task() -> int:
    """Delete sign-in attempt records older than the retention period; returns how many."""
    return login_attempts_purge()


@shared_task(name="core.audit_purge_expired")
def audit_purge_expired_task() -> int:
    """Delete audit rows past XF_AUDIT_RETENTION_DAYS; returns how many."""
    return audit_purge_expired()


@shared_task(name="core.rollups_repair")
def rollups_repair_task(days_back: int = 400) -> int:
    """Compare every daily roll-up with its source over the last `days_back` days; rebuild the days that drifted."""
    today = timezone.localdate()
    return sum(
        len(rollup.repair(days_back=days_back, today=today)) for rollup in rollups_registered().values()
    )

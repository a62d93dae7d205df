"""Periodic maintenance tasks of core, run by Celery beat."""

from __future__ import annotations

from celery import shared_task

from core.services.maintenance import login_attempts_purge, sessions_clear_expired


@shared_task(name="core.sessions_clear_expired")
def sessions_clear_expired_task() -> int:
    """Delete expired sessions; returns how many were removed."""
    return sessions_clear_expired()


@shared_task(name="core.login_attempts_purge")
def login_attempts_purge_task() -> int:
    """Delete sign-in attempt records older than the retention period; returns how many."""
    return login_attempts_purge()

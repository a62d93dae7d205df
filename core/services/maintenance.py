"""Housekeeping writes: expired sessions and old sign-in attempt records."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from core.audit.record import audit_record
from core.services.sessions import user_sessions_forget_expired


def sessions_clear_expired() -> int:
    """Remove sessions past their expiry (Django never deletes them by itself), and their 登录会话 records."""
    with transaction.atomic():
        deleted, _detail = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        forgotten = user_sessions_forget_expired()
        if deleted or forgotten:
            audit_record(
                actor=None,
                action="core.sessions.cleared",
                object_type="sessions.session",
                detail={"deleted": deleted, "records": forgotten},
            )
    return int(deleted)


def login_attempts_purge() -> int:
    """Remove sign-in failure records older than XF_LOGIN_ATTEMPT_RETENTION_DAYS (the audit log keeps its own)."""
    cutoff = timezone.now() - timedelta(days=settings.XF_LOGIN_ATTEMPT_RETENTION_DAYS)
    with transaction.atomic():
        attempts, _a = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
        failures, _f = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
        total = int(attempts) + int(failures)
        if total:
            audit_record(
                actor=None,
                action="core.login_attempts.purged",
                object_type="axes.accessattempt",
                detail={"deleted": total, "before": cutoff.isoformat()},
            )
    return total

"""Purging audit rows past their retention: the only deletion the database allows on the audit table."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.errors import DomainError
from core.models import User

# The shortest retention the law allows for these logs; the database function refuses younger rows by itself.
AUDIT_MIN_RETENTION_DAYS = 184


def audit_purge(*, before: date, actor: User | None = None) -> int:
    """Delete the oldest audit rows, those recorded before `before`; returns how many. The purge is audited."""
    latest_allowed = timezone.localdate() - timedelta(days=AUDIT_MIN_RETENTION_DAYS)
    if before > latest_allowed:
        raise DomainError(
            _("审计记录至少保留 %(days)s 天：只能清理 %(date)s 及以前的记录。")
            % {"days": AUDIT_MIN_RETENTION_DAYS, "date": f"{latest_allowed:%Y-%m-%d}"},
            field="before",
        )
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT core_auditevent_purge(%s)", [cutoff])
        row = cursor.fetchone()
        removed = int(row[0]) if row else 0
        if removed:
            audit_record(
                actor=actor,
                action="core.audit.purged",
                object_type="core.auditevent",
                object_repr=_("清理 %(date)s 以前的审计记录") % {"date": f"{before:%Y-%m-%d}"},
                detail={"before": before.isoformat(), "deleted": removed},
            )
    return removed


def audit_purge_expired() -> int:
    """Delete audit rows older than XF_AUDIT_RETENTION_DAYS (never fewer than 184 days)."""
    days = max(settings.XF_AUDIT_RETENTION_DAYS, AUDIT_MIN_RETENTION_DAYS)
    return audit_purge(before=timezone.localdate() - timedelta(days=days))

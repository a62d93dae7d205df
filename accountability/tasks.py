"""Celery tasks of the clock engine: thin wrappers that call one service and re-queue for the next batch."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from accountability.services.deadlines import deadlines_recompute
from accountability.services.notifications import notifications_mail
from accountability.services.supervision import supervision_orders_from_ladder
from accountability.services.sweep import sweep_lock, sweep_locked
from core.models import User
from core.selectors import calendar_snapshot


@shared_task(name="accountability.deadlines_recompute")
def deadlines_recompute_task(
    *,
    cause: str,
    actor_id: int | None = None,
    years: list[int] | None = None,
    kind: str | None = None,
    after_id: int = 0,
) -> int:
    """Recompute one batch of open deadlines, then queue the next batch; returns how many due dates changed."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    changed, last_id = deadlines_recompute(
        cause=cause, actor=actor, years=years, kind=kind, after_id=after_id
    )
    if last_id is not None:
        deadlines_recompute_task.delay(
            cause=cause, actor_id=actor_id, years=years, kind=kind, after_id=last_id
        )
    return changed


@shared_task(
    name="accountability.sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=900,
    soft_time_limit=840,
)
def sweep_task(*, today: str | None = None, working_days_only: bool = False) -> dict[str, int] | None:
    """Run the overdue sweep, then issue the 督办单 its rungs call for; None when skipped."""
    business_date = date.fromisoformat(today) if today else timezone.localdate()
    if working_days_only and not calendar_snapshot().is_working_day(business_date):
        return None
    with sweep_lock() as held:
        if not held:
            return None  # another sweep is running; it covers this run's work
        run = sweep_locked(today=business_date)
        orders = supervision_orders_from_ladder(today=business_date)
    return {
        "deadlines": run.deadlines_seen,
        "escalations": run.escalations_created,
        "notifications": run.notifications_created,
        "orders": orders,
    }


@shared_task(name="accountability.notifications_mail", acks_late=True, time_limit=300, soft_time_limit=240)
def notifications_mail_task() -> int:
    """Send pending notification e-mails (each claimed first, so none goes out twice)."""
    return notifications_mail()

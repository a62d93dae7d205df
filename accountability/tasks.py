"""Celery tasks of the clock engine: thin wrappers that call one service and re-queue for the next batch."""

from __future__ import annotations

from celery import shared_task

from accountability.services import deadlines_recompute
from core.models import User


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

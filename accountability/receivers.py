"""Reactions to core's signals: a calendar change queues the recomputation of open deadlines."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accountability.choices import DeadlineChangeCause
from accountability.services.deadlines import recompute_later
from core.signals import calendar_changed


@receiver(calendar_changed)
def recompute_after_calendar_change(sender: Any, years: list[int], **kwargs: Any) -> None:
    """Queue a batched recomputation of open deadlines that touch the changed years."""
    recompute_later(cause=DeadlineChangeCause.RECOMPUTED_CALENDAR, actor_id=None, years=years)


def ladder_defaults_after_migrate(sender: Any, **kwargs: Any) -> None:
    """After migrate, give every obligation kind without a ladder the default rungs."""
    from accountability.services.ladder import ladder_defaults_load

    ladder_defaults_load()

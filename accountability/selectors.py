"""Reads of deadlines: a subject's clocks with days left, and the open ones of a set of units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineRule
from core.selectors import calendar_snapshot
from core.workcalendar import count_working_days


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as a page shows it: the row plus days left in calendar and working days."""

    deadline: Deadline
    calendar_days_left: int
    working_days_left: int

    @property
    def overdue(self) -> bool:
        """An obligation past its due date; a petitioner's window that ran out is not anyone's overdue work."""
        return self.past_due and self.deadline.rule.is_obligation

    @property
    def past_due(self) -> bool:
        return self.deadline.status == DeadlineStatus.OPEN and self.calendar_days_left < 0

    @property
    def late(self) -> bool:
        return self.deadline.status in (DeadlineStatus.MET_LATE, DeadlineStatus.MISSED) or self.overdue


def deadline_views(deadlines: Iterable[Deadline], *, today: date | None = None) -> list[DeadlineView]:
    """Wrap deadlines with their days left as of `today` (negative: days overdue)."""
    today = today or timezone.localdate()
    calendar = calendar_snapshot()
    views = []
    for deadline in deadlines:
        views.append(
            DeadlineView(
                deadline=deadline,
                calendar_days_left=(deadline.due_on - today).days,
                working_days_left=count_working_days(after=today, until=deadline.due_on, calendar=calendar),
            )
        )
    return views


def deadlines_of_subject(subject_type: str, subject_id: int) -> QuerySet[Deadline]:
    """Every clock of one subject, oldest first. Callers check the subject is visible before calling."""
    return (
        Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("rule", "unit", "responsible")
        .prefetch_related("extensions", "pauses")
        .order_by("opened_at", "id")
    )


def deadlines_open_for_subjects(subject_type: str, subject_ids: Iterable[int]) -> QuerySet[Deadline]:
    """Open clocks of many subjects at once (for lists: one query, not one per row)."""
    return Deadline.objects.filter(
        subject_type=subject_type, subject_id__in=list(subject_ids), status=DeadlineStatus.OPEN
    ).select_related("rule")


def deadline_rules() -> QuerySet[DeadlineRule]:
    """Every deadline rule (reference data shown to all users)."""
    return DeadlineRule.objects.order_by("kind")

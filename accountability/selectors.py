"""Reads of deadlines: a subject's clocks with days left, and the open ones of a set of units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineRule, Escalation, Notification, SupervisionOrder, SweepRun
from core.models import User
from core.selectors import calendar_snapshot, unit_ids_visible_to
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


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own inbox, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (the header badge)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def escalation_get_for_user(user: User, escalation_id: int) -> Escalation:
    """An escalation of a unit in the user's subtree, or one the user was told of; 404 otherwise."""
    visible = Q(unit_id__in=unit_ids_visible_to(user)) | Q(notifications__recipient=user)
    found = Escalation.objects.filter(visible, pk=escalation_id).select_related("deadline").first()
    if found is None:
        raise Http404
    return found


def supervision_orders_for_user(user: User) -> QuerySet[SupervisionOrder]:
    """督办单 the user's subtree received or issued."""
    units = unit_ids_visible_to(user)
    return (
        SupervisionOrder.objects.filter(Q(unit_id__in=units) | Q(issuing_unit_id__in=units))
        .select_related("unit", "issuing_unit", "issued_by", "replied_by")
        .order_by("status", "-issued_on", "-id")
    )


def supervision_order_get_for_user(user: User, order_id: int) -> SupervisionOrder:
    """One 督办单 in the user's reach, or 404."""
    return get_object_or_404(supervision_orders_for_user(user), pk=order_id)


def supervision_reply_clock(order: SupervisionOrder) -> Deadline | None:
    """The reply deadline of a 督办单 (the latest one)."""
    return (
        Deadline.objects.filter(subject_type="accountability.supervisionorder", subject_id=order.pk)
        .order_by("-id")
        .first()
    )


def sweep_runs_recent(limit: int = 20) -> list[SweepRun]:
    """The latest sweep heartbeats, newest first."""
    return list(SweepRun.objects.order_by("-started_at")[:limit])


def sweep_health(*, late_after_minutes: int) -> dict[str, object]:
    """The last finished sweep, whether it is late, and e-mails stuck in the claimed state."""
    last = SweepRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    late = (
        last is None
        or last.finished_at is None
        or last.finished_at < timezone.now() - timedelta(minutes=late_after_minutes)
    )
    return {
        "last": last,
        "late": late,
        "open_deadlines_waiting": Deadline.objects.filter(
            status="open", next_step_on__lte=timezone.localdate()
        ).count(),
        "mail_pending": Notification.objects.filter(email_state="pending").count(),
        "mail_claimed": Notification.objects.filter(email_state="claimed").count(),
        "mail_failed": Notification.objects.filter(email_state="failed").count(),
    }

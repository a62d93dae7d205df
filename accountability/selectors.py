"""Reads of deadlines: a subject's clocks with days left, and the open ones of a set of units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.measures import Measure, Period, measures_for
from accountability.models import (
    AccountabilityRecord,
    Circular,
    Deadline,
    DeadlineRule,
    Escalation,
    EscalationStep,
    LadderPosition,
    Notification,
    SupervisionOrder,
    SweepRun,
)
from accountability.subjects import SubjectSummary, subject_url, subjects_describe
from core.models import Unit, User
from core.selectors import calendar_snapshot, unit_ids_visible_to, unit_qs_visible_to
from core.workcalendar import CalendarSnapshot, count_working_days


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as a page shows it: the row plus days left in calendar and working days."""

    deadline: Deadline
    calendar_days_left: int
    today: date
    calendar: CalendarSnapshot

    @cached_property
    def working_days_left(self) -> int:
        """Working days from today to the due date, negative when overdue (counted when a page asks: lists show
        calendar days only)."""
        return count_working_days(after=self.today, until=self.deadline.due_on, calendar=self.calendar)

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
                today=today,
                calendar=calendar,
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


def notifications_for(user: User, *, kind: str = "") -> QuerySet[Notification]:
    """The user's own inbox rows (digests, not their entries), newest first, of one kind or all."""
    rows = Notification.objects.filter(recipient=user, digest__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("escalation__step", "escalation__deadline__rule").order_by(
        "-created_at", "-id"
    )


def unread_count(user: User) -> int:
    """How many of the user's inbox rows are unread (the header badge): the rows the unfiltered inbox shows bold."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True, digest__isnull=True).count()


def unread_counts_by_kind(user: User) -> dict[str, int]:
    """Unread inbox rows per kind (the filter tabs), one grouped query."""
    rows = (
        Notification.objects.filter(recipient=user, read_at__isnull=True, digest__isnull=True)
        .values_list("kind")
        .annotate(unread=Count("id"))
        .order_by()
    )
    return dict(rows)


@dataclass(frozen=True)
class NoticeLine:
    """One item or case a notification names: number, one-line summary, deadline, what happened and its link."""

    reference: str
    summary: str
    due_on: date | None
    label: str
    url: str


@dataclass(frozen=True)
class NoticeRow:
    """An inbox row as shown or e-mailed: the notification and the items it names (a digest names many)."""

    notification: Notification
    lines: list[NoticeLine]


def _escalation_label(notification: Notification) -> str:
    escalation = notification.escalation
    if escalation is None:
        return ""
    return f"【{escalation.step.get_step_display()}】{escalation.deadline.rule.label}"


def notice_rows(notifications: Iterable[Notification]) -> list[NoticeRow]:
    """Each notification with the items it names: a digest's entries (one query), an escalation's subject, or the
    number and summary the sender gave; subjects are described by their apps, one query per subject type."""
    notifications = list(notifications)
    digest_ids = [n.pk for n in notifications if n.is_digest]
    entries: dict[int, list[Notification]] = {}
    if digest_ids:
        for entry in (
            Notification.objects.filter(digest_id__in=digest_ids)
            .select_related("escalation__step", "escalation__deadline__rule")
            .order_by("due_on", "id")
        ):
            entries.setdefault(entry.digest_id or 0, []).append(entry)
    named = [entry for found in entries.values() for entry in found]
    named += [n for n in notifications if n.escalation is not None]
    described = subjects_describe(
        (n.escalation.deadline.subject_type, n.escalation.deadline.subject_id)
        for n in named
        if n.escalation is not None
    )

    def line(n: Notification) -> NoticeLine:
        if n.escalation is None:
            return NoticeLine(n.reference, n.summary, n.due_on, "", n.url)
        deadline = n.escalation.deadline
        subject = described[(deadline.subject_type, deadline.subject_id)]
        return NoticeLine(
            n.reference or subject.reference,
            n.summary or subject.summary,
            n.due_on or n.escalation.due_on,
            _escalation_label(n),
            n.url,
        )

    return [
        NoticeRow(n, [line(entry) for entry in entries.get(n.pk, [])] if n.is_digest else [line(n)])
        for n in notifications
    ]


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
        "open_deadlines_waiting": LadderPosition.objects.filter(
            next_step_on__lte=timezone.localdate()
        ).count(),
        "mail_pending": Notification.objects.filter(email_state="pending").count(),
        "mail_claimed": Notification.objects.filter(email_state="claimed").count(),
        "mail_failed": Notification.objects.filter(email_state="failed").count(),
    }


def _naming_my_unit(user: User) -> Q:
    """通报 from the user's unit or a unit above it whose rows name the user's unit: a 通报 is circulated to the
    units it names. Read through the issuing unit's index (the few units on the path up), then the rows."""
    if not isinstance(user, User) or not user.is_active:
        return Q(pk__in=[])
    unit = user.unit
    up_the_path = [unit.path[:end] for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return Q(issuing_unit__path__in=up_the_path, rows__contains=[{"unit_id": unit.pk}])


def circulars_for_user(user: User) -> QuerySet[Circular]:
    """通报 issued by a unit in the user's subtree, and those from above that name the user's unit, newest first."""
    return (
        Circular.objects.filter(Q(issuing_unit_id__in=unit_ids_visible_to(user)) | _naming_my_unit(user))
        .select_related("issuing_unit", "issued_by")
        .order_by("-issued_at")
    )


def circulars_naming_my_unit(user: User, *, since: date) -> QuerySet[Circular]:
    """通报 issued on or after `since` that name the user's own unit, newest first."""
    if not user.is_authenticated or user.is_admin_role:
        return Circular.objects.none()
    return Circular.objects.filter(_naming_my_unit(user), issued_at__date__gte=since).order_by(
        "-issued_at", "-id"
    )


def circular_get_for_user(user: User, circular_id: int) -> Circular:
    """One archived 通报 in the user's reach, or 404."""
    return get_object_or_404(circulars_for_user(user), pk=circular_id)


def accountability_records_for_user(user: User) -> QuerySet[AccountabilityRecord]:
    """追责 records of units in the user's subtree, latest decision first."""
    return (
        AccountabilityRecord.objects.filter(unit_id__in=unit_ids_visible_to(user))
        .select_related("unit", "recorded_by", "supervision_order", "circular")
        .order_by("-decided_on", "-id")
    )


@dataclass(frozen=True)
class AssessmentRow:
    """One unit's line on the assessment page: the unit, whether it is the total line, and its measures."""

    unit: Unit
    is_total: bool
    measures: list[Measure]

    def measure(self, code: str) -> Measure | None:
        return next((measure for measure in self.measures if measure.code == code), None)


def assessment_unit_for_user(user: User, unit_id: str | None) -> Unit:
    """The unit whose children are ranked: the user's own, or one below it (404 outside the subtree)."""
    if not unit_id:
        return user.unit
    return get_object_or_404(unit_qs_visible_to(user), pk=unit_id)


def assessment_rows(root: Unit, period: Period, *, sort: str) -> list[AssessmentRow]:
    """The root's total first, then its direct sub-units ranked by the `sort` measure (best first)."""
    children = list(Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1, is_active=True))
    found = measures_for([root, *children], period)
    rows = [AssessmentRow(unit, False, found[unit.pk]) for unit in children]

    def rank(row: AssessmentRow) -> tuple[int, float, str]:
        measure = row.measure(sort)
        if measure is None:
            return (1, 0.0, row.unit.path)
        value = measure.rate if measure.is_rate else float(measure.numerator)
        if value is None:
            return (1, 0.0, row.unit.path)
        # Rates: higher is better, except the bad ones (overdue, repeats), where fewer is better.
        better_high = sort not in LOWER_IS_BETTER
        return (0, -value if better_high else value, row.unit.path)

    rows.sort(key=rank)
    return [AssessmentRow(root, True, found[root.pk]), *rows]


LOWER_IS_BETTER = frozenset({"overdue", "supervised", "repeat"})


def ladder_rules() -> list[DeadlineRule]:
    """Obligation kinds with their rungs in order, for the ladder settings page."""
    return list(DeadlineRule.objects.filter(is_obligation=True).prefetch_related("steps").order_by("kind"))


def escalation_step_get(step_id: int) -> EscalationStep:
    """One rung, or 404."""
    return get_object_or_404(EscalationStep.objects.select_related("rule"), pk=step_id)


def supervision_reply_clocks(order_ids: Iterable[int]) -> dict[int, Deadline]:
    """The reply deadline (the latest one) of each of many 督办单: one query for a whole list page."""
    clocks = Deadline.objects.filter(
        subject_type="accountability.supervisionorder", subject_id__in=list(order_ids)
    ).order_by("subject_id", "id")
    return {clock.subject_id: clock for clock in clocks}


@dataclass(frozen=True)
class OrderRow:
    """A 督办单 as a list or a subject's page shows it: the order, its subject's number and one-line summary, the
    subject's page and the reply clock."""

    order: SupervisionOrder
    subject: SubjectSummary | None
    subject_link: str
    reply_clock: Deadline | None


def supervision_order_rows(orders: Iterable[SupervisionOrder]) -> list[OrderRow]:
    """Each order with its subject described (one query per subject type) and its reply clock (one query)."""
    orders = list(orders)
    described = subjects_describe(
        (order.subject_type, order.subject_id) for order in orders if order.subject_id is not None
    )
    clocks = supervision_reply_clocks(order.pk for order in orders)
    return [
        OrderRow(
            order,
            described.get((order.subject_type, order.subject_id)) if order.subject_id is not None else None,
            subject_url(order.subject_type, order.subject_id) if order.subject_id is not None else "",
            clocks.get(order.pk),
        )
        for order in orders
    ]


def supervision_orders_of_subject(
    user: User, subject_type: str, subject_id: int
) -> QuerySet[SupervisionOrder]:
    """督办单 on one item, key case or finding that the user's subtree received or issued, newest first."""
    return (
        supervision_orders_for_user(user)
        .filter(subject_type=subject_type, subject_id=subject_id)
        .order_by("-issued_on", "-id")
    )


def accountability_records_of_subject(
    user: User, subject_type: str, subject_id: int
) -> QuerySet[AccountabilityRecord]:
    """追责 records about one item or case, of units in the user's subtree, latest decision first."""
    return accountability_records_for_user(user).filter(subject_type=subject_type, subject_id=subject_id)


def subject_overdue(subject_type: str, subject_id: int, today: date) -> bool:
    """Whether one of the subject's obligations is open past its due date (a 追责 record may start from it)."""
    return Deadline.objects.filter(
        subject_type=subject_type,
        subject_id=subject_id,
        status=DeadlineStatus.OPEN,
        due_on__lt=today,
        rule__is_obligation=True,
    ).exists()

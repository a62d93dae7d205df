"""Writes to deadlines: open, meet, lapse, cancel, extend, pause, resume and recompute, each audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from celery import current_app
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import DeadlineChangeCause, DeadlineStatus
from accountability.models import Deadline, DeadlineChange, DeadlineExtension, DeadlinePause, DeadlineRule
from core.audit.record import audit_record
from core.choices import DayUnit
from core.errors import DomainError
from core.models import User
from core.selectors import calendar_snapshot
from core.versioning import lock_version
from core.workcalendar import CalendarSnapshot, compute_due_date, count_working_days


@dataclass(frozen=True)
class Subject:
    """What a deadline is about, named generically so this app never imports the apps that use it."""

    type: str
    id: int


def _schedule(deadline: Deadline, calendar: CalendarSnapshot) -> tuple[date, date, bool]:
    """(nominal, due, provisional) from the deadline's own rule, extension and paused time."""
    total = deadline.days + deadline.extension_days + deadline.paused_days
    result = compute_due_date(
        start_on=deadline.starts_on,
        days=total,
        unit=deadline.day_unit,
        roll_forward=deadline.roll_forward,
        calendar=calendar,
    )
    return result.nominal_on, result.due_on, result.provisional


def _record_change(
    deadline: Deadline,
    cause: str,
    *,
    due_before: date | None,
    actor: User | None,
    calendar_version: int,
    detail: dict[str, Any] | None = None,
) -> None:
    DeadlineChange.objects.create(
        deadline=deadline,
        cause=cause,
        due_before=due_before,
        due_after=deadline.due_on,
        calendar_version=calendar_version,
        actor=actor,
        detail=detail or {},
    )


def _locked_open(subject: Subject, kind: str) -> Deadline:
    deadline = (
        Deadline.objects.select_for_update()
        .filter(subject_type=subject.type, subject_id=subject.id, rule_id=kind, status=DeadlineStatus.OPEN)
        .first()
    )
    if deadline is None:
        raise DomainError(_("没有正在计时的“%(kind)s”时限。") % {"kind": kind}, code="no_open_deadline")
    return deadline


def _fix_due_date(deadline: Deadline, due_on: date) -> None:
    """Make the deadline run to `due_on` exactly, counted in calendar days from its start."""
    if due_on <= deadline.starts_on:
        raise DomainError(_("到期日应晚于起算日（%(day)s）。") % {"day": deadline.starts_on}, field="due_on")
    deadline.days = (due_on - deadline.starts_on).days - deadline.extension_days - deadline.paused_days
    if deadline.days < 1:
        raise DomainError(_("到期日应晚于已延长和中止的天数之后。"), field="due_on")
    deadline.day_unit = DayUnit.CALENDAR
    deadline.roll_forward = False
    deadline.fixed = True


def deadline_open(
    *,
    subject: Subject,
    kind: str,
    unit_id: int,
    starts_on: date,
    actor: User | None,
    responsible_id: int | None = None,
    overseer_id: int | None = None,
    due_on: date | None = None,
) -> Deadline:
    """Start a clock of `kind` from `starts_on` (not counted), using the kind's current rule.

    With `due_on` the clock runs to that date exactly (a date a person set, e.g. a key case's 化解时限): it is
    counted in calendar days, never rolled forward, and left alone when the kind's rule changes.
    """
    with transaction.atomic():
        rule = DeadlineRule.objects.get(pk=kind)
        calendar = calendar_snapshot()
        deadline = Deadline(
            subject_type=subject.type,
            subject_id=subject.id,
            rule=rule,
            unit_id=unit_id,
            responsible_id=responsible_id,
            overseer_id=overseer_id,
            starts_on=starts_on,
            days=rule.days,
            day_unit=rule.day_unit,
            roll_forward=rule.roll_forward,
            calendar_version=calendar.version,
        )
        if due_on is not None:
            _fix_due_date(deadline, due_on)
        deadline.nominal_on, deadline.due_on, deadline.provisional = _schedule(deadline, calendar)
        deadline.save()
        _record_change(
            deadline,
            DeadlineChangeCause.OPENED,
            due_before=None,
            actor=actor,
            calendar_version=calendar.version,
        )
        audit_record(
            actor=actor,
            action="accountability.deadline.opened",
            target=deadline,
            detail={
                "kind": kind,
                "subject": f"{subject.type}#{subject.id}",
                "due_on": deadline.due_on.isoformat(),
            },
        )
    return deadline


def _close(
    deadline: Deadline,
    status: str,
    cause: str,
    *,
    actor: User | None,
    met_on: date | None = None,
    reason: str = "",
) -> None:
    deadline.status = status
    deadline.met_on = met_on
    deadline.closed_at = timezone.now()
    if deadline.paused_since is not None:
        DeadlinePause.objects.filter(deadline=deadline, ended_on__isnull=True).update(
            ended_on=met_on or timezone.localdate(), ended_by=actor
        )
        deadline.paused_since = None
    deadline.save(update_fields=["status", "met_on", "closed_at", "paused_since"])
    _record_change(
        deadline,
        cause,
        due_before=deadline.due_on,
        actor=actor,
        calendar_version=deadline.calendar_version,
        detail={"status": status, "met_on": met_on.isoformat() if met_on else None, "reason": reason},
    )
    audit_record(
        actor=actor,
        action=f"accountability.deadline.{cause}",
        target=deadline,
        changed_fields=["status", "met_on"] if met_on else ["status"],
        detail={"status": status, "reason": reason},
    )


def deadline_meet(*, subject: Subject, kind: str, met_on: date, actor: User | None) -> Deadline:
    """Stop the clock because the step was done on `met_on`: on time or late."""
    with transaction.atomic():
        deadline = _locked_open(subject, kind)
        if met_on < deadline.starts_on:
            raise DomainError(
                _("办理日期不能早于起算日 %(day)s。") % {"day": deadline.starts_on.isoformat()}, field="on"
            )
        if deadline.paused_since is not None:
            # Time paused up to the day the step was done (e.g. a hearing not yet ended) does not count.
            deadline = deadline_resume(
                subject=subject, kind=kind, on=max(met_on, deadline.paused_since), actor=actor
            )
        status = DeadlineStatus.MET_ON_TIME if met_on <= deadline.due_on else DeadlineStatus.MET_LATE
        _close(deadline, status, DeadlineChangeCause.MET, actor=actor, met_on=met_on)
    return deadline


def deadline_reopen(*, subject: Subject, kind: str, actor: User | None, reason: str) -> Deadline:
    """Run a met clock again from where it stood (the step was sent back for rework): same start, same due date,
    so the days spent on the withdrawn answer still count."""
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update()
            .filter(
                subject_type=subject.type,
                subject_id=subject.id,
                rule_id=kind,
                status__in=[DeadlineStatus.MET_ON_TIME, DeadlineStatus.MET_LATE],
            )
            .order_by("-closed_at", "-id")
            .first()
        )
        if deadline is None:
            raise DomainError(
                _("没有已完成的“%(kind)s”时限可以恢复。") % {"kind": kind}, code="no_met_deadline"
            )
        met_on = deadline.met_on
        deadline.status, deadline.met_on, deadline.closed_at = DeadlineStatus.OPEN, None, None
        deadline.save(update_fields=["status", "met_on", "closed_at"])
        _record_change(
            deadline,
            DeadlineChangeCause.REOPENED,
            due_before=deadline.due_on,
            actor=actor,
            calendar_version=deadline.calendar_version,
            detail={"met_on_before": met_on.isoformat() if met_on else None, "reason": reason},
        )
        audit_record(
            actor=actor,
            action="accountability.deadline.reopened",
            target=deadline,
            changed_fields=["status", "met_on"],
            detail={"reason": reason},
        )
    return deadline


def deadline_lapse(*, subject: Subject, kind: str, actor: User | None) -> Deadline:
    """Close a clock that ran out: a petitioner's window lapses, an obligation is missed."""
    with transaction.atomic():
        deadline = _locked_open(subject, kind)
        if deadline.rule.is_obligation:
            _close(deadline, DeadlineStatus.MISSED, DeadlineChangeCause.MISSED, actor=actor)
        else:
            _close(deadline, DeadlineStatus.LAPSED, DeadlineChangeCause.LAPSED, actor=actor)
    return deadline


def deadline_cancel(*, subject: Subject, kind: str, actor: User | None, reason: str) -> Deadline | None:
    """Stop a clock that no longer applies; returns None when there was none running."""
    with transaction.atomic():
        try:
            deadline = _locked_open(subject, kind)
        except DomainError:
            return None
        _close(deadline, DeadlineStatus.CANCELLED, DeadlineChangeCause.CANCELLED, actor=actor, reason=reason)
    return deadline


def deadline_cancel_all(*, subject: Subject, actor: User | None, reason: str) -> int:
    """Stop every clock still running on a subject (e.g. the item was closed); returns how many."""
    kinds = list(
        Deadline.objects.filter(
            subject_type=subject.type, subject_id=subject.id, status=DeadlineStatus.OPEN
        ).values_list("rule_id", flat=True)
    )
    for kind in kinds:
        deadline_cancel(subject=subject, kind=kind, actor=actor, reason=reason)
    return len(kinds)


def deadline_extend(
    *, subject: Subject, kind: str, days: int, reason: str, approved_by: User, approved_on: date
) -> Deadline:
    """Lengthen the same period from the same start (60 + 30 = 90 日), within the rule's limits."""
    with transaction.atomic():
        deadline = _locked_open(subject, kind)
        rule = deadline.rule
        used = deadline.extensions.count()
        if used >= rule.max_extensions:
            raise DomainError(
                _("“%(label)s”最多延期%(count)s次，已经延期过。")
                % {"label": rule.label, "count": rule.max_extensions},
                field="days",
            )
        if not 1 <= days <= rule.max_extension_days:
            raise DomainError(
                _("延长天数应在1至%(max)s日之间。") % {"max": rule.max_extension_days}, field="days"
            )
        if not reason.strip():
            raise DomainError(_("请填写延期理由。"), field="reason")
        before = deadline.due_on
        calendar = calendar_snapshot()
        deadline.extension_days += days
        deadline.calendar_version = calendar.version
        deadline.nominal_on, deadline.due_on, deadline.provisional = _schedule(deadline, calendar)
        deadline.save(
            update_fields=["extension_days", "calendar_version", "nominal_on", "due_on", "provisional"]
        )
        DeadlineExtension.objects.create(
            deadline=deadline,
            days=days,
            reason=reason.strip(),
            approved_by=approved_by,
            approved_on=approved_on,
            due_before=before,
            due_after=deadline.due_on,
        )
        _record_change(
            deadline,
            DeadlineChangeCause.EXTENDED,
            due_before=before,
            actor=approved_by,
            calendar_version=calendar.version,
            detail={"days": days},
        )
        audit_record(
            actor=approved_by,
            action="accountability.deadline.extended",
            target=deadline,
            changed_fields=["extension_days", "due_on"],
            detail={"days": days, "due_before": before.isoformat(), "due_after": deadline.due_on.isoformat()},
        )
    return deadline


def deadline_pause(*, subject: Subject, kind: str, on: date, reason: str, actor: User) -> Deadline:
    """Stop counting from `on` (time that does not count, e.g. a hearing)."""
    with transaction.atomic():
        deadline = _locked_open(subject, kind)
        if deadline.paused_since is not None:
            raise DomainError(_("该时限已中止计时。"), code="already_paused")
        if on < deadline.starts_on:
            raise DomainError(_("中止日期不能早于起算日。"), field="on")
        deadline.paused_since = on
        deadline.save(update_fields=["paused_since"])
        DeadlinePause.objects.create(
            deadline=deadline, started_on=on, reason=reason.strip(), started_by=actor
        )
        _record_change(
            deadline,
            DeadlineChangeCause.PAUSED,
            due_before=deadline.due_on,
            actor=actor,
            calendar_version=deadline.calendar_version,
            detail={"on": on.isoformat(), "reason": reason},
        )
        audit_record(
            actor=actor,
            action="accountability.deadline.paused",
            target=deadline,
            changed_fields=["paused_since"],
        )
    return deadline


def deadline_resume(*, subject: Subject, kind: str, on: date, actor: User | None) -> Deadline:
    """Count again from `on`; the due date moves by the days paused."""
    with transaction.atomic():
        deadline = _locked_open(subject, kind)
        if deadline.paused_since is None:
            raise DomainError(_("该时限没有中止计时。"), code="not_paused")
        if on < deadline.paused_since:
            raise DomainError(_("恢复日期不能早于中止日期。"), field="on")
        calendar = calendar_snapshot()
        if deadline.day_unit == DayUnit.WORKING:
            paused = count_working_days(after=deadline.paused_since, until=on, calendar=calendar)
        else:
            paused = (on - deadline.paused_since).days
        before = deadline.due_on
        DeadlinePause.objects.filter(deadline=deadline, ended_on__isnull=True).update(
            ended_on=on, ended_by=actor
        )
        deadline.paused_days += paused
        deadline.paused_since = None
        deadline.calendar_version = calendar.version
        deadline.nominal_on, deadline.due_on, deadline.provisional = _schedule(deadline, calendar)
        deadline.save(
            update_fields=[
                "paused_days",
                "paused_since",
                "calendar_version",
                "nominal_on",
                "due_on",
                "provisional",
            ]
        )
        _record_change(
            deadline,
            DeadlineChangeCause.RESUMED,
            due_before=before,
            actor=actor,
            calendar_version=calendar.version,
            detail={"paused_days": paused},
        )
        audit_record(
            actor=actor,
            action="accountability.deadline.resumed",
            target=deadline,
            changed_fields=["paused_days", "due_on"],
            detail={"paused_days": paused},
        )
    return deadline


def deadlines_recompute(
    *,
    cause: str,
    actor: User | None,
    years: list[int] | None = None,
    kind: str | None = None,
    after_id: int = 0,
    batch_size: int = 500,
) -> tuple[int, int | None]:
    """Recompute one batch of open deadlines after a calendar or rule change.

    Returns (how many due dates changed, the last id looked at, or None when no rows remain) so a task can
    re-queue itself for the next batch and no single transaction grows large.
    """
    with transaction.atomic():
        open_rows = Deadline.objects.filter(status=DeadlineStatus.OPEN, id__gt=after_id)
        if kind is not None:
            open_rows = open_rows.filter(rule_id=kind, fixed=False)
        if years:
            first, last = date(min(years), 1, 1), date(max(years), 12, 31)
            # A count can only be affected by a year it touches: between its start and its (old) due date.
            open_rows = open_rows.filter(starts_on__lte=last, due_on__gte=first - timedelta(days=1))
        candidates = list(
            open_rows.order_by("id").values_list("id", "subject_type", "subject_id")[:batch_size]
        )
        if not candidates:
            return 0, None
        # Every life-cycle step locks its subject before its clock; taking the same order here means a
        # recompute and a step on the same subject wait for each other instead of deadlocking.
        _subjects_lock((subject_type, subject_id) for _, subject_type, subject_id in candidates)
        batch = list(
            open_rows.filter(id__in=[row[0] for row in candidates])
            .select_for_update(of=("self",), no_key=True)
            .select_related("rule")
            .order_by("id")
        )
        calendar = calendar_snapshot()
        changed = 0
        for deadline in batch:
            rule_before = (deadline.days, deadline.day_unit, deadline.roll_forward, deadline.provisional)
            if kind is not None:
                deadline.days = deadline.rule.days
                deadline.day_unit = deadline.rule.day_unit
                deadline.roll_forward = deadline.rule.roll_forward
            before = deadline.due_on
            deadline.calendar_version = calendar.version
            deadline.nominal_on, deadline.due_on, deadline.provisional = _schedule(deadline, calendar)
            deadline.save(
                update_fields=[
                    "days",
                    "day_unit",
                    "roll_forward",
                    "calendar_version",
                    "nominal_on",
                    "due_on",
                    "provisional",
                ]
            )
            if deadline.due_on != before:
                changed += 1
            rule_after = (deadline.days, deadline.day_unit, deadline.roll_forward, deadline.provisional)
            if deadline.due_on != before or rule_after != rule_before:
                # Rows that did not move keep their history short; the audit row counts everything looked at.
                _record_change(
                    deadline, cause, due_before=before, actor=actor, calendar_version=calendar.version
                )
        audit_record(
            actor=actor,
            action="accountability.deadlines.recomputed",
            object_type="accountability.deadline",
            object_repr=f"{len(batch)}",
            detail={
                "cause": cause,
                "looked_at": len(batch),
                "changed": changed,
                "years": years,
                "kind": kind,
            },
        )
    return changed, candidates[-1][0]


def _subjects_lock(subjects: Iterable[tuple[str, int]]) -> None:
    """Lock the subjects' rows (each type in id order), as a life-cycle step does before touching its clock."""
    ids_by_type: defaultdict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in subjects:
        ids_by_type[subject_type].add(subject_id)
    for subject_type in sorted(ids_by_type):
        try:
            model = apps.get_model(subject_type)
        except (LookupError, ValueError):
            continue  # A subject type with no table of its own has no row to lock.
        rows = model._base_manager.select_for_update().filter(pk__in=ids_by_type[subject_type]).order_by("pk")
        list(rows.values_list("pk", flat=True))


def recompute_later(
    *, cause: str, actor_id: int | None, years: list[int] | None = None, kind: str | None = None
) -> None:
    """Queue the batched recomputation after the current transaction commits."""
    kwargs = {"cause": cause, "actor_id": actor_id, "years": years, "kind": kind}
    transaction.on_commit(lambda: current_app.send_task("accountability.deadlines_recompute", kwargs=kwargs))


def deadline_rule_update(
    *,
    actor: User,
    kind: str,
    days: int,
    day_unit: str,
    roll_forward: bool,
    warn_days_before: int,
    expected_version: int | None = None,
) -> DeadlineRule:
    """Change a kind's default period (system admin); open deadlines are recomputed afterwards."""
    if not actor.has_role("system_admin"):
        raise DomainError(_("只有系统管理员可以修改时限规则。"), code="forbidden")
    if days < 1:
        raise DomainError(_("期限至少为1日。"), field="days")
    if day_unit not in DayUnit.values:
        raise DomainError(_("请选择计算单位（日或工作日）。"), field="day_unit")
    with transaction.atomic():
        rule = lock_version(
            DeadlineRule.objects.all(),
            kind,
            expected_version,
            _("该时限规则已被他人修改，请刷新页面后重试。"),
        )
        changed = [
            name
            for name, value in (
                ("days", days),
                ("day_unit", day_unit),
                ("roll_forward", roll_forward),
                ("warn_days_before", warn_days_before),
            )
            if getattr(rule, name) != value
        ]
        rule.days, rule.day_unit, rule.roll_forward, rule.warn_days_before = (
            days,
            day_unit,
            roll_forward,
            warn_days_before,
        )
        rule.version += 1
        rule.save()
        audit_record(actor=actor, action="accountability.rule.updated", target=rule, changed_fields=changed)
        if {"days", "day_unit", "roll_forward"} & set(changed):
            recompute_later(cause=DeadlineChangeCause.RECOMPUTED_RULE, kind=kind, actor_id=actor.pk)
    return rule


def deadline_reschedule(
    *, subject: Subject, kind: str, due_on: date, actor: User, reason: str = ""
) -> Deadline:
    """Set a new due date on a running clock whose date a person decides (e.g. a key case's 化解时限)."""
    with transaction.atomic():
        deadline = _locked_open(subject, kind)
        before = deadline.due_on
        _fix_due_date(deadline, due_on)
        calendar = calendar_snapshot()
        deadline.calendar_version = calendar.version
        deadline.nominal_on, deadline.due_on, deadline.provisional = _schedule(deadline, calendar)
        deadline.save(
            update_fields=[
                "days",
                "day_unit",
                "roll_forward",
                "fixed",
                "calendar_version",
                "nominal_on",
                "due_on",
                "provisional",
            ]
        )
        _record_change(
            deadline,
            DeadlineChangeCause.RESCHEDULED,
            due_before=before,
            actor=actor,
            calendar_version=calendar.version,
            detail={"reason": reason} if reason else None,
        )
        audit_record(
            actor=actor,
            action="accountability.deadline.rescheduled",
            target=deadline,
            changed_fields=["due_on"],
            detail={"due_before": before.isoformat(), "due_after": deadline.due_on.isoformat()},
        )
    return deadline


def deadline_reassign(
    *,
    subject: Subject,
    kind: str,
    unit_id: int,
    responsible_id: int | None,
    actor: User,
    overseer_id: int | None = None,
) -> Deadline | None:
    """Move a running clock to another responsible unit or person; None when no such clock runs."""
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update()
            .filter(
                subject_type=subject.type, subject_id=subject.id, rule_id=kind, status=DeadlineStatus.OPEN
            )
            .first()
        )
        if deadline is None:
            return None
        overseer_id = deadline.overseer_id if overseer_id is None else overseer_id
        if (deadline.unit_id, deadline.responsible_id, deadline.overseer_id) == (
            unit_id,
            responsible_id,
            overseer_id,
        ):
            return deadline
        before = {
            "unit": deadline.unit_id,
            "responsible": deadline.responsible_id,
            "overseer": deadline.overseer_id,
        }
        deadline.unit_id, deadline.responsible_id, deadline.overseer_id = unit_id, responsible_id, overseer_id
        deadline.save(update_fields=["unit", "responsible", "overseer"])
        _record_change(
            deadline,
            DeadlineChangeCause.REASSIGNED,
            due_before=deadline.due_on,
            actor=actor,
            calendar_version=deadline.calendar_version,
            detail={
                "before": before,
                "after": {"unit": unit_id, "responsible": responsible_id, "overseer": overseer_id},
            },
        )
        audit_record(
            actor=actor,
            action="accountability.deadline.reassigned",
            target=deadline,
            changed_fields=["unit", "responsible", "overseer"],
            detail={"before": before},
        )
    return deadline

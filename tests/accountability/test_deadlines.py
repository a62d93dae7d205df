"""The clock engine against the domain rules (§3–§4): open, meet, lapse, cancel, extend, pause and recompute."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from accountability.choices import DeadlineChangeCause, DeadlineStatus
from accountability.models import Deadline, DeadlineChange, DeadlineExtension, DeadlinePause, DeadlineRule
from accountability.services.deadlines import (
    Subject,
    deadline_cancel,
    deadline_cancel_all,
    deadline_extend,
    deadline_lapse,
    deadline_meet,
    deadline_open,
    deadline_pause,
    deadline_resume,
    deadline_rule_update,
)
from accountability.tasks import deadlines_recompute_task
from core.choices import DayUnit
from core.errors import DomainError
from core.models import AuditEvent
from core.selectors import calendar_snapshot
from core.services.calendar import HolidayArrangement, calendar_year_publish
from tests.support.accounts import Personas, Tree

pytestmark = pytest.mark.django_db

HANDLING = "test.handling"  # 60 日, one extension of at most 30 日 (like 第三十四条)
DECISION = "test.decision"  # 30 日, no extension (like the 复核 decision)
WINDOW = "test.window"  # 30 日, a petitioner's window: lapses instead of being missed
WORKING = "test.working"  # 5 个工作日 (like the 退回异议 window)


def _rule(kind: str, days: int, unit: str = DayUnit.CALENDAR, **extra: object) -> DeadlineRule:
    values: dict[str, object] = {
        "label": kind,
        "days": days,
        "day_unit": unit,
        "roll_forward": True,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
    }
    values.update(extra)
    rule, _created = DeadlineRule.objects.update_or_create(kind=kind, defaults=values)
    return rule


@pytest.fixture
def rules(db: None) -> None:
    """Rules of the engine's own, so these tests do not depend on the petition defaults."""
    _rule(HANDLING, 60, max_extensions=1, max_extension_days=30)
    _rule(DECISION, 30)
    _rule(WINDOW, 30, is_obligation=False)
    _rule(WORKING, 5, DayUnit.WORKING)


@pytest.fixture
def start(rules: None, tree: Tree, personas: Personas) -> Callable[..., Deadline]:
    """`start(kind, starts_on, subject_id=1)` opens a clock on a test subject in county A."""

    def open_clock(kind: str, starts_on: date, subject_id: int = 1) -> Deadline:
        return deadline_open(
            subject=Subject("tests.thing", subject_id),
            kind=kind,
            unit_id=tree.county_a.pk,
            starts_on=starts_on,
            actor=personas.clerk_a,
        )

    return open_clock


def thing(subject_id: int = 1) -> Subject:
    return Subject("tests.thing", subject_id)


def changes(deadline: Deadline) -> list[tuple[str, date | None, date | None]]:
    return list(
        DeadlineChange.objects.filter(deadline=deadline)
        .order_by("id")
        .values_list("cause", "due_before", "due_after")
    )


def fresh(deadline: Deadline) -> Deadline:
    return Deadline.objects.get(pk=deadline.pk)


# --- opening ------------------------------------------------------------------------------------------


def test_opening_a_60_day_clock_on_2025_08_02_rolls_the_national_day_last_day_to_2025_10_09(start, personas):
    deadline = start(HANDLING, date(2025, 8, 2))

    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.nominal_on == date(2025, 10, 1)
    assert deadline.due_on == date(2025, 10, 9)
    assert (deadline.days, deadline.day_unit, deadline.roll_forward) == (60, DayUnit.CALENDAR, True)
    assert deadline.calendar_version == calendar_snapshot().version
    assert not deadline.provisional
    assert changes(deadline) == [(DeadlineChangeCause.OPENED, None, date(2025, 10, 9))]
    event = AuditEvent.objects.get(action="accountability.deadline.opened", object_id=str(deadline.pk))
    assert event.actor == personas.clerk_a
    assert event.detail["due_on"] == "2025-10-09"


def test_a_last_day_on_a_make_up_sunday_is_a_working_day_and_does_not_roll(start):
    deadline = start(DECISION, date(2025, 8, 29))  # + 30 日 = 2025-09-28, the Sunday worked before 国庆

    assert deadline.nominal_on == deadline.due_on == date(2025, 9, 28)


def test_five_working_days_from_2026_09_29_end_2026_10_12_counting_the_make_up_saturday(start):
    deadline = start(WORKING, date(2026, 9, 29))  # 09-30, 10-08, 10-09, 10-10 (Sat, worked), 10-12

    assert deadline.due_on == date(2026, 10, 12)


def test_a_clock_running_into_a_year_without_a_holiday_notice_is_provisional(start):
    deadline = start(HANDLING, date(2026, 12, 10))  # + 60 日 = 2027-02-08; 2027 has no notice yet

    assert deadline.due_on == date(2027, 2, 8)
    assert deadline.provisional


# --- meeting, lapsing, cancelling -----------------------------------------------------------------


def test_meeting_on_the_rolled_due_date_is_on_time_and_a_day_later_is_late(start, personas):
    on_time = start(HANDLING, date(2025, 8, 2), subject_id=1)
    late = start(HANDLING, date(2025, 8, 2), subject_id=2)

    deadline_meet(subject=thing(1), kind=HANDLING, met_on=date(2025, 10, 9), actor=personas.handler_a)
    deadline_meet(subject=thing(2), kind=HANDLING, met_on=date(2025, 10, 10), actor=personas.handler_a)

    on_time, late = fresh(on_time), fresh(late)
    assert (on_time.status, on_time.met_on) == (DeadlineStatus.MET_ON_TIME, date(2025, 10, 9))
    assert (late.status, late.met_on) == (DeadlineStatus.MET_LATE, date(2025, 10, 10))
    assert on_time.closed_at is not None
    assert late.closed_at is not None
    assert changes(late)[-1] == (DeadlineChangeCause.MET, date(2025, 10, 9), date(2025, 10, 9))
    assert (
        DeadlineChange.objects.get(deadline=late, cause=DeadlineChangeCause.MET).actor == personas.handler_a
    )


def test_meeting_before_the_start_day_is_refused_and_the_clock_keeps_running(start, personas):
    deadline = start(HANDLING, date(2025, 8, 2))

    with pytest.raises(DomainError) as refused:
        deadline_meet(subject=thing(), kind=HANDLING, met_on=date(2025, 8, 1), actor=personas.handler_a)

    assert refused.value.field == "on"
    assert fresh(deadline).status == DeadlineStatus.OPEN


def test_meeting_a_clock_that_is_not_running_is_refused(start, personas):
    start(HANDLING, date(2025, 8, 2))
    deadline_meet(subject=thing(), kind=HANDLING, met_on=date(2025, 9, 1), actor=personas.handler_a)

    with pytest.raises(DomainError) as refused:
        deadline_meet(subject=thing(), kind=HANDLING, met_on=date(2025, 9, 2), actor=personas.handler_a)

    assert refused.value.code == "no_open_deadline"


def test_an_obligation_that_runs_out_is_missed_and_a_petitioners_window_lapses(start):
    obligation = start(DECISION, date(2025, 9, 1))
    window = start(WINDOW, date(2025, 9, 1))

    deadline_lapse(subject=thing(), kind=DECISION, actor=None)
    deadline_lapse(subject=thing(), kind=WINDOW, actor=None)

    assert fresh(obligation).status == DeadlineStatus.MISSED
    assert fresh(window).status == DeadlineStatus.LAPSED
    assert fresh(obligation).met_on is None
    assert changes(obligation)[-1][0] == DeadlineChangeCause.MISSED
    assert changes(window)[-1][0] == DeadlineChangeCause.LAPSED


def test_cancelling_stops_the_clock_with_the_reason_and_cancelling_nothing_returns_none(start, personas):
    deadline = start(DECISION, date(2025, 9, 1))

    cancelled = deadline_cancel(subject=thing(), kind=DECISION, actor=personas.clerk_a, reason="事项已撤回")

    assert cancelled is not None
    assert cancelled.pk == deadline.pk
    assert fresh(deadline).status == DeadlineStatus.CANCELLED
    row = DeadlineChange.objects.get(deadline=deadline, cause=DeadlineChangeCause.CANCELLED)
    assert row.detail["reason"] == "事项已撤回"
    assert deadline_cancel(subject=thing(), kind=DECISION, actor=personas.clerk_a, reason="再次") is None


def test_cancel_all_stops_every_running_clock_of_the_subject_and_no_other(start, personas):
    start(DECISION, date(2025, 9, 1))
    start(WINDOW, date(2025, 9, 1))
    other = start(DECISION, date(2025, 9, 1), subject_id=2)

    assert deadline_cancel_all(subject=thing(), actor=personas.clerk_a, reason="办结") == 2

    assert not Deadline.objects.filter(subject_id=1, status=DeadlineStatus.OPEN).exists()
    assert fresh(other).status == DeadlineStatus.OPEN


# --- one open clock per subject and kind -----------------------------------------------------------


def test_the_database_allows_only_one_open_clock_per_subject_and_kind(start):
    start(DECISION, date(2025, 9, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        start(DECISION, date(2025, 9, 5))

    start(WINDOW, date(2025, 9, 5))  # another kind on the same subject
    start(DECISION, date(2025, 9, 5), subject_id=2)  # the same kind on another subject
    assert Deadline.objects.filter(status=DeadlineStatus.OPEN).count() == 3


def test_a_closed_clock_does_not_block_opening_the_same_kind_again(start, personas):
    first = start(DECISION, date(2025, 9, 1))
    deadline_meet(subject=thing(), kind=DECISION, met_on=date(2025, 9, 3), actor=personas.clerk_a)

    second = start(DECISION, date(2025, 9, 5))

    assert second.pk != first.pk
    assert second.due_on == date(2025, 10, 9)  # 09-05 + 30 日 = 10-05, inside 国庆, rolls to 10-09


# --- extension ---------------------------------------------------------------------------------------


def test_an_extension_lengthens_the_period_from_the_same_start_and_records_approver_and_reason(
    start, personas
):
    deadline = start(HANDLING, date(2025, 8, 2))  # due 2025-10-09 (rolled from 10-01)

    deadline_extend(
        subject=thing(),
        kind=HANDLING,
        days=30,
        reason="涉及多个部门，需要补充调查",
        approved_by=personas.section_head,
        approved_on=date(2025, 9, 20),
    )

    deadline = fresh(deadline)
    # 60 + 30 = 90 日 from 2025-08-02, not 30 日 from the rolled 10-09.
    assert (deadline.extension_days, deadline.nominal_on, deadline.due_on) == (
        30,
        date(2025, 10, 31),
        date(2025, 10, 31),
    )
    extension = DeadlineExtension.objects.get(deadline=deadline)
    assert extension.approved_by == personas.section_head
    assert extension.reason == "涉及多个部门，需要补充调查"
    assert extension.approved_on == date(2025, 9, 20)
    assert (extension.due_before, extension.due_after) == (date(2025, 10, 9), date(2025, 10, 31))
    assert changes(deadline)[-1] == (DeadlineChangeCause.EXTENDED, date(2025, 10, 9), date(2025, 10, 31))
    assert AuditEvent.objects.filter(
        action="accountability.deadline.extended", actor=personas.section_head
    ).exists()


def test_a_short_extension_landing_on_a_make_up_saturday_keeps_that_day(start, personas):
    start(HANDLING, date(2025, 8, 2))

    deadline = deadline_extend(
        subject=thing(),
        kind=HANDLING,
        days=10,
        reason="需要现场核实",
        approved_by=personas.section_head,
        approved_on=date(2025, 9, 20),
    )

    assert deadline.due_on == date(2025, 10, 11)  # 70 日 → 2025-10-11, the Saturday worked after 国庆


def test_a_second_extension_is_refused(start, personas):
    deadline = start(HANDLING, date(2025, 8, 2))
    deadline_extend(
        subject=thing(),
        kind=HANDLING,
        days=10,
        reason="第一次",
        approved_by=personas.section_head,
        approved_on=date(2025, 9, 20),
    )

    with pytest.raises(DomainError, match="最多延期1次"):
        deadline_extend(
            subject=thing(),
            kind=HANDLING,
            days=10,
            reason="第二次",
            approved_by=personas.section_head,
            approved_on=date(2025, 9, 25),
        )

    assert fresh(deadline).extension_days == 10
    assert DeadlineExtension.objects.filter(deadline=deadline).count() == 1


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(31, "理由", "days"), (0, "理由", "days"), (30, "   ", "reason")],
)
def test_an_extension_beyond_the_rules_maximum_or_without_a_reason_changes_nothing(
    start, personas, days, reason, field
):
    deadline = start(HANDLING, date(2025, 8, 2))

    with pytest.raises(DomainError) as refused:
        deadline_extend(
            subject=thing(),
            kind=HANDLING,
            days=days,
            reason=reason,
            approved_by=personas.section_head,
            approved_on=date(2025, 9, 20),
        )

    assert refused.value.field == field
    assert fresh(deadline).due_on == date(2025, 10, 9)
    assert not DeadlineExtension.objects.exists()


def test_a_kind_without_extensions_cannot_be_extended(start, personas):
    start(DECISION, date(2025, 9, 1))

    with pytest.raises(DomainError, match="最多延期0次"):
        deadline_extend(
            subject=thing(),
            kind=DECISION,
            days=5,
            reason="理由",
            approved_by=personas.section_head,
            approved_on=date(2025, 9, 2),
        )


# --- pause and resume -------------------------------------------------------------------------------


def test_pause_and_resume_move_the_due_date_by_the_days_paused(start, personas):
    deadline = start(DECISION, date(2026, 9, 10))
    assert deadline.due_on == date(2026, 10, 10)  # the Saturday worked after 国庆 2026

    deadline_pause(subject=thing(), kind=DECISION, on=date(2026, 9, 15), reason="听证", actor=personas.leader)
    assert fresh(deadline).is_paused
    assert fresh(deadline).due_on == date(2026, 10, 10)
    deadline_resume(subject=thing(), kind=DECISION, on=date(2026, 9, 16), actor=personas.leader)

    deadline = fresh(deadline)
    assert deadline.paused_days == 1
    assert not deadline.is_paused
    assert deadline.nominal_on == date(2026, 10, 11)  # a Sunday
    assert deadline.due_on == date(2026, 10, 12)

    deadline_pause(
        subject=thing(), kind=DECISION, on=date(2026, 9, 20), reason="第二次听证", actor=personas.leader
    )
    deadline_resume(subject=thing(), kind=DECISION, on=date(2026, 9, 30), actor=personas.leader)

    deadline = fresh(deadline)
    assert deadline.paused_days == 11
    assert deadline.due_on == date(2026, 10, 21)  # 30 + 11 = 41 日 from 09-10
    assert list(DeadlinePause.objects.filter(deadline=deadline).values_list("started_on", "ended_on")) == [
        (date(2026, 9, 15), date(2026, 9, 16)),
        (date(2026, 9, 20), date(2026, 9, 30)),
    ]
    assert changes(deadline) == [
        (DeadlineChangeCause.OPENED, None, date(2026, 10, 10)),
        (DeadlineChangeCause.PAUSED, date(2026, 10, 10), date(2026, 10, 10)),
        (DeadlineChangeCause.RESUMED, date(2026, 10, 10), date(2026, 10, 12)),
        (DeadlineChangeCause.PAUSED, date(2026, 10, 12), date(2026, 10, 12)),
        (DeadlineChangeCause.RESUMED, date(2026, 10, 12), date(2026, 10, 21)),
    ]


def test_pausing_a_working_day_clock_adds_back_only_the_working_days_paused(start, personas):
    start(WORKING, date(2026, 9, 29))  # due 2026-10-12

    deadline_pause(subject=thing(), kind=WORKING, on=date(2026, 9, 30), reason="中止", actor=personas.leader)
    deadline = deadline_resume(subject=thing(), kind=WORKING, on=date(2026, 10, 9), actor=personas.leader)

    # 10-01..10-07 are holidays; only 10-08 and 10-09 were working days lost: 7 working days from 09-29.
    assert deadline.paused_days == 2
    assert deadline.due_on == date(2026, 10, 14)


def test_pausing_twice_resuming_unpaused_or_resuming_before_the_pause_is_refused(start, personas):
    start(DECISION, date(2026, 9, 10))

    with pytest.raises(DomainError) as not_paused:
        deadline_resume(subject=thing(), kind=DECISION, on=date(2026, 9, 16), actor=personas.leader)
    assert not_paused.value.code == "not_paused"

    deadline_pause(subject=thing(), kind=DECISION, on=date(2026, 9, 15), reason="听证", actor=personas.leader)
    with pytest.raises(DomainError) as twice:
        deadline_pause(
            subject=thing(), kind=DECISION, on=date(2026, 9, 16), reason="听证", actor=personas.leader
        )
    assert twice.value.code == "already_paused"
    with pytest.raises(DomainError) as backwards:
        deadline_resume(subject=thing(), kind=DECISION, on=date(2026, 9, 14), actor=personas.leader)
    assert backwards.value.field == "on"


def test_meeting_a_paused_clock_does_not_count_the_paused_days_against_it(start, personas):
    start(DECISION, date(2026, 9, 10))  # due 2026-10-10
    deadline_pause(subject=thing(), kind=DECISION, on=date(2026, 9, 15), reason="听证", actor=personas.leader)

    # Decided while the hearing was still recorded as running: 09-15..10-15 does not count.
    deadline = deadline_meet(subject=thing(), kind=DECISION, met_on=date(2026, 10, 15), actor=personas.leader)

    deadline = fresh(deadline)
    assert deadline.status == DeadlineStatus.MET_ON_TIME
    assert deadline.paused_days == 30
    assert deadline.due_on == date(2026, 11, 9)
    assert not deadline.is_paused
    assert DeadlinePause.objects.get(deadline=deadline).ended_on == date(2026, 10, 15)


def test_meeting_a_clock_dated_before_its_recorded_pause_closes_the_pause_without_counting_it(
    start, personas
):
    start(DECISION, date(2026, 9, 10))
    deadline_pause(subject=thing(), kind=DECISION, on=date(2026, 9, 20), reason="听证", actor=personas.leader)

    deadline = deadline_meet(subject=thing(), kind=DECISION, met_on=date(2026, 9, 18), actor=personas.leader)

    deadline = fresh(deadline)
    assert deadline.status == DeadlineStatus.MET_ON_TIME
    assert (deadline.paused_days, deadline.due_on) == (0, date(2026, 10, 10))
    assert DeadlinePause.objects.get(deadline=deadline).ended_on == date(2026, 9, 20)


# --- rules ---------------------------------------------------------------------------------------------


def test_only_a_system_admin_may_change_a_rule(rules, personas):
    with pytest.raises(DomainError) as refused:
        deadline_rule_update(
            actor=personas.section_head,
            kind=HANDLING,
            days=45,
            day_unit=DayUnit.CALENDAR,
            roll_forward=True,
            warn_days_before=10,
        )

    assert refused.value.code == "forbidden"
    assert DeadlineRule.objects.get(pk=HANDLING).days == 60


@pytest.mark.parametrize(
    ("days", "day_unit", "field"), [(0, DayUnit.CALENDAR, "days"), (45, "weeks", "day_unit")]
)
def test_a_rule_with_no_days_or_an_unknown_unit_is_refused(rules, personas, days, day_unit, field):
    with pytest.raises(DomainError) as refused:
        deadline_rule_update(
            actor=personas.system_admin,
            kind=HANDLING,
            days=days,
            day_unit=day_unit,
            roll_forward=True,
            warn_days_before=10,
        )

    assert refused.value.field == field
    assert DeadlineRule.objects.get(pk=HANDLING).day_unit == DayUnit.CALENDAR


def test_changing_a_rules_period_queues_a_recomputation_and_changing_the_warning_does_not(
    rules, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as warning_only:
        deadline_rule_update(
            actor=personas.system_admin,
            kind=HANDLING,
            days=60,
            day_unit=DayUnit.CALENDAR,
            roll_forward=True,
            warn_days_before=7,
        )
    with django_capture_on_commit_callbacks() as period:
        rule = deadline_rule_update(
            actor=personas.system_admin,
            kind=HANDLING,
            days=45,
            day_unit=DayUnit.CALENDAR,
            roll_forward=True,
            warn_days_before=7,
        )

    assert warning_only == []
    assert len(period) == 1
    assert (rule.days, rule.warn_days_before) == (45, 7)
    event = AuditEvent.objects.filter(action="accountability.rule.updated").latest("id")
    assert event.changed_fields == ["days"]


# --- the "open and due before X" query ------------------------------------------------------------


def test_open_clocks_due_before_a_day_are_found_through_the_partial_index_on_due_on(rules, personas):
    # A realistic shape: most clocks are closed, open ones spread over a year; the planner then reads the
    # few open rows due before the day from the partial index instead of scanning the table.
    rows = []
    for number in range(20_000):
        due_on = date(2025, 1, 1) + timedelta(days=number % 365)
        rows.append(
            Deadline(
                subject_type="test.thing",
                subject_id=number,
                rule_id=DECISION,
                unit=personas.clerk_a.unit,
                starts_on=due_on - timedelta(days=30),
                days=30,
                day_unit="calendar",
                roll_forward=False,
                nominal_on=due_on,
                due_on=due_on,
                calendar_version=1,
                status=DeadlineStatus.OPEN if number % 10 == 0 else DeadlineStatus.CANCELLED,
            )
        )
    Deadline.objects.bulk_create(rows, batch_size=5_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accountability_deadline")

    query = Deadline.objects.filter(status=DeadlineStatus.OPEN, due_on__lt=date(2025, 1, 15))
    plan = query.explain()

    assert "deadline_open_due_idx" in plan
    assert "Seq Scan" not in plan
    found = list(query)
    assert len(found) == len([n for n in range(20_000) if n % 10 == 0 and n % 365 < 14])
    assert all(row.status == DeadlineStatus.OPEN and row.due_on < date(2025, 1, 15) for row in found)


# --- recomputation through the real worker -----------------------------------------------------------

NOTICE_2027 = [
    HolidayArrangement("元旦", date(2027, 1, 1), date(2027, 1, 3)),
    HolidayArrangement("春节", date(2027, 2, 6), date(2027, 2, 13), (date(2027, 1, 31), date(2027, 2, 20))),
]


def wait_until(check: Callable[[], bool], timeout: float = 30) -> None:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def drain_queue() -> None:
    """Wait for tasks queued before now (e.g. by reseeding the calendar) to finish: the worker runs them in order."""
    deadlines_recompute_task.delay(cause=DeadlineChangeCause.RECOMPUTED_CALENDAR, years=[1999]).get(
        timeout=30
    )


def _recomputed(deadline: Deadline, cause: str) -> list[tuple[date | None, date | None]]:
    return list(
        DeadlineChange.objects.filter(deadline=deadline, cause=cause).values_list("due_before", "due_after")
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery
def test_publishing_a_years_notice_recomputes_the_open_clocks_it_touches_through_the_worker(
    transactional_db, celery_worker, start, personas
):
    drain_queue()
    calendar_days = start(HANDLING, date(2026, 12, 10), subject_id=1)  # provisional 2027-02-08
    working_days = start(WORKING, date(2027, 1, 29), subject_id=2)  # provisional 2027-02-05 (Mon–Fri)
    untouched = start(HANDLING, date(2025, 8, 2), subject_id=3)  # 2025-10-09, no 2027 day in it
    finished = start(DECISION, date(2026, 12, 20), subject_id=4)  # 2027-01-19, already met
    deadline_meet(subject=thing(4), kind=DECISION, met_on=date(2027, 1, 5), actor=personas.clerk_a)
    assert calendar_days.provisional
    assert calendar_days.due_on == date(2027, 2, 8)
    assert working_days.provisional
    assert working_days.due_on == date(2027, 2, 5)

    revision = calendar_year_publish(
        actor=personas.system_admin,
        year=2027,
        arrangements=NOTICE_2027,
        notice_title="国务院办公厅关于2027年部分节假日安排的通知",
    )

    wait_until(lambda: not fresh(calendar_days).provisional and not fresh(working_days).provisional)
    drain_queue()
    calendar_days, working_days = fresh(calendar_days), fresh(working_days)
    # 2027-02-08 falls in 春节 (02-06..02-13); 02-14 is an ordinary Sunday, so the last day is Monday 02-15.
    assert (calendar_days.nominal_on, calendar_days.due_on) == (date(2027, 2, 8), date(2027, 2, 15))
    # The make-up Sunday 01-31 counts: 01-31, 02-01, 02-02, 02-03, 02-04.
    assert working_days.due_on == date(2027, 2, 4)
    assert calendar_days.calendar_version == working_days.calendar_version == revision.pk
    assert _recomputed(calendar_days, DeadlineChangeCause.RECOMPUTED_CALENDAR) == [
        (date(2027, 2, 8), date(2027, 2, 15))
    ]
    assert _recomputed(working_days, DeadlineChangeCause.RECOMPUTED_CALENDAR) == [
        (date(2027, 2, 5), date(2027, 2, 4))
    ]
    assert fresh(untouched).due_on == date(2025, 10, 9)
    assert _recomputed(untouched, DeadlineChangeCause.RECOMPUTED_CALENDAR) == []
    assert fresh(finished).status == DeadlineStatus.MET_ON_TIME
    assert fresh(finished).calendar_version < revision.pk
    assert AuditEvent.objects.filter(
        action="accountability.deadlines.recomputed", detail__years=[2027]
    ).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery
def test_shortening_a_rule_recomputes_its_open_clocks_through_the_worker_and_leaves_the_rest(
    transactional_db, celery_worker, start, personas
):
    drain_queue()
    running = start(HANDLING, date(2025, 8, 2), subject_id=1)  # due 2025-10-09
    met = start(HANDLING, date(2025, 8, 2), subject_id=2)
    deadline_meet(subject=thing(2), kind=HANDLING, met_on=date(2025, 9, 1), actor=personas.clerk_a)
    other_kind = start(DECISION, date(2025, 8, 2), subject_id=3)  # due 2025-09-01

    deadline_rule_update(
        actor=personas.system_admin,
        kind=HANDLING,
        days=45,
        day_unit=DayUnit.CALENDAR,
        roll_forward=True,
        warn_days_before=10,
    )

    wait_until(lambda: fresh(running).days == 45)
    drain_queue()
    running = fresh(running)
    assert running.due_on == date(2025, 9, 16)  # 2025-08-02 + 45 日, a Tuesday
    assert _recomputed(running, DeadlineChangeCause.RECOMPUTED_RULE) == [
        (date(2025, 10, 9), date(2025, 9, 16))
    ]
    change = DeadlineChange.objects.get(deadline=running, cause=DeadlineChangeCause.RECOMPUTED_RULE)
    assert change.actor == personas.system_admin
    assert (fresh(met).days, fresh(met).due_on) == (60, date(2025, 10, 9))
    assert fresh(other_kind).due_on == date(2025, 9, 1)
    assert _recomputed(other_kind, DeadlineChangeCause.RECOMPUTED_RULE) == []

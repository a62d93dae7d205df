"""The due-date function against the worked examples of the domain rules and the 2026 holiday notice."""

from __future__ import annotations

from datetime import date

import pytest

from core.choices import DayUnit
from core.selectors import calendar_snapshot
from core.workcalendar import CalendarSnapshot, compute_due_date, count_working_days

pytestmark = pytest.mark.django_db


def due(start: str, days: int, unit: str = DayUnit.CALENDAR, roll_forward: bool = True):
    return compute_due_date(
        start_on=date.fromisoformat(start),
        days=days,
        unit=unit,
        roll_forward=roll_forward,
        calendar=calendar_snapshot(),
    )


def test_accepted_2023_10_01_plus_60_days_is_2023_11_30():
    result = due("2023-10-01", 60)
    assert result.due_on == date(2023, 11, 30)
    assert not result.rolled_forward
    assert not result.provisional


def test_accepted_2025_08_02_plus_60_days_rolls_from_national_day_to_2025_10_09():
    result = due("2025-08-02", 60)
    assert result.nominal_on == date(2025, 10, 1)
    assert result.due_on == date(2025, 10, 9)
    assert result.rolled_forward


def test_received_2026_09_29_plus_5_working_days_is_2026_10_12_counting_the_make_up_saturday():
    result = due("2026-09-29", 5, DayUnit.WORKING)
    assert result.due_on == date(2026, 10, 12)


def test_working_days_skip_the_make_up_sunday_before_national_day_only_when_it_is_not_worked():
    # 2026-09-20 (Sunday) is a make-up working day; counting 1 working day from Saturday 09-19 lands on it.
    assert due("2026-09-19", 1, DayUnit.WORKING).due_on == date(2026, 9, 20)
    # An ordinary Sunday is skipped: from Saturday 2026-09-12 the next working day is Monday 09-14.
    assert due("2026-09-12", 1, DayUnit.WORKING).due_on == date(2026, 9, 14)


def test_spring_festival_2026_make_up_saturdays_are_working_days():
    calendar = calendar_snapshot()
    assert calendar.is_working_day(date(2026, 2, 14))
    assert calendar.is_working_day(date(2026, 2, 28))
    assert not calendar.is_working_day(date(2026, 2, 16))
    assert not calendar.is_working_day(date(2026, 2, 21))


def test_start_day_is_not_counted():
    assert due("2026-03-02", 1).due_on == date(2026, 3, 3)
    assert due("2026-03-02", 1, DayUnit.WORKING).due_on == date(2026, 3, 3)


def test_calendar_days_ending_on_a_plain_sunday_roll_to_monday():
    result = due("2026-03-07", 15)  # nominal Sunday 2026-03-22
    assert result.nominal_on == date(2026, 3, 22)
    assert result.due_on == date(2026, 3, 23)


def test_roll_forward_can_be_switched_off():
    result = due("2025-08-02", 60, roll_forward=False)
    assert result.due_on == date(2025, 10, 1)
    assert not result.rolled_forward


def test_a_last_day_on_a_make_up_saturday_does_not_roll():
    # 2026-10-10 is a Saturday worked in exchange for 国庆; a period ending there ends there.
    result = due("2026-09-10", 30)
    assert result.nominal_on == date(2026, 10, 10)
    assert result.due_on == date(2026, 10, 10)


def test_extension_counts_90_days_from_the_same_start_and_rolls_only_the_final_day():
    # 60 days from 2025-08-02 is a holiday (rolled to 10-09), but the extended period is counted from the
    # same start: 90 days → 2025-10-31, not 10-09 + 30.
    extended = due("2025-08-02", 90)
    assert extended.due_on == date(2025, 10, 31)


def test_a_count_into_a_year_without_a_schedule_is_provisional_and_names_the_year():
    result = due("2026-11-22", 60)
    assert result.due_on == date(2027, 1, 21)
    assert result.provisional
    assert result.uncovered_years == (2027,)


def test_calendar_days_without_roll_forward_do_not_depend_on_the_schedule():
    result = due("2026-11-22", 60, roll_forward=False)
    assert not result.provisional


def test_working_days_crossing_into_an_unknown_year_are_provisional():
    result = due("2026-12-28", 5, DayUnit.WORKING)
    assert result.provisional
    # Monday–Friday is assumed in 2027 (not silently: flagged above): 12-29, 12-30, 12-31, 01-01, 01-04.
    assert result.due_on == date(2027, 1, 4)


def test_result_records_the_calendar_version_it_used():
    result = due("2026-01-05", 10)
    assert result.calendar_version == calendar_snapshot().version
    assert result.calendar_version >= 1


def test_count_working_days_across_national_day_2026():
    calendar = calendar_snapshot()
    # (09-29, 10-12]: 09-30, 10-08, 10-09, 10-10, 10-12
    assert count_working_days(after=date(2026, 9, 29), until=date(2026, 10, 12), calendar=calendar) == 5
    assert count_working_days(after=date(2026, 10, 12), until=date(2026, 9, 29), calendar=calendar) == -5
    assert count_working_days(after=date(2026, 10, 12), until=date(2026, 10, 12), calendar=calendar) == 0


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        due("2026-01-05", -1)


def test_a_hand_built_calendar_is_used_as_given():
    snapshot = CalendarSnapshot(
        version=99,
        covered_years=frozenset({2030}),
        holidays=frozenset({date(2030, 5, 1), date(2030, 5, 2)}),
        workdays=frozenset({date(2030, 5, 4)}),
    )
    result = compute_due_date(
        start_on=date(2030, 4, 30), days=2, unit=DayUnit.WORKING, roll_forward=True, calendar=snapshot
    )
    # 05-01 and 05-02 are off, 05-03 (Friday) is worked, 05-04 (Saturday) is a make-up day.
    assert result.due_on == date(2030, 5, 4)
    assert result.calendar_version == 99

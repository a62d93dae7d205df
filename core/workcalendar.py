"""Counting days: the one function that turns a start date and a period into a due date (domain rules §4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from core.choices import DayUnit
from core.errors import DomainError

ONE_DAY = timedelta(days=1)
# The longest period anyone may ask about (ten years): the calculator's 期限 and the lists' "due within N days".
PERIOD_DAYS_MAX = 3650
# A period never needs more than this many days of look-ahead; it stops a corrupt calendar looping forever.
_MAX_SCAN_DAYS = 3660


def day_shift(day: date, days: int, *, field: str | None = None) -> date:
    """`day` moved by `days` days; a result outside the dates Python can hold (years 1 to 9999) is a DomainError at
    `field`, so a start date near the end of the calendar is refused with a message instead of an OverflowError."""
    try:
        return day + timedelta(days=days)
    except OverflowError as exc:
        raise DomainError(
            _("日期超出可计算范围（%(first)s至%(last)s）。")
            % {"first": date.min.isoformat(), "last": date.max.isoformat()},
            field=field,
        ) from exc


@dataclass(frozen=True)
class CalendarSnapshot:
    """The calendar as it stood at one version: known years, holidays and make-up working days."""

    version: int
    covered_years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def is_covered(self, day: date) -> bool:
        """True when the State Council schedule for the day's year is in the calendar."""
        return day.year in self.covered_years

    def is_working_day(self, day: date) -> bool:
        """A make-up day is worked, a holiday is not, otherwise Monday to Friday are worked."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date, *, field: str | None = None) -> date:
        """The first working day strictly after `day` (past 9999-12-31: a DomainError at `field`)."""
        candidate = day_shift(day, 1, field=field)
        for _step in range(_MAX_SCAN_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate = day_shift(candidate, 1, field=field)
        raise RuntimeError("no working day within ten years; the calendar is corrupt")


@dataclass(frozen=True)
class DueDate:
    """A computed due date with how it was reached, so it can be shown and recomputed deliberately."""

    start_on: date
    days: int
    unit: str
    roll_forward: bool
    nominal_on: date
    due_on: date
    calendar_version: int
    uncovered_years: tuple[int, ...]

    @property
    def provisional(self) -> bool:
        """True when a year the count touched has no holiday schedule yet (Monday–Friday was assumed)."""
        return bool(self.uncovered_years)

    @property
    def rolled_forward(self) -> bool:
        """True when the last day fell on a rest day and moved to the next working day."""
        return self.due_on != self.nominal_on


def _years_between(first: date, last: date) -> Iterable[int]:
    return range(first.year, last.year + 1)


def compute_due_date(
    *, start_on: date, days: int, unit: str, roll_forward: bool, calendar: CalendarSnapshot
) -> DueDate:
    """Count `days` from `start_on` (not counted) in calendar or working days.

    Calendar days: the nominal last day is start + days; with `roll_forward`, a last day that is a
    rest day moves to the first working day after it (民法典 第二百零三条 by analogy). Only the final
    day moves, never an intermediate one. Working days: the due date is the `days`-th working day
    after the start, counting make-up Saturdays and skipping holidays.

    A due date past 9999-12-31 is a DomainError at `start` (the field of the calculator and the API that
    named the start date).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if unit == DayUnit.CALENDAR:
        nominal_on = day_shift(start_on, days, field="start")
        due_on = nominal_on
        if roll_forward and not calendar.is_working_day(due_on):
            due_on = calendar.next_working_day(due_on, field="start")
        touched_from = nominal_on
    elif unit == DayUnit.WORKING:
        due_on = start_on
        for _step in range(days):
            due_on = calendar.next_working_day(due_on, field="start")
        nominal_on = due_on
        touched_from = start_on + ONE_DAY if days else start_on
    else:
        raise ValueError(f"unknown day unit {unit!r}")
    depends_on_calendar = unit == DayUnit.WORKING or roll_forward
    uncovered = tuple(
        year
        for year in _years_between(touched_from, due_on)
        if depends_on_calendar and year not in calendar.covered_years
    )
    return DueDate(
        start_on=start_on,
        days=days,
        unit=str(unit),
        roll_forward=roll_forward,
        nominal_on=nominal_on,
        due_on=due_on,
        calendar_version=calendar.version,
        uncovered_years=uncovered,
    )


def count_working_days(*, after: date, until: date, calendar: CalendarSnapshot) -> int:
    """Working days in (after, until]; negative when `until` is before `after` (days overdue)."""
    if until == after:
        return 0
    sign = 1
    first, last = after, until
    if until < after:
        sign, first, last = -1, until, after
    # By ordinal, so a range ending on 9999-12-31 never steps past the last date.
    count = sum(
        1
        for ordinal in range(first.toordinal() + 1, last.toordinal() + 1)
        if calendar.is_working_day(date.fromordinal(ordinal))
    )
    return sign * count

"""The holiday schedules shipped in the chinesecalendar package (2004–2026), as plain rows to load."""

from __future__ import annotations

from datetime import date

from chinese_calendar import constants

from core.choices import CalendarDayKind

# The package names holidays in English; the calendar shows the names used in the State Council notices.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

PACKAGE_FIRST_YEAR = 2004


def package_years() -> list[int]:
    """Every year the installed package has a schedule for."""
    years = {day.year for day in constants.holidays} | {day.year for day in constants.workdays}
    return sorted(year for year in years if year >= PACKAGE_FIRST_YEAR)


def package_days() -> list[tuple[date, str, str]]:
    """(date, kind, Chinese holiday name) for every holiday and make-up working day in the package."""
    rows: list[tuple[date, str, str]] = []
    for day, holiday in constants.holidays.items():
        rows.append((day, CalendarDayKind.HOLIDAY, HOLIDAY_NAMES[holiday]))
    for day, holiday in constants.workdays.items():
        rows.append((day, CalendarDayKind.WORKDAY, HOLIDAY_NAMES[holiday]))
    return sorted(rows)

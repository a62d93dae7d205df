"""Entering a year's State Council notice: validation, the new calendar version, audit and provisional results."""

from __future__ import annotations

from datetime import date

import pytest

from core.choices import CalendarDayKind, CalendarSource, DayUnit
from core.errors import DomainError
from core.models import AuditEvent, CalendarDay, CalendarYear
from core.selectors import calendar_snapshot, calendar_years_missing_soon
from core.services.calendar import HolidayArrangement, calendar_year_publish
from core.workcalendar import compute_due_date

# A plausible 2027 notice, as an administrator would type it in.
NOTICE_2027 = [
    HolidayArrangement("元旦", date(2027, 1, 1), date(2027, 1, 3)),
    HolidayArrangement("春节", date(2027, 2, 6), date(2027, 2, 13), (date(2027, 1, 31), date(2027, 2, 20))),
    HolidayArrangement(
        "国庆节", date(2027, 10, 1), date(2027, 10, 7), (date(2027, 9, 26), date(2027, 10, 9))
    ),
]


def publish_2027(actor, arrangements=NOTICE_2027):
    return calendar_year_publish(
        actor=actor,
        year=2027,
        arrangements=list(arrangements),
        notice_title="国务院办公厅关于2027年部分节假日安排的通知",
        notice_number="国办发明电〔2026〕9号",
        published_on=date(2026, 11, 10),
    )


def test_publishing_a_new_year_stores_its_days_and_makes_a_new_calendar_version(personas):
    before = calendar_snapshot().version
    revision = publish_2027(personas.system_admin)
    assert revision.pk > before
    year = CalendarYear.objects.get(year=2027)
    assert year.source == CalendarSource.NOTICE
    assert CalendarDay.objects.filter(notice_year=year, kind=CalendarDayKind.HOLIDAY).count() == 3 + 8 + 7
    assert set(
        CalendarDay.objects.filter(notice_year=year, kind=CalendarDayKind.WORKDAY).values_list(
            "date", flat=True
        )
    ) == {date(2027, 1, 31), date(2027, 2, 20), date(2027, 9, 26), date(2027, 10, 9)}
    snapshot = calendar_snapshot()
    assert snapshot.version == revision.pk
    assert snapshot.is_covered(date(2027, 6, 1))
    assert snapshot.is_working_day(date(2027, 10, 9))
    assert not snapshot.is_working_day(date(2027, 10, 4))


def test_publishing_writes_one_audit_row_naming_the_admin(personas):
    publish_2027(personas.system_admin)
    event = AuditEvent.objects.get(action="core.calendar.published")
    assert event.actor == personas.system_admin
    assert event.object_id == "2027"
    assert event.detail["holidays"] == 18
    assert event.detail["workdays"] == 4


def test_a_deadline_provisional_before_the_notice_is_final_after_it(personas):
    def compute():
        return compute_due_date(
            start_on=date(2026, 12, 20),
            days=45,
            unit=DayUnit.CALENDAR,
            roll_forward=True,
            calendar=calendar_snapshot(),
        )

    before = compute()
    assert before.provisional
    assert before.due_on == date(2027, 2, 3)
    publish_2027(
        personas.system_admin,
        [*NOTICE_2027[:1], HolidayArrangement("春节", date(2027, 2, 1), date(2027, 2, 7))],
    )
    after = compute()
    assert not after.provisional
    assert after.due_on == date(2027, 2, 8)
    assert after.calendar_version > before.calendar_version


def test_correcting_a_year_replaces_its_days(personas):
    publish_2027(personas.system_admin)
    calendar_year_publish(
        actor=personas.system_admin,
        year=2027,
        arrangements=[HolidayArrangement("元旦", date(2027, 1, 1), date(2027, 1, 1))],
        notice_title="更正",
    )
    assert list(CalendarDay.objects.filter(notice_year_id=2027).values_list("date", flat=True)) == [
        date(2027, 1, 1)
    ]
    assert AuditEvent.objects.filter(action="core.calendar.corrected").count() == 1


@pytest.mark.parametrize(
    ("arrangement", "field", "fragment"),
    [
        (HolidayArrangement("劳动节", date(2027, 5, 5), date(2027, 5, 1)), "last_day", "早于"),
        (
            HolidayArrangement("劳动节", date(2027, 5, 1), date(2027, 5, 3), (date(2027, 5, 6),)),
            "workdays",
            "不是星期六或星期日",
        ),
        (
            HolidayArrangement("劳动节", date(2027, 5, 1), date(2027, 5, 3), (date(2027, 5, 1),)),
            "workdays",
            "既是放假日又是调休上班日",
        ),
        (HolidayArrangement("", date(2027, 5, 1), date(2027, 5, 3)), "name", "节日名称"),
        (HolidayArrangement("劳动节", date(2025, 5, 1), date(2025, 5, 3)), "first_day", "不在2027年内"),
    ],
)
def test_a_wrong_notice_is_refused_at_the_field_and_changes_nothing(personas, arrangement, field, fragment):
    version = calendar_snapshot().version
    with pytest.raises(DomainError) as refused:
        publish_2027(personas.system_admin, [arrangement])
    assert refused.value.field == field
    assert fragment in refused.value.message
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert calendar_snapshot().version == version


def test_a_day_already_defined_by_another_years_notice_is_refused(personas):
    # 2027's notice may start 元旦 on 2026-12-31; a later correction of 2026 cannot claim that day again.
    calendar_year_publish(
        actor=personas.system_admin,
        year=2027,
        arrangements=[HolidayArrangement("元旦", date(2026, 12, 31), date(2027, 1, 2))],
        notice_title="通知",
    )
    with pytest.raises(DomainError, match="已属于2027年"):
        calendar_year_publish(
            actor=personas.system_admin,
            year=2026,
            arrangements=[HolidayArrangement("元旦", date(2026, 12, 30), date(2026, 12, 31))],
            notice_title="更正",
        )


def test_missing_years_warn_from_mid_october_for_the_next_year(db):
    assert calendar_years_missing_soon(today=date(2026, 6, 1), warning_days=75) == []
    assert calendar_years_missing_soon(today=date(2026, 11, 22), warning_days=75) == [2027]
    assert calendar_years_missing_soon(today=date(2027, 3, 1), warning_days=75) == [2027]

"""Writes to the working-day calendar: seeding from the package and entering a year's State Council notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.calendar_seed import package_days, package_years
from core.choices import CalendarDayKind, CalendarSource
from core.errors import DomainError
from core.models import CalendarDay, CalendarRevision, CalendarYear, User
from core.signals import calendar_changed
from core.versioning import check_version


@dataclass(frozen=True)
class HolidayArrangement:
    """One paragraph of a notice: a holiday's days off and the weekend days worked in exchange."""

    name: str
    first_day: date
    last_day: date
    workdays: tuple[date, ...] = ()


def calendar_seed_from_package(*, actor: User | None = None) -> CalendarRevision | None:
    """Load every year the chinesecalendar package knows that the database does not have yet."""
    with transaction.atomic():
        existing = set(CalendarYear.objects.select_for_update().values_list("year", flat=True))
        years = [year for year in package_years() if year not in existing]
        if not years:
            return None
        CalendarYear.objects.bulk_create(
            [CalendarYear(year=year, source=CalendarSource.PACKAGE) for year in years]
        )
        wanted = set(years)
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=day, kind=kind, name=name, notice_year_id=day.year)
                for day, kind, name in package_days()
                if day.year in wanted
            ]
        )
        revision = CalendarRevision.objects.create(
            created_by=actor, years=years, note=_("载入内置节假日数据")
        )
        audit_record(
            actor=actor,
            action="core.calendar.seeded",
            target=revision,
            detail={"years": years},
        )
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarRevision, years=years))
    return revision


def _days_from_arrangements(year: int, arrangements: list[HolidayArrangement]) -> list[tuple[date, str, str]]:
    rows: dict[date, tuple[str, str]] = {}
    for index, item in enumerate(arrangements, start=1):
        name = item.name.strip()
        if not name:
            raise DomainError(_("第%(row)s行：请填写节日名称。") % {"row": index}, field="name")
        if item.last_day < item.first_day:
            raise DomainError(
                _("第%(row)s行（%(name)s）：放假结束日期早于开始日期。") % {"row": index, "name": name},
                field="last_day",
            )
        if (item.last_day - item.first_day).days > 14:
            raise DomainError(
                _("第%(row)s行（%(name)s）：一次放假不超过15天，请检查日期。") % {"row": index, "name": name},
                field="last_day",
            )
        if not (year - 1 <= item.first_day.year <= year and item.last_day.year in (year, year + 1)):
            raise DomainError(
                _("第%(row)s行（%(name)s）：放假日期不在%(year)s年内。")
                % {"row": index, "name": name, "year": year},
                field="first_day",
            )
        day = item.first_day
        while day <= item.last_day:
            if day in rows:
                raise DomainError(
                    _("%(day)s 在多个节日中重复出现。") % {"day": day.isoformat()}, field="first_day"
                )
            rows[day] = (CalendarDayKind.HOLIDAY, name)
            day += timedelta(days=1)
        for workday in item.workdays:
            if workday.weekday() < 5:
                raise DomainError(
                    _("%(day)s 不是星期六或星期日，不能作为调休上班日。") % {"day": workday.isoformat()},
                    field="workdays",
                )
            if workday in rows:
                raise DomainError(
                    _("%(day)s 既是放假日又是调休上班日。") % {"day": workday.isoformat()},
                    field="workdays",
                )
            rows[workday] = (CalendarDayKind.WORKDAY, name)
    return [(day, kind, name) for day, (kind, name) in sorted(rows.items())]


def calendar_year_publish(
    *,
    actor: User,
    year: int,
    arrangements: list[HolidayArrangement],
    notice_title: str,
    notice_number: str = "",
    published_on: date | None = None,
    expected_version: int | None = None,
) -> CalendarRevision:
    """Enter (or correct) a year's holiday notice; it replaces that year's days in one new calendar version.

    `expected_version` is the year's version the notice was edited from, 0 when the year had none yet.
    """
    if not 2000 <= year <= 2100:
        raise DomainError(_("年份应在2000至2100之间。"), field="year")
    if not notice_title.strip():
        raise DomainError(_("请填写通知标题。"), field="notice_title")
    if not arrangements:
        raise DomainError(_("请至少填写一个节日的放假安排。"), field="arrangements")
    rows = _days_from_arrangements(year, arrangements)
    with transaction.atomic():
        calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": CalendarSource.NOTICE}
        )
        if not created:
            check_version(
                calendar_year,
                expected_version,
                _("%(year)s年节假日安排已被他人修改，请刷新页面后重试。") % {"year": year},
            )
            calendar_year.version += 1
        taken = CalendarDay.objects.filter(date__in=[day for day, _k, _n in rows]).exclude(
            notice_year=calendar_year
        )
        clash = taken.order_by("date").first()
        if clash is not None:
            raise DomainError(
                _("%(day)s 已属于%(year)s年的通知，请先修改该年度。")
                % {"day": clash.date.isoformat(), "year": clash.notice_year_id},
                field="arrangements",
            )
        calendar_year.source = CalendarSource.NOTICE
        calendar_year.notice_title = notice_title.strip()
        calendar_year.notice_number = notice_number.strip()
        calendar_year.published_on = published_on
        calendar_year.updated_by = actor
        calendar_year.save()
        removed = calendar_year.days.count()
        calendar_year.days.all().delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=day, kind=kind, name=name, notice_year=calendar_year)
                for day, kind, name in rows
            ]
        )
        revision = CalendarRevision.objects.create(
            created_by=actor,
            years=[year],
            note=(_("录入%(year)s年节假日安排") if created else _("修改%(year)s年节假日安排"))
            % {"year": year},
        )
        audit_record(
            actor=actor,
            action="core.calendar.published" if created else "core.calendar.corrected",
            target=calendar_year,
            changed_fields=["days", "notice_title", "notice_number", "published_on"],
            detail={
                "revision": revision.pk,
                "holidays": sum(1 for _d, kind, _n in rows if kind == CalendarDayKind.HOLIDAY),
                "workdays": sum(1 for _d, kind, _n in rows if kind == CalendarDayKind.WORKDAY),
                "replaced_days": removed,
            },
        )
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarRevision, years=[year]))
    return revision

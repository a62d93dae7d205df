"""Calendar pages: the year view, the due-date calculator and the admin's entry of a year's notice."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.auth.roles import role_required
from core.choices import CalendarDayKind, DayUnit, Role
from core.errors import DomainError
from core.forms import CalendarNoticeForm, DueDateForm, HolidayArrangementFormSet, place_error
from core.http import AuthenticatedRequest
from core.selectors import calendar_days_between, calendar_snapshot, calendar_year_qs
from core.services.calendar import HolidayArrangement, calendar_year_publish
from core.workcalendar import compute_due_date

WEEKDAY_HEADINGS = ["一", "二", "三", "四", "五", "六", "日"]


def _month_grid(
    year: int, month: int, marks: dict[date, tuple[str, str]]
) -> list[list[dict[str, object] | None]]:
    weeks: list[list[dict[str, object] | None]] = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[dict[str, object] | None] = []
        for day in week:
            if day.month != month:
                cells.append(None)
                continue
            kind, name = marks.get(day, ("", ""))
            cells.append({"day": day, "kind": kind, "name": name, "weekend": day.weekday() >= 5})
        weeks.append(cells)
    return weeks


@login_required
def calendar_view(request: AuthenticatedRequest) -> HttpResponse:
    """Twelve month grids for one year with holidays and make-up working days marked."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        raise Http404
    days = list(calendar_days_between(first=date(year, 1, 1), last=date(year, 12, 31)))
    marks = {d.date: (d.kind, d.name) for d in days}
    years = {item.year: item for item in calendar_year_qs()}
    months = [{"number": month, "weeks": _month_grid(year, month, marks)} for month in range(1, 13)]
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "year_info": years.get(year),
            "months": months,
            "weekday_headings": WEEKDAY_HEADINGS,
            "exceptions": days,
            "today": today,
            "holiday": CalendarDayKind.HOLIDAY,
            "workday": CalendarDayKind.WORKDAY,
        },
    )


@login_required
def due_calculator(request: AuthenticatedRequest) -> HttpResponse:
    """Compute a due date the way the clock engine does, with the reasoning shown."""
    form = DueDateForm(request.GET or None)
    result = None
    if form.is_valid():
        try:
            result = compute_due_date(
                start_on=form.cleaned_data["start"],
                days=form.cleaned_data["days"],
                unit=form.cleaned_data["unit"],
                roll_forward=form.cleaned_data["roll_forward"],
                calendar=calendar_snapshot(),
            )
        except DomainError as error:  # a due date past 9999-12-31
            place_error(form, error)
    return render(
        request,
        "core/due_calculator.html",
        {"form": form, "result": result, "working": DayUnit.WORKING},
    )


@role_required(Role.SYSTEM_ADMIN)
def calendar_year_list(request: AuthenticatedRequest) -> HttpResponse:
    """Years with a schedule, where each came from, and which next year is still missing."""
    years = list(calendar_year_qs())
    known = {item.year for item in years}
    today = timezone.localdate()
    missing = [y for y in (today.year, today.year + 1) if y not in known]
    return render(request, "core/calendar_year_list.html", {"years": years, "missing": missing})


@role_required(Role.SYSTEM_ADMIN)
def calendar_year_edit(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """Enter or correct a year's State Council notice; saving makes a new calendar version."""
    if not 2000 <= year <= 2100:
        raise Http404
    existing = {item.year: item for item in calendar_year_qs().filter(year=year)}.get(year)
    if request.method == "POST":
        notice_form = CalendarNoticeForm(request.POST)
        formset = HolidayArrangementFormSet(request.POST, prefix="rows")
        if notice_form.is_valid() and formset.is_valid():
            arrangements = [
                HolidayArrangement(
                    name=row["name"],
                    first_day=row["first_day"],
                    last_day=row["last_day"],
                    workdays=tuple(row["workdays"]),
                )
                for row in formset.cleaned_data
                if row and not row.get("DELETE")
            ]
            try:
                revision = calendar_year_publish(
                    actor=request.user,
                    year=year,
                    arrangements=arrangements,
                    notice_title=notice_form.cleaned_data["notice_title"],
                    notice_number=notice_form.cleaned_data["notice_number"],
                    published_on=notice_form.cleaned_data["published_on"],
                    expected_version=notice_form.cleaned_data["version"],
                )
            except DomainError as error:
                place_error(notice_form, error)
            else:
                messages.success(
                    request,
                    _("%(year)s年节假日安排已保存（日历版本 v%(version)s），未结期限将按新日历重新计算。")
                    % {"year": year, "version": revision.pk},
                )
                return redirect(f"{reverse('core:calendar')}?year={year}")
    else:
        initial_notice: dict[str, object] = {"version": 0}
        initial_rows: list[dict[str, object]] = []
        if existing is not None:
            initial_notice = {
                "version": existing.version,
                "notice_title": existing.notice_title,
                "notice_number": existing.notice_number,
                "published_on": existing.published_on,
            }
            initial_rows = _rows_from_days(year)
        notice_form = CalendarNoticeForm(initial=initial_notice)
        formset = HolidayArrangementFormSet(prefix="rows", initial=initial_rows or None)
    return render(
        request,
        "core/calendar_year_edit.html",
        {"year": year, "existing": existing, "notice_form": notice_form, "formset": formset},
    )


def _rows_from_days(year: int) -> list[dict[str, object]]:
    """Group a year's stored days back into one row per holiday for editing."""
    holidays: dict[str, list[date]] = {}
    workdays: dict[str, list[str]] = {}
    for day in calendar_days_between(first=date(year - 1, 12, 1), last=date(year + 1, 1, 31)):
        if day.notice_year_id != year:
            continue
        if day.kind == CalendarDayKind.HOLIDAY:
            holidays.setdefault(day.name, []).append(day.date)
        else:
            workdays.setdefault(day.name, []).append(day.date.isoformat())
    return [
        {
            "name": name,
            "first_day": min(days),
            "last_day": max(days),
            "workdays": ", ".join(workdays.get(name, [])),
        }
        for name, days in holidays.items()
    ]

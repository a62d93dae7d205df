"""Sensitive-period pages (敏感时期): the list, defining one, ending one early, and filing a daily report."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.auth.roles import role_required
from core.choices import BUSINESS_ROLES, Role
from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest
from ledger.choices import ReportState
from ledger.forms import DailyReportForm, PeriodEndForm, SensitivePeriodForm
from ledger.selectors import (
    daily_report_get_for_user,
    daily_reports_for_user,
    period_get_for_user,
    periods_for_user,
    reports_to_file,
)
from ledger.services.sensitive import daily_report_file, sensitive_period_create, sensitive_period_end

PERIOD_ROLES = (*BUSINESS_ROLES, Role.SYSTEM_ADMIN)
DEFINING_ROLES = (Role.SYSTEM_ADMIN, Role.SECTION_HEAD)
FILING_ROLES = (Role.CLERK, Role.HANDLER, Role.SECTION_HEAD)
PAGE_SIZE = 60


@role_required(*PERIOD_ROLES)
def period_list(request: AuthenticatedRequest) -> HttpResponse:
    """Periods covering the user's units (or defined by the admin), and the unit's daily reports to file."""
    user = request.user
    return render(
        request,
        "ledger/period_list.html",
        {
            "periods": periods_for_user(user).prefetch_related("units"),
            "may_define": user.has_role(*DEFINING_ROLES),
            "pending": reports_to_file(user),
        },
    )


@role_required(*DEFINING_ROLES)
def period_create(request: AuthenticatedRequest) -> HttpResponse:
    """Define a period and pick the units it covers."""
    user = request.user
    form = SensitivePeriodForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            period = sensitive_period_create(
                actor=user,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                unit_ids=[unit.pk for unit in data["units"]],
                note=data["note"],
            )
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("已设置敏感时期：%(name)s") % {"name": period.name})
            return redirect("ledger:period_detail", period_id=period.pk)
    return render(request, "ledger/period_form.html", {"form": form}, status=400 if form.is_bound else 200)


def _period_context(request: AuthenticatedRequest, period_id: int, end_form: PeriodEndForm | None) -> dict:
    user = request.user
    period = period_get_for_user(user, period_id)
    page = Paginator(daily_reports_for_user(user, period), PAGE_SIZE).get_page(request.GET.get("page"))
    may_end = user.has_role(*DEFINING_ROLES) and period.units.filter(user.unit.subtree_q("")).exists()
    return {
        "period": period,
        "units": period.units.order_by("path"),
        "page": page,
        "query": "",
        "show_content": not user.is_admin_role,
        "end_form": (end_form or PeriodEndForm(initial={"version": period.version})) if may_end else None,
    }


@role_required(*PERIOD_ROLES)
def period_detail(request: AuthenticatedRequest, period_id: int) -> HttpResponse:
    """One period: dates, covered units, and each day's reports from the user's units."""
    return render(request, "ledger/period_detail.html", _period_context(request, period_id, None))


@role_required(*DEFINING_ROLES)
@require_POST
def period_end(request: AuthenticatedRequest, period_id: int) -> HttpResponse:
    """End a period early; later days' reports are withdrawn."""
    period = period_get_for_user(request.user, period_id)
    form = PeriodEndForm(request.POST)
    if form.is_valid():
        try:
            sensitive_period_end(
                actor=request.user,
                period_id=period.pk,
                on=form.cleaned_data["on"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("敏感时期已提前结束。"))
            return redirect("ledger:period_detail", period_id=period.pk)
    context = _period_context(request, period_id, form)
    if context["end_form"] is None:
        context["end_form"] = form
    return render(request, "ledger/period_detail.html", context, status=400)


@role_required(*BUSINESS_ROLES)
def daily_file(request: AuthenticatedRequest, report_id: int) -> HttpResponse:
    """One day's report of the user's unit: the form while pending, the filed report afterwards."""
    user = request.user
    report = daily_report_get_for_user(user, report_id)
    unit_staff = report.unit_id == user.unit_id and user.has_role(*FILING_ROLES)
    form = None
    status = 200
    # Posted after a colleague filed (a stale page): the service refuses it and the form keeps what was typed.
    if unit_staff and (report.state == ReportState.PENDING or request.method == "POST"):
        form = DailyReportForm(
            request.POST if request.method == "POST" else None, initial={"version": report.version}
        )
        if form.is_bound:
            status = 400
            if form.is_valid():
                try:
                    daily_report_file(
                        actor=user,
                        report_id=report.pk,
                        is_zero=form.cleaned_data["is_zero"],
                        content=form.cleaned_data["content"],
                        expected_version=form.cleaned_data["version"],
                    )
                except DomainError as error:
                    place_error(form, error)
                else:
                    messages.success(request, _("日报已报送。"))
                    return redirect("ledger:period_list")
    return render(request, "ledger/daily_file.html", {"report": report, "form": form}, status=status)

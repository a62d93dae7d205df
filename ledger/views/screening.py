"""Screening pages (排查): rounds with who filed, a unit's report form, findings and their promotion to key cases."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.auth.roles import role_required
from core.choices import BUSINESS_ROLES, Role
from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest, posted_version
from ledger.choices import ReportState, Source
from ledger.forms import FindingFormSet, KeyCaseForm, ScreeningReportForm, report_input
from ledger.selectors import (
    finding_get_for_user,
    findings_for_user,
    reports_to_file,
    round_get_for_user,
    round_reports_for_user,
    rounds_for_user,
    screening_report_get_for_user,
)
from ledger.services.screening import finding_promote, screening_report_file
from ledger.views.keycases import _item_ids

PAGE_SIZE = 30
FILING_ROLES = (Role.CLERK, Role.HANDLER, Role.SECTION_HEAD)


@role_required(*BUSINESS_ROLES)
def round_list(request: AuthenticatedRequest) -> HttpResponse:
    """Rounds with filed / late / missing counts for the user's units, and what their own unit still owes."""
    page = Paginator(rounds_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/round_list.html",
        {"page": page, "pending": reports_to_file(request.user), "query": ""},
    )


@role_required(*BUSINESS_ROLES)
def round_detail(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    """Who filed, who filed late, who has not filed (overdue in red)."""
    round_ = round_get_for_user(request.user, round_id)
    reports = list(round_reports_for_user(request.user, round_))
    return render(
        request,
        "ledger/round_detail.html",
        {
            "round": round_,
            "filed": [r for r in reports if r.state == ReportState.FILED],
            "late": [r for r in reports if r.state == ReportState.FILED_LATE],
            "missing": [r for r in reports if r.state == ReportState.PENDING],
        },
    )


def _place_report_error(error: DomainError, form: ScreeningReportForm, rows: Any) -> None:
    name = error.field or ""
    if name.startswith("findings-") and name.count("-") == 2:
        _prefix, index, field = name.split("-")
        if int(index) < len(rows.forms) and field in rows.forms[int(index)].fields:
            rows.forms[int(index)].add_error(field, error.message)
            return
    if name == "findings":
        rows._non_form_errors = rows.error_class([error.message])
        return
    place_error(form, error)


@role_required(*BUSINESS_ROLES)
def report_file(request: AuthenticatedRequest, report_id: int) -> HttpResponse:
    """A unit's report for a round: the filing form while pending (own unit only), its contents afterwards."""
    user = request.user
    report = screening_report_get_for_user(user, report_id)
    unit_staff = report.unit_id == user.unit_id and user.has_role(*FILING_ROLES)
    may_file = report.state == ReportState.PENDING and unit_staff
    status = 200
    form: ScreeningReportForm | None = None
    rows: Any = None
    # A report posted from a page loaded before a colleague filed still reaches the service, which refuses it
    # as stale; the form comes back with everything typed and the refusal above it.
    if unit_staff and request.method == "POST":
        form = ScreeningReportForm(request.POST)
        rows = FindingFormSet(request.POST, prefix="findings")
        if form.is_valid() and rows.is_valid():
            try:
                screening_report_file(
                    actor=user,
                    report_id=report.pk,
                    data=report_input(form, rows),
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                _place_report_error(error, form, rows)
            else:
                messages.success(request, _("排查报告已报送。"))
                return redirect("ledger:report_file", report_id=report.pk)
        status = 400
    elif may_file:
        form = ScreeningReportForm(initial={"version": report.version})
        rows = FindingFormSet(prefix="findings")
    return render(
        request,
        "ledger/report_file.html",
        {
            "report": report,
            "form": form,
            "rows": rows,
            "findings": report.findings.select_related("division", "promoted_case").order_by("id"),
            "default_root": user.unit.division_code or "",
        },
        status=status,
    )


@role_required(*BUSINESS_ROLES)
def finding_list(request: AuthenticatedRequest) -> HttpResponse:
    """Findings of the user's units, newest round first; section heads promote them to key cases."""
    queryset = findings_for_user(request.user)
    if request.GET.get("open") == "1":
        queryset = queryset.filter(promoted_case__isnull=True)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/finding_list.html",
        {
            "page": page,
            "may_promote": request.user.has_role(Role.SECTION_HEAD),
            "query": "open=1" if request.GET.get("open") == "1" else "",
        },
    )


def _prefill(finding: Any) -> dict[str, Any]:
    """The key case a finding suggests: description→problem, risk level, head count, measures."""
    return {
        "title": finding.description[:30],
        "problem": finding.description,
        "risk_level": finding.risk_level,
        "head_count": finding.head_count,
        "measures": finding.measures,
        "source": Source.SCREENING,
        "source_note": _("%(unit)s排查（%(start)s起）")
        % {"unit": finding.report.unit.name, "start": finding.report.round.period_start.isoformat()},
    }


@role_required(Role.SECTION_HEAD)
def finding_promote_page(request: AuthenticatedRequest, finding_id: int) -> HttpResponse:
    """列入台账 from a finding in one step, on the new-case form filled in from the finding."""
    user = request.user
    finding = finding_get_for_user(user, finding_id)
    # A form posted after someone else promoted the finding goes on to the service, which refuses it as stale
    # and the form keeps what was typed.
    if finding.promoted_case_id is not None and request.method != "POST":
        messages.info(request, _("该排查发现已列入台账。"))
        return redirect("ledger:case_detail", case_id=finding.promoted_case_id)
    form = KeyCaseForm(
        request.POST if request.method == "POST" else None, user=user, initial=_prefill(finding)
    )
    form.fields["source"].disabled = True  # the service records every promoted finding as 矛盾纠纷排查
    if form.is_bound and form.is_valid():
        try:
            item_ids = _item_ids(user, form.cleaned_data["items"])
        except forms.ValidationError as error:
            form.add_error("items", error)
        else:
            try:
                case = finding_promote(
                    actor=user,
                    finding_id=finding.pk,
                    data=form.to_input(item_ids),
                    expected_version=posted_version(request),
                )
            except DomainError as error:
                place_error(form, error)
            else:
                messages.success(request, _("已列入台账：%(number)s") % {"number": case.number})
                return redirect("ledger:case_detail", case_id=case.pk)
    return render(
        request,
        "ledger/case_form.html",
        {
            "form": form,
            "title": _("排查发现列入台账"),
            "finding": finding,
            # A refused form keeps the version it was loaded at, so a stale page stays refused until reloaded.
            "finding_version": posted_version(request) if form.is_bound else finding.version,
        },
        status=400 if form.is_bound else 200,
    )

"""The person's file page (信访人档案) and the repeat-petitioner register (重信重访), with its Excel export."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from accountability.selectors import DeadlineView, deadline_views
from core.excel import guarded_row
from core.http import AuthenticatedRequest, no_store
from core.pii import mask_name
from petitions.file_sections import file_sections_for
from petitions.petitioner_file import (
    REGISTER_ORDERS,
    person_file,
    person_items_visible,
    person_latest_particulars,
    repeat_register,
)
from petitions.selectors import deadlines_open_for_items
from petitions.services.petitioner_records import (
    petitioner_file_viewed_record,
    repeat_register_export_record,
)

PAGE_SIZE = 30
EXPORT_LIMIT = 5000  # persons in one export; the register is a working list, not a data dump
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def nearest_deadlines(item_ids: list[int]) -> dict[int, DeadlineView]:
    """Each item's nearest open deadline (the unit's obligations before the petitioner's windows), one query."""
    nearest: dict[int, DeadlineView] = {}

    def urgency(view: DeadlineView) -> tuple[bool, date]:
        return (not view.deadline.rule.is_obligation, view.deadline.due_on)

    for view in deadline_views(deadlines_open_for_items(item_ids)):
        current = nearest.get(view.deadline.subject_id)
        if current is None or urgency(view) < urgency(current):
            nearest[view.deadline.subject_id] = view
    return nearest


@login_required
@require_GET
def petitioner_file(request: AuthenticatedRequest, petitioner_id: int) -> HttpResponse:
    """The person as the user may know them: masked particulars, counts, their items in reach and key cases."""
    found = person_file(request.user, petitioner_id)
    latest = person_latest_particulars(request.user, petitioner_id)
    if found is None or latest is None:
        raise Http404
    items = list(
        person_items_visible(request.user, petitioner_id).select_related(
            "responsible_unit", "registered_unit"
        )
    )
    item_ids = [item.pk for item in items]
    due = nearest_deadlines(item_ids)
    petitioner_file_viewed_record(actor=request.user, person_id=petitioner_id, what="page")
    context = {
        "file": found,
        "latest": latest,
        "rows": [(item, due.get(item.pk)) for item in items],
        "sections": file_sections_for(request.user, item_ids),
        "may_register": request.user.has_role("clerk", "section_head"),
    }
    return render(request, "petitions/petitioner_file.html", context)


class RepeatRegisterForm(forms.Form):
    """The register's filters; every field has a default, so an empty query shows the last 12 months."""

    min_items = forms.IntegerField(
        label=gettext_lazy("件次不少于"), min_value=2, max_value=100, required=False
    )
    since = forms.DateField(label=gettext_lazy("信访日期自"), required=False)
    until = forms.DateField(label=gettext_lazy("至"), required=False)
    close_pair = forms.BooleanField(label=gettext_lazy("或30日内两次"), required=False)
    order = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        choices=[
            ("-count", gettext_lazy("件次多的在前")),
            ("count", gettext_lazy("件次少的在前")),
            ("-latest", gettext_lazy("最近信访在前")),
            ("latest", gettext_lazy("最近信访在后")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        data["min_items"] = data.get("min_items") or 3
        data["until"] = data.get("until") or today
        data["since"] = data.get("since") or data["until"] - timedelta(days=365)
        data["order"] = data.get("order") if data.get("order") in REGISTER_ORDERS else "-count"
        if data["since"] > data["until"]:
            self.add_error("since", _("开始日期不能晚于结束日期。"))
        elif (data["until"] - data["since"]).days > 366 * 5:
            self.add_error("since", _("期间不能超过5年。"))
        return data


def _register_rows(request: AuthenticatedRequest, form: RepeatRegisterForm) -> Any:
    data = form.cleaned_data
    return repeat_register(
        request.user,
        min_items=data["min_items"],
        since=data["since"],
        until=data["until"],
        close_pair=data["close_pair"],
        order=data["order"],
    )


def _refuse_admins(request: AuthenticatedRequest) -> None:
    if request.user.is_admin_role:
        raise PermissionDenied


@login_required
@require_GET
def repeat_register_page(request: AuthenticatedRequest) -> HttpResponse:
    """Persons petitioning again and again, counted over the items in the user's reach (names masked)."""
    _refuse_admins(request)
    form = RepeatRegisterForm(request.GET)
    if not form.is_valid():
        return render(request, "petitions/repeat_register.html", {"form": form, "page": None}, status=400)
    page = Paginator(_register_rows(request, form), PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row["masked_name"] = mask_name(row["name"] or "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/repeat_register.html",
        {"form": form, "page": page, "query": query.urlencode(), "data": form.cleaned_data},
    )


@login_required
@require_GET
def repeat_register_export(request: AuthenticatedRequest) -> HttpResponse:
    """The register with the page's filters as .xlsx (masked names, text guarded against formulas); audited."""
    _refuse_admins(request)
    form = RepeatRegisterForm(request.GET)
    if not form.is_valid():
        return render(request, "petitions/repeat_register.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("重信重访"))
    headers = [_("信访人编号"), _("姓名"), _("件次"), _("首次信访日期"), _("最近信访日期"), _("30日内两次")]
    sheet.append(guarded_row(sheet, headers, bold=True))
    count = 0
    for row in _register_rows(request, form)[:EXPORT_LIMIT]:
        values = [
            row["petitioner_id"],
            mask_name(row["name"] or ""),
            row["items"],
            row["first"],
            row["latest"],
            _("是") if row["close"] else "",
        ]
        sheet.append(guarded_row(sheet, values))
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    filters = {
        "min_items": data["min_items"],
        "since": data["since"].isoformat(),
        "until": data["until"].isoformat(),
        "close_pair": data["close_pair"],
    }
    repeat_register_export_record(actor=request.user, rows=count, filters=filters)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = f"重信重访登记_{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    no_store(response)
    return response

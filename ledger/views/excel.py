"""Excel pages of the ledger: export (with the ledger page's filters), the import template, upload, preview and
confirmation. The upload is kept under MEDIA_ROOT between preview and confirmation, named by a random token
that is remembered in the user's session."""

from __future__ import annotations

import io
import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.auth.roles import role_required
from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest, no_store
from ledger import excel
from ledger.filters import KeyCaseFilter
from ledger.models import KeyCase
from ledger.selectors import keycase_export_values, ledger_rows
from ledger.services import importing
from ledger.services.exports import ledger_export_record

SESSION_KEY = "ledger_imports"  # {token: original file name} of uploads awaiting confirmation
KEPT_UPLOADS = 5


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("台账文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "autofocus": True,
            }
        ),
    )


def filtered_cases(request: AuthenticatedRequest) -> QuerySet[KeyCase]:
    """The cases the ledger page shows for the same query string (its FilterSet, its default order)."""
    filterset = KeyCaseFilter(request.GET or None, queryset=ledger_rows(request.user), request=request)
    return filterset.qs if filterset.is_bound else filterset.queryset


def _xlsx_response(file: object, filename: str) -> FileResponse:
    # Django writes a non-ASCII name as filename*=utf-8''… (RFC 5987) next to an ASCII fallback.
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=excel.CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    no_store(response)  # the signed-in rule; a whole ledger is not left to the middleware's order alone
    return response


@login_required
@require_GET
def ledger_export(request: AuthenticatedRequest) -> FileResponse:
    """The visible, filtered cases as .xlsx, written row by row to a temporary file and streamed from it."""
    if request.user.is_admin_role:
        raise PermissionDenied
    rows = keycase_export_values(filtered_cases(request)).iterator(chunk_size=2000)
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it when sent
    try:
        count = excel.write_ledger(rows, target)
    except BaseException:
        target.close()
        raise
    ledger_export_record(actor=request.user, rows=count, filters=request.GET.urlencode())
    target.seek(0)
    today = timezone.localdate()
    return _xlsx_response(target, f"重点信访问题台账_{today.isoformat()}.xlsx")


@role_required("section_head")
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    """The import template: importable columns, an example row and a 说明 sheet listing the user's units."""
    buffer = io.BytesIO()  # a few kilobytes
    importing.import_template_write(actor=request.user, target=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=excel.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "重点信访问题台账_导入模板.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _remember(request: AuthenticatedRequest, token: str, name: str) -> None:
    kept: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
    kept[token] = name
    for old in list(kept)[:-KEPT_UPLOADS]:
        importing.import_upload_discard(actor=request.user, token=old)
        kept.pop(old)
    request.session[SESSION_KEY] = kept


def _forget(request: AuthenticatedRequest, token: str) -> None:
    importing.import_upload_discard(actor=request.user, token=token)
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept.pop(token, None)
    request.session[SESSION_KEY] = kept


@role_required("section_head")
@require_http_methods(["GET", "POST"])
def ledger_import(request: AuthenticatedRequest) -> HttpResponse:
    """Upload a spreadsheet; it is kept and checked, then the preview lists every error by row and column."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token = importing.import_upload_store(actor=request.user, upload=upload)
        except DomainError as error:
            place_error(form, error)
        else:
            _remember(request, token, upload.name[:200])
            return redirect("ledger:import_preview", token=token)
    context = {
        "form": form,
        "max_mb": importing.MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_rows": importing.MAX_ROWS,
        "columns": excel.IMPORT_COLUMNS,
    }
    return render(request, "ledger/excel_import.html", context, status=400 if form.errors else 200)


@role_required("section_head")
@require_http_methods(["GET", "POST"])
def import_preview(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """GET: the checked rows and their errors. POST: import (all rows, or only the valid ones when ticked),
    or discard the upload."""
    name = request.session.get(SESSION_KEY, {}).get(token)
    path = importing.import_upload_path(actor=request.user, token=token) if name else None
    if path is None:
        raise Http404
    refusal = ""
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            _forget(request, token)
            messages.info(request, _("已放弃导入“%(name)s”。") % {"name": name})
            return redirect("ledger:import")
        only_valid = request.POST.get("only_valid") == "1"
        try:
            result = importing.import_run(
                actor=request.user, path=path, file_name=name, only_valid=only_valid
            )
        except DomainError as error:
            refusal = error.message
        else:
            _forget(request, token)
            numbers = [case.number for case in result.cases]
            text = _("已导入%(count)s条重点信访问题（%(first)s 至 %(last)s）。") % {
                "count": len(numbers),
                "first": numbers[0],
                "last": numbers[-1],
            }
            if result.check.invalid:
                text += _("跳过有错误的%(count)s行。") % {"count": len(result.check.invalid)}
            messages.success(request, text)
            return redirect("ledger:case_list")
    check = importing.import_check(actor=request.user, path=path)
    context = {
        "token": token,
        "name": name,
        "check": check,
        "refusal": refusal,
        "columns": excel.IMPORT_COLUMNS,
        "shown_rows": check.rows[:200],
        "only_valid_checked": request.POST.get("only_valid") == "1",
        "upload_url": reverse("ledger:import"),
    }
    return render(request, "ledger/excel_import_preview.html", context, status=400 if refusal else 200)

"""Pages of the weekly bulletin: the list of the viewer's subtree, one bulletin to print, its Excel, generating now."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.auth.roles import role_required
from core.choices import Role
from core.errors import DomainError
from core.http import AuthenticatedRequest
from dashboard.bulletin import bulletin_summary, bulletin_tables, bulletins_generate
from dashboard.bulletin_excel import CONTENT_TYPE, bulletin_title, bulletin_workbook
from dashboard.navigation import VIEWERS
from dashboard.selectors import bulletin_get_for_user, bulletin_user_may_generate, bulletins_for_user

PAGE_SIZE = 50


@role_required(*VIEWERS)
def bulletin_list(request: AuthenticatedRequest) -> HttpResponse:
    """Bulletins of the viewer's unit and the units below it, newest week first."""
    page = Paginator(bulletins_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/bulletin_list.html",
        {"page": page, "may_generate": bulletin_user_may_generate(request.user)},
    )


@role_required(*VIEWERS)
def bulletin_detail(request: AuthenticatedRequest, bulletin_id: int) -> HttpResponse:
    """One bulletin, laid out to print on A4; every count of items links to the item list."""
    bulletin = bulletin_get_for_user(request.user, bulletin_id)
    return render(
        request,
        "dashboard/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "title": bulletin_title(bulletin),
            "summary": bulletin_summary(bulletin),
            "tables": bulletin_tables(bulletin),
        },
    )


@role_required(*VIEWERS)
def bulletin_excel(request: AuthenticatedRequest, bulletin_id: int) -> HttpResponse:
    """The same bulletin as an Excel workbook."""
    bulletin = bulletin_get_for_user(request.user, bulletin_id)
    response = HttpResponse(bulletin_workbook(bulletin), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(bulletin.number)}.xlsx"
    return response


@role_required(Role.LEADER, Role.SUPERVISOR)
@require_POST
def bulletin_generate(request: AuthenticatedRequest) -> HttpResponse:
    """Generate last week's bulletins of the viewer's subtree now (the Monday task does the same)."""
    try:
        created = bulletins_generate(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if created:
            messages.success(request, _("已生成上周通报%(count)s份。") % {"count": len(created)})
        else:
            messages.info(request, _("上周通报均已生成，无需重复生成。"))
    return redirect("dashboard:bulletin_list")

"""The audit log page, for the audit admin only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from core.auth.roles import role_required
from core.choices import Role
from core.filters import AuditEventFilter
from core.http import AuthenticatedRequest
from core.selectors import audit_event_qs_visible_to

PAGE_SIZE = 50


@role_required(Role.AUDIT_ADMIN)
def audit_list(request: AuthenticatedRequest) -> HttpResponse:
    """Audit rows, newest first, filtered and paginated."""
    filterset = AuditEventFilter(request.GET or None, queryset=audit_event_qs_visible_to(request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )

"""The user's own signed-in sessions (登录会话): where and when each started and was last used; end any of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.auth.useragents import browser_label
from core.errors import DomainError
from core.http import AuthenticatedRequest
from core.selectors import user_session_qs_for
from core.services.sessions import user_session_end, user_sessions_end_others


@login_required
def session_list(request: AuthenticatedRequest) -> HttpResponse:
    """The user's sessions, the current one marked."""
    current = request.session.session_key
    rows = [
        {
            "session": session,
            "browser": browser_label(session.user_agent),
            "current": session.session_key == current,
        }
        for session in user_session_qs_for(request.user)
    ]
    return render(
        request, "core/session_list.html", {"rows": rows, "others": sum(not r["current"] for r in rows)}
    )


@login_required
@require_POST
def session_end(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    """End one other session: that browser is signed out at its next request."""
    try:
        user_session_end(actor=request.user, session_id=session_id, current_key=request.session.session_key)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("该会话已结束。"))
    return redirect("core:session_list")


@login_required
@require_POST
def session_end_others(request: AuthenticatedRequest) -> HttpResponse:
    """End every session but this one."""
    ended = user_sessions_end_others(actor=request.user, current_key=request.session.session_key)
    messages.success(request, _("已结束其他 %(count)s 个会话。") % {"count": ended})
    return redirect("core:session_list")

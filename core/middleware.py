"""Request middleware: idle session expiry by role, the client address for audit rows, the Content-Security-Policy,
and the gates that hold a session until its second factor is verified and a due password change is made."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from core.audit import request_origin
from core.passwords import password_change_reason
from core.services.sessions import SEEN_KEY, TOUCH_INTERVAL, user_session_touch
from core.twofactor import second_factor_required


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the last trusted proxy saw it (REMOTE_ADDR; gunicorn sits behind nginx)."""
    return request.META.get("REMOTE_ADDR") or None


class IdleSessionMiddleware:
    """Give a signed-in session its role's idle limit (admins the shorter one).

    The limit is set once; the expiry then slides whenever the session is saved, which the activity middleware does
    at most once a minute, so a request in between writes nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # After the view, so the request that signs in already gets its role's limit.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            minutes = (
                settings.XF_ADMIN_SESSION_IDLE_MINUTES
                if user.is_admin_role
                else settings.XF_SESSION_IDLE_MINUTES
            )
            if request.session.get_expiry_age() != minutes * 60:
                request.session.set_expiry(minutes * 60)
        return response


class AuditContextMiddleware:
    """Make the client address available to audit rows written while the request runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_origin(client_ip(request)):
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every response that has not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class SecondFactorGateMiddleware:
    """A signed-in session of a role that requires two factors reaches nothing unless a code verified it.

    Sign-in only completes after the code, so this catches sessions that predate the requirement (a role granted
    or an authenticator reset while signed in): pages sign them out to start over, the API answers 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and second_factor_required(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("须先完成双因素认证（验证码）才能使用。")}, status=403)
            logout(request)
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return self.get_response(request)


class PasswordChangeGateMiddleware:
    """While the initial password is unchanged or the password is older than the maximum age, every page sends
    the user to the password change page (sign-out still works) and the API answers 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = password_change_reason(user)
            if reason is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": reason}, status=403)
                allowed = {reverse("core:password_change"), reverse("core:logout")}
                if request.path not in allowed:
                    return redirect("core:password_change")
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keep 最近活动 and the address of the user's session current, writing at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        key = request.session.session_key if hasattr(request, "session") else None
        if user is not None and user.is_authenticated and key:
            now = int(time.time())
            if now - int(request.session.get(SEEN_KEY, 0)) >= TOUCH_INTERVAL.total_seconds():
                user_session_touch(session_key=key, ip_address=client_ip(request))
                request.session[SEEN_KEY] = now
        return self.get_response(request)

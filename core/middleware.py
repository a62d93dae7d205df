"""Request middleware: idle session expiry by role, the client address for audit rows, the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.audit import request_origin


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the last trusted proxy saw it (REMOTE_ADDR; gunicorn sits behind nginx)."""
    return request.META.get("REMOTE_ADDR") or None


class IdleSessionMiddleware:
    """Slide the session expiry on each request: admins get the shorter idle limit."""

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

"""The sign-in between its two steps: a correct password waits in the session for its one-time code.

Nobody is signed in (no `login()`, no sign-in audit row, no lockout reset) until the second step succeeds, so a
wrong code counts toward the lockout exactly like a wrong password.
"""

from __future__ import annotations

import time
from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import login, user_login_failed
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import User

PENDING_KEY = "xf_signin_pending"


def signin_pending_start(request: HttpRequest, *, user: User, next_url: str) -> None:
    """Remember who passed the password step, with which backend, and where to go afterwards."""
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "since": int(time.time()),
    }


def signin_pending_user(request: HttpRequest) -> User | None:
    """The account waiting for its code; None when there is none, it expired, or the account was disabled."""
    pending: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending["since"] > settings.XF_OTP_PENDING_MINUTES * 60:
        signin_pending_clear(request)
        return None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        signin_pending_clear(request)
    return user


def signin_pending_next(request: HttpRequest) -> str:
    """Where the user asked to go before signing in."""
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    return str(pending.get("next") or settings.LOGIN_REDIRECT_URL)


def signin_pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def signin_locked(request: HttpRequest, user: User) -> bool:
    """True while the account is locked out by failed passwords or codes."""
    return bool(AxesProxyHandler.is_locked(request, credentials={"username": user.username}))


def signin_code_failed(request: HttpRequest, user: User) -> bool:
    """Count a wrong code as a failed sign-in (django-axes and the audit log); True when it locked the account."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request, factor="otp"
    )
    locked = bool(getattr(request, "axes_locked_out", False))
    if locked:
        signin_pending_clear(request)
    return locked


def signin_complete(request: HttpRequest, *, user: User, device: TOTPDevice) -> str:
    """Sign the user in with the session verified by `device`; returns where to go next."""
    next_url = signin_pending_next(request)
    backend: str = (request.session.get(PENDING_KEY) or {}).get(
        "backend"
    ) or settings.AUTHENTICATION_BACKENDS[-1]
    login(request, user, backend=backend)  # a new session key for the signed-in session
    signin_pending_clear(request)
    django_otp.login(request, device)
    return next_url

"""Audit rows for sign-in, sign-out and failed sign-in (a wrong password or one-time code), fed by Django's signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from core.audit.record import audit_record
from core.middleware import client_ip
from core.models import User
from core.services.sessions import SEEN_KEY, user_session_forget, user_session_started


@receiver(user_logged_in)
def record_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="core.auth.logged_in", target=user)
        if request.session.session_key:
            user_session_started(
                user=user,
                session_key=request.session.session_key,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            request.session[SEEN_KEY] = int(timezone.now().timestamp())


@receiver(user_logged_out)
def record_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit_record(actor=user, action="core.auth.logged_out", target=user)
        if request.session.session_key:
            user_session_forget(session_key=request.session.session_key)


@receiver(user_login_failed)
def record_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        actor=None,
        username=username,
        action="core.auth.otp_failed" if kwargs.get("factor") == "otp" else "core.auth.login_failed",
        object_type="core.user",
        object_id=username,
        object_repr=username,
        success=False,
        detail={"locked_out": locked},
    )

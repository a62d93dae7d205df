"""Writes to the user's signed-in sessions: recorded at sign-in, touched while used, ended by the user."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.errors import DomainError
from core.models import User, UserSession

# How often a session's 最近活动 is written: at most once a minute per session, not on every request. The time of
# the last write is kept in the session itself under SEEN_KEY, so a request in between costs no query.
TOUCH_INTERVAL = timedelta(minutes=1)
SEEN_KEY = "xf_seen"


def user_session_started(*, user: User, session_key: str, ip_address: str | None, user_agent: str) -> None:
    """Record a new signed-in session (called at sign-in, inside the sign-in audit's transaction)."""
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "started_at": timezone.now(),
            "last_seen_at": timezone.now(),
            "ip_address": ip_address,
            "user_agent": user_agent[:300],
        },
    )


def user_session_touch(*, session_key: str, ip_address: str | None) -> None:
    """Note that the session was used now, from this address (one conditional UPDATE)."""
    UserSession.objects.filter(session_key=session_key).update(
        last_seen_at=timezone.now(), ip_address=ip_address
    )


def user_session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key Django changed (after a password change the session is kept under a new key)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def user_session_forget(*, session_key: str) -> None:
    """Drop the record of a session that was signed out."""
    UserSession.objects.filter(session_key=session_key).delete()


def _end(sessions: list[UserSession]) -> int:
    keys = [session.session_key for session in sessions]
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def user_session_end(*, actor: User, session_id: int, current_key: str | None) -> None:
    """End one of the user's own sessions (signing that browser out); the current one ends by 退出."""
    with transaction.atomic():
        session = UserSession.objects.select_for_update().filter(user=actor, pk=session_id).first()
        if session is None:
            raise DomainError(_("该会话已结束或不存在。"), field="session")
        if session.session_key == current_key:
            raise DomainError(_("这是当前会话，请用“退出”结束。"), field="session")
        _end([session])
        audit_record(
            actor=actor,
            action="core.session.ended",
            target=actor,
            detail={"started_at": session.started_at.isoformat(), "ip_address": session.ip_address},
        )


def user_sessions_end_others(*, actor: User, current_key: str | None, reason: str = "user") -> int:
    """End every session of the user except `current_key`; returns how many (audited when any)."""
    with transaction.atomic():
        others = list(
            UserSession.objects.select_for_update().filter(user=actor).exclude(session_key=current_key or "")
        )
        ended = _end(others)
        if ended:
            audit_record(
                actor=actor,
                action="core.session.others_ended",
                target=actor,
                detail={"ended": ended, "reason": reason},
            )
    return ended


def user_sessions_end_all(*, user: User, keep_key: str | None = None) -> int:
    """End every session of an account but `keep_key` (after a password change or when it is disabled); runs
    inside the caller's transaction, which carries the audit row."""
    sessions = UserSession.objects.select_for_update().filter(user=user).exclude(session_key=keep_key or "")
    return _end(list(sessions))


def user_sessions_forget_expired() -> int:
    """Drop records of sessions Django has already deleted or expired; returns how many."""
    live = Session.objects.filter(expire_date__gte=timezone.now()).values("session_key")
    deleted, _detail = UserSession.objects.exclude(session_key__in=live).delete()
    return int(deleted)

"""Writes to accounts: created and edited by the system admin, roles granted by the security admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.audit.record import audit_record
from core.auth.twofactor import second_factor_required
from core.choices import ADMIN_ROLES, Role
from core.errors import DomainError
from core.models import PasswordHistory, Unit, User
from core.services.sessions import user_sessions_end_all
from core.versioning import bump_version, lock_version

ACCOUNT_FIELDS = ("full_name", "unit_id", "title", "phone", "email", "is_active")


def _require(actor: User, role: str) -> None:
    if not actor.has_role(role):
        raise DomainError(_("您没有执行此操作的权限。"), code="forbidden")


def user_check_password(password: str, user: User) -> None:
    """Apply the password rules, as one Chinese message at the password field."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc


def user_check_password_unused(password: str, user: User) -> None:
    """Refuse any of the account's last XF_PASSWORD_HISTORY passwords (the current one included)."""
    keep = settings.XF_PASSWORD_HISTORY
    recent = list(user.password_history.order_by("-set_at", "-pk").values_list("password", flat=True)[:keep])
    if user.password and user.password not in recent:
        recent = [user.password, *recent][:keep]
    if any(check_password(password, encoded) for encoded in recent):
        raise DomainError(
            _("不能使用最近%(count)s次用过的密码，请换一个新密码。") % {"count": keep}, field="password"
        )


def _password_store(user: User, password: str, *, must_change: bool) -> None:
    """Set the password with its date, keep its hash in the history and drop hashes older than the last few."""
    if user.pk is not None and user.password:
        newest = PasswordHistory.objects.filter(user=user).order_by("-set_at", "-pk").first()
        if newest is None or newest.password != user.password:
            # An account from before the history was kept: remember the password it is leaving.
            PasswordHistory.objects.create(user=user, password=user.password, set_at=user.password_changed_at)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.save()
    PasswordHistory.objects.create(user=user, password=user.password, set_at=user.password_changed_at)
    stale = user.password_history.order_by("-set_at", "-pk").values_list("pk", flat=True)[
        settings.XF_PASSWORD_HISTORY :
    ]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def user_check_username_free(username: str) -> None:
    """Refuse an empty account name or one already taken (case-insensitively)."""
    if not username.strip():
        raise DomainError(_("请填写登录账号。"), field="username")
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise DomainError(_("账号“%(name)s”已存在。") % {"name": username}, field="username")


def user_create(
    *, actor: User | None, username: str, password: str, force_change: bool | None = None, **fields: Any
) -> User:
    """Open an account (system admin). Roles are granted separately by the security admin.

    An account opened by an admin must choose its own password at first sign-in (`force_change`, by default
    whenever there is an actor); demo data opens accounts without an actor and is not forced.
    """
    if actor is not None:
        _require(actor, Role.SYSTEM_ADMIN)
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    username = username.strip()
    with transaction.atomic():
        user_check_username_free(username)
        if not Unit.objects.filter(pk=fields.get("unit_id")).exists():
            raise DomainError(_("请选择所属单位。"), field="unit")
        user = User(username=username, **fields)
        user_check_password(password, user)
        _password_store(
            user, password, must_change=actor is not None if force_change is None else force_change
        )
        audit_record(
            actor=actor, action="core.user.created", target=user, changed_fields=[*fields, "password"]
        )
    return user


def user_lock_for_edit(*, user_id: int, expected_version: int | None) -> User:
    """Lock the account for the surrounding transaction; refuse when it changed since the form was loaded."""
    return lock_version(
        User.objects.all(), user_id, expected_version, _("该账号已被他人修改，请刷新页面后重试。")
    )


def user_update(*, actor: User, user_id: int, expected_version: int | None = None, **fields: Any) -> User:
    """Edit an account's own fields (system admin); roles are not among them."""
    _require(actor, Role.SYSTEM_ADMIN)
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        user = user_lock_for_edit(user_id=user_id, expected_version=expected_version)
        if user.pk == actor.pk and fields.get("is_active") is False:
            raise DomainError(_("不能停用自己的账号。"), field="is_active")
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, fields[name])
        if "is_active" in changed:
            if user.is_active:
                user.enabled_at, user.inactive_disabled_at = timezone.now(), None
                changed += ["enabled_at", "inactive_disabled_at"]
            else:
                user_sessions_end_all(user=user)
        if changed:
            user.save(update_fields=bump_version(user, changed))
            audit_record(actor=actor, action="core.user.updated", target=user, changed_fields=changed)
    return user


def user_set_password(
    *, actor: User, user_id: int, password: str, current_session_key: str | None = None
) -> User:
    """Set a password: the system admin for anyone (a reset, which the user must change at next sign-in), or a
    user for themself. None of the last few passwords may come back. Every other session of the account ends;
    a user's own change keeps `current_session_key`, the one it was made in."""
    own = actor.pk == user_id
    if not own:
        _require(actor, Role.SYSTEM_ADMIN)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        user_check_password(password, user)
        user_check_password_unused(password, user)
        _password_store(user, password, must_change=not own)
        ended = user_sessions_end_all(user=user, keep_key=current_session_key if own else None)
        audit_record(
            actor=actor,
            action="core.user.password_changed" if own else "core.user.password_reset",
            target=user,
            changed_fields=["password", "password_changed_at", "must_change_password"],
            detail={"sessions_ended": ended},
        )
    return user


def user_check_roles(*, actor: User, user_id: int, roles: list[str]) -> list[str]:
    """Refuse unknown roles, combined admin roles and changes to one's own roles; returns them sorted."""
    _require(actor, Role.SECURITY_ADMIN)
    wanted = sorted(set(roles))
    unknown = set(wanted) - set(Role.values)
    if unknown:
        raise DomainError(_("未知角色：%(roles)s") % {"roles": "、".join(sorted(unknown))}, field="roles")
    if set(wanted) & ADMIN_ROLES and len(wanted) > 1:
        raise DomainError(
            _("系统管理员、安全管理员、审计管理员三者分立，不能与其他任何角色兼任。"), field="roles"
        )
    if actor.pk == user_id:
        raise DomainError(_("不能修改自己的角色。"), field="roles")
    return wanted


def user_roles_set(
    *, actor: User, user_id: int, roles: list[str], expected_version: int | None = None
) -> User:
    """Grant or revoke roles (security admin); admin roles stand alone and nobody changes their own."""
    wanted = user_check_roles(actor=actor, user_id=user_id, roles=roles)
    with transaction.atomic():
        user = user_lock_for_edit(user_id=user_id, expected_version=expected_version)
        before = sorted(user.roles)
        if before == wanted:
            return user
        user.roles = wanted
        user.save(update_fields=bump_version(user, ["roles"]))
        audit_record(
            actor=actor,
            action="core.user.roles_changed",
            target=user,
            changed_fields=["roles"],
            detail={"before": before, "after": wanted},
        )
    return user


def user_roles_bootstrap(*, user_id: int, roles: list[str]) -> User:
    """Give roles without a security admin, for first installation and demo data only (audited as system)."""
    wanted = sorted(set(roles))
    if set(wanted) - set(Role.values) or (set(wanted) & ADMIN_ROLES and len(wanted) > 1):
        raise DomainError(_("角色组合不合法。"), field="roles")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        user.roles = wanted
        user.save(update_fields=["roles"])
        audit_record(
            actor=None,
            action="core.user.roles_bootstrapped",
            target=user,
            changed_fields=["roles"],
            detail={"after": wanted},
        )
    return user


def user_unlock(*, actor: User, username: str) -> int:
    """Lift a sign-in lockout (security admin); returns how many failure records were cleared."""
    _require(actor, Role.SECURITY_ADMIN)
    with transaction.atomic():
        cleared = axes_reset(username=username)
        audit_record(
            actor=actor,
            action="core.user.unlocked",
            object_type="core.user",
            object_id=username,
            object_repr=username,
            detail={"cleared": cleared},
        )
    return int(cleared)


def user_api_token_issue(*, actor: User) -> Token:
    """Replace the user's API token with a new one; not for roles that must sign in with two factors."""
    if second_factor_required(actor):
        raise DomainError(_("您的角色须使用双因素认证，不能生成 API 令牌。"), code="forbidden")
    with transaction.atomic():
        Token.objects.filter(user=actor).delete()
        token = Token.objects.create(user=actor)
        audit_record(actor=actor, action="core.user.api_token_issued", target=actor, changed_fields=["token"])
    return token


def user_api_token_revoke(*, actor: User) -> bool:
    """Delete the user's API token; returns whether there was one."""
    with transaction.atomic():
        deleted, _ignored = Token.objects.filter(user=actor).delete()
        if deleted:
            audit_record(
                actor=actor, action="core.user.api_token_revoked", target=actor, changed_fields=["token"]
            )
    return bool(deleted)


def user_enable(*, actor: User, user_id: int) -> User:
    """Re-enable a disabled account (security or system admin); unused days count again from now."""
    if not actor.has_role(Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN):
        raise DomainError(_("您没有执行此操作的权限。"), code="forbidden")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.is_active:
            return user
        before = user.inactive_disabled_at
        user.is_active, user.enabled_at, user.inactive_disabled_at = True, timezone.now(), None
        user.save(update_fields=["is_active", "enabled_at", "inactive_disabled_at"])
        audit_record(
            actor=actor,
            action="core.user.enabled",
            target=user,
            changed_fields=["is_active", "enabled_at", "inactive_disabled_at"],
            detail={"disabled_as_unused_at": before.isoformat() if before else None},
        )
    return user


def users_disable_inactive() -> list[str]:
    """Disable every active account unused for XF_ACCOUNT_INACTIVE_DAYS (no sign-in since then, nor opened or
    re-enabled since); one audit row per account, its sessions ended. Returns the account names."""
    now = timezone.now()
    cutoff = now - timedelta(days=settings.XF_ACCOUNT_INACTIVE_DAYS)
    last_used = Greatest(
        Coalesce(F("last_login"), F("date_joined")), Coalesce(F("enabled_at"), F("date_joined"))
    )
    with transaction.atomic():
        unused = list(
            User.objects.select_for_update(skip_locked=True)
            .alias(last_used=last_used)
            .filter(is_active=True, last_used__lt=cutoff)
            .order_by("pk")
        )
        for user in unused:
            user.is_active, user.inactive_disabled_at = False, now
            user.save(update_fields=["is_active", "inactive_disabled_at"])
            user_sessions_end_all(user=user)
            audit_record(
                actor=None,
                action="core.user.disabled_unused",
                target=user,
                changed_fields=["is_active", "inactive_disabled_at"],
                detail={
                    "last_login": user.last_login.isoformat() if user.last_login else None,
                    "days": settings.XF_ACCOUNT_INACTIVE_DAYS,
                },
            )
    return [user.username for user in unused]

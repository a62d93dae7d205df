"""Accounts: each user belongs to one unit and holds roles; admin roles are never combined."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ADMIN_ROLES, Role
from core.models.encrypted import EncryptedCharField
from core.models.units import Unit
from core.versioning import version_field


class User(AbstractUser):
    """A person who signs in; what they see is limited to their unit's subtree."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="users", verbose_name=_("所属单位"))
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = EncryptedCharField(_("办公电话"), max_length=20, blank=True)
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        default=list,
        blank=True,
        verbose_name=_("角色"),
    )
    version = version_field()
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    # Set when an admin opens the account or resets its password: the user chooses their own at first sign-in.
    must_change_password = models.BooleanField(_("须修改初始密码"), default=False)
    # Unused for XF_ACCOUNT_INACTIVE_DAYS, counted from the last sign-in, the opening or the last re-enabling.
    enabled_at = models.DateTimeField(_("重新启用时间"), null=True, blank=True)
    inactive_disabled_at = models.DateTimeField(_("长期未用停用时间"), null=True, blank=True)

    REQUIRED_FIELDS = ["full_name", "unit"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(condition=Q(roles__contained_by=Role.values), name="user_roles_known"),
            models.CheckConstraint(
                condition=~Q(roles__overlap=sorted(ADMIN_ROLES)) | Q(roles__len=1),
                name="user_admin_role_exclusive",
            ),
            # Run-time permission checks never consult is_superuser; nobody may hold it.
            models.CheckConstraint(condition=Q(is_superuser=False), name="user_not_superuser"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    def has_role(self, *roles: str) -> bool:
        """True when the user holds at least one of `roles`."""
        return bool(self.is_active and set(roles) & set(self.roles))

    @property
    def is_admin_role(self) -> bool:
        """True for the system, security and audit administrators."""
        return bool(set(self.roles) & ADMIN_ROLES)

    @property
    def role_labels(self) -> list[str]:
        """The Chinese names of the user's roles, in the order of the Role enumeration."""
        return [str(label) for value, label in Role.choices if value in self.roles]


class RoleAssignment(User):
    """The same accounts, as the security admin sees them to grant and revoke roles."""

    class Meta:
        proxy = True
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")


class PasswordHistory(models.Model):
    """The hashes of an account's recent passwords, so none of the last few is chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-set_at"], name="core_pwhist_user_set_at")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.set_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A signed-in session as its user sees it on 登录会话: when and where it started, when it was last used."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(_("登录时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近活动"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="core_usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.started_at:%Y-%m-%d %H:%M}"

"""Accounts: each user belongs to one unit and holds roles; admin roles are never combined."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import ADMIN_ROLES, Role
from core.models.encrypted import EncryptedCharField
from core.models.units import Unit


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

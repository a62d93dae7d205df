"""Password rules beyond Django's built-ins (three of four character classes, a Chinese length message) and when
a user must change theirs."""

from __future__ import annotations

import string
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def password_change_reason(user: Any) -> str | None:
    """Why the user must change their password before anything else, or None when they need not."""
    if user.must_change_password:
        return _("这是管理员设置的初始密码，请先修改为只有您知道的新密码。")
    age = timezone.now() - user.password_changed_at
    if age > timedelta(days=settings.XF_PASSWORD_MAX_AGE_DAYS):
        return _("您的密码已超过%(days)s天未修改，请先修改密码。") % {
            "days": settings.XF_PASSWORD_MAX_AGE_DAYS
        }
    return None


class CharacterClassValidator:
    """Require `min_classes` of: upper-case letters, lower-case letters, digits, other symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        classes = [
            any(ch in string.ascii_uppercase for ch in password),
            any(ch in string.ascii_lowercase for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() for ch in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(count)s类。")
                % {"count": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(count)s类。") % {
            "count": self.min_classes
        }


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (Django's own catalogue lacks this plural form)."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要%(min_length)s个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要%(min_length)s个字符。") % {"min_length": self.min_length}

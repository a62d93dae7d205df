"""API token authentication that refuses accounts whose role requires two-factor sign-in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from core.auth.twofactor import second_factor_required


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check; a token proves one factor only, so the roles that need two use their signed-in session."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if second_factor_required(user):
            raise exceptions.AuthenticationFailed(
                _("该账号的角色须使用双因素认证，不能用 API 令牌访问，请在浏览器中登录后使用。")
            )
        return user, token

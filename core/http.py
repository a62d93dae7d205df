"""Request types for views behind sign-in, so `request.user` is our User, not a union with AnonymousUser."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from core.models import User


class AuthenticatedRequest(HttpRequest):
    """An HttpRequest that passed login_required."""

    user: User


def api_user(request: Request) -> User:
    """The signed-in user of an API request (permission classes have already refused anonymous calls)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("API view reached without authentication")
    return user


def posted_version(request: HttpRequest) -> int | None:
    """The record version a button-only form posted (its hidden `version`), None when absent or not a number."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None

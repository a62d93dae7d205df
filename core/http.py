"""Request types for views behind sign-in (so `request.user` is our User, not a union with AnonymousUser), and the
small request and response rules views share."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
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


def no_store(response: HttpResponseBase) -> HttpResponseBase:
    """Keep the response out of every cache, browser or proxy (the one rule for anything a signed-in user is sent,
    exports included): `Cache-Control: no-store` and, for HTTP/1.0 caches, `Pragma: no-cache`. A header that
    already says no-store (Django's never_cache) is kept as it is."""
    if "no-store" not in response.get("Cache-Control", ""):
        response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response

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


def whole_number(raw: object, *, maximum: int = 2**31 - 1) -> int | None:
    """A non-negative whole number written in ASCII digits within `maximum` (a database integer), else None.

    `str.isdigit` alone accepts "²" or "٣", which `int()` then refuses or reads, and any length, which the
    database then refuses: both were server errors.
    """
    text = str(raw or "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def big_id(raw: object) -> int | None:
    """A record id (a 64-bit key) from a query string or form, else None."""
    return whole_number(raw, maximum=2**63 - 1)


def posted_version(request: HttpRequest) -> int | None:
    """The record version a button-only form posted (its hidden `version`), None when absent or not a number."""
    return whole_number(request.POST.get("version", ""))


def no_store(response: HttpResponseBase) -> HttpResponseBase:
    """Keep the response out of every cache, browser or proxy (the one rule for anything a signed-in user is sent,
    exports included): `Cache-Control: no-store` and, for HTTP/1.0 caches, `Pragma: no-cache`. A header that
    already says no-store (Django's never_cache) is kept as it is."""
    if "no-store" not in response.get("Cache-Control", ""):
        response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response

"""Request middleware: the refusal of NUL bytes, idle session expiry by role, the client address (one rule for
every use), the Content-Security-Policy, no caching of anything sent to a signed-in user, and the gates that hold
a session until its second factor is verified and a due password change is made."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.audit.record import request_origin
from core.auth.passwords import password_change_reason
from core.auth.twofactor import second_factor_required
from core.http import no_store
from core.services.sessions import SEEN_KEY, TOUCH_INTERVAL, user_session_touch

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    """The address written in `text`, an IPv4 address sent as IPv6 (::ffff:10.0.0.2) as itself; None if none."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in settings.XF_TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for lockout records, audit rows, sessions and the public query's limits alike.

    REMOTE_ADDR, unless that peer is a trusted proxy (settings.XF_TRUSTED_PROXIES): then X-Forwarded-For is read
    from the right, passing over the proxies of ours that appended to it, and the first address that is not one of
    them is the client. Entries further left were written by the client and are never believed. Where an entry
    is not an address, the last address vouched for is used instead.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    nearest = _address(peer) if peer and settings.XF_TRUSTED_PROXIES else None
    if nearest is None or not _trusted(nearest):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        address = _address(hop)
        if address is None:
            break
        nearest = address
        if not _trusted(address):
            break
    return str(nearest)


NUL = "\x00"


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _any_nul(texts: Iterable[str]) -> bool:
    return any(NUL in text for text in texts)


def _fields_have_nul(fields: QueryDict) -> bool:
    return any(NUL in name or _any_nul(values) for name, values in fields.lists())


def _json_has_nul(body: bytes) -> bool:
    """True when a string (or key) of the JSON document holds a NUL, which JSON can only write as \\u0000."""
    if b"\\u0000" not in body:  # the cheap test first; most bodies stop here
        return False
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON the API can parse either: its parser gives the 400
    pending = [document]
    while pending:  # a loop, not recursion: the nesting depth is the sender's choice
        value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def request_has_nul(request: HttpRequest) -> bool:
    """True when the path, a query parameter, a cookie, a form field, an uploaded file's name or a JSON string holds
    a NUL.

    PostgreSQL cannot store or compare a text with a NUL in it, and no field of this system takes one, so such a
    request is refused whole before any view reads it (a session cookie with a NUL would fail the session lookup).
    """
    if NUL in request.path_info or _fields_have_nul(request.GET):
        return True
    if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
        return True
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in FORM_CONTENT_TYPES:
        if _fields_have_nul(request.POST):
            return True
        return any(
            _any_nul(upload.name or "" for upload in uploads) for _name, uploads in request.FILES.lists()
        )
    if content_type == "application/json" or content_type.endswith("+json"):
        # Only a body Django would read into memory anyway; a larger one is left to the API's own limits.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > 0 and (limit is None or length <= limit):
            return _json_has_nul(request.body)
    return False


class NulByteMiddleware:
    """Refuse a request carrying a NUL byte with 400 and a Chinese message: {"detail"} for the API, a page otherwise.

    One rule for every view: without it, each text filter, search box and form field would have to refuse NUL
    itself, and one that forgot would turn the input into a database error (500).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request_has_nul(request):
            return self.get_response(request)
        message = _("请求中含有空字符（NUL），无法处理。请删除输入中的不可见字符后重试。")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        # No context processors: the request is refused before sessions and users are loaded.
        return HttpResponseBadRequest(render_to_string("400_input.html", {"message": message}))


class IdleSessionMiddleware:
    """Give a signed-in session its role's idle limit (admins the shorter one).

    The limit is set once; the expiry then slides whenever the session is saved, which the activity middleware does
    at most once a minute, so a request in between writes nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # After the view, so the request that signs in already gets its role's limit.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            minutes = (
                settings.XF_ADMIN_SESSION_IDLE_MINUTES
                if user.is_admin_role
                else settings.XF_SESSION_IDLE_MINUTES
            )
            if request.session.get_expiry_age() != minutes * 60:
                request.session.set_expiry(minutes * 60)
        return response


class AuditContextMiddleware:
    """Make the client address available to audit rows written while the request runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_origin(client_ip(request)):
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every response that has not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class NoStoreMiddleware:
    """Every response to a signed-in user (pages, API calls by session or token, printable documents, downloads)
    is kept by no browser or proxy cache: a shared office browser must show nothing of it after sign-out.

    Placed after authentication so it sees the user and covers the gates' answers too; static files are served
    before it and anonymous pages are left to their own headers. The user is read after the view, so an API call
    authenticated by its token (in the view, by DRF) counts as signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            no_store(response)
        return response


class SecondFactorGateMiddleware:
    """A signed-in session of a role that requires two factors reaches nothing unless a code verified it.

    Sign-in only completes after the code, so this catches sessions that predate the requirement (a role granted
    or an authenticator reset while signed in): pages sign them out to start over, the API answers 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and second_factor_required(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("须先完成双因素认证（验证码）才能使用。")}, status=403)
            logout(request)
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return self.get_response(request)


class PasswordChangeGateMiddleware:
    """While the initial password is unchanged or the password is older than the maximum age, every page sends
    the user to the password change page (sign-out still works) and the API answers 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = password_change_reason(user)
            if reason is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": reason}, status=403)
                allowed = {reverse("core:password_change"), reverse("core:logout")}
                if request.path not in allowed:
                    return redirect("core:password_change")
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keep 最近活动 and the address of the user's session current, writing at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        key = request.session.session_key if hasattr(request, "session") else None
        if user is not None and user.is_authenticated and key:
            now = int(time.time())
            if now - int(request.session.get(SEEN_KEY, 0)) >= TOUCH_INTERVAL.total_seconds():
                user_session_touch(session_key=key, ip_address=client_ip(request))
                request.session[SEEN_KEY] = now
        return self.get_response(request)

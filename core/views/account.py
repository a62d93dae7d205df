"""The user's own account page: profile, password change (also when one is due) and API token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.auth.passwords import password_change_reason
from core.auth.twofactor import otp_devices_confirmed, second_factor_required
from core.errors import DomainError
from core.forms import PasswordChangeForm
from core.http import AuthenticatedRequest
from core.services.sessions import user_session_rekey
from core.services.users import user_api_token_issue, user_api_token_revoke, user_set_password


def _password_changed(request: AuthenticatedRequest, form: PasswordChangeForm) -> bool:
    """Apply a posted password change; True when it was saved (this session stays, the others end)."""
    if request.method != "POST" or not form.is_valid():
        return False
    user = request.user
    old_key = request.session.session_key
    try:
        user_set_password(
            actor=user,
            user_id=user.pk,
            password=form.cleaned_data["new_password"],
            current_session_key=old_key,
        )
    except DomainError as error:
        form.add_error("new_password", error.message)
        return False
    user.refresh_from_db()
    update_session_auth_hash(request, user)  # keeps this session, under a new key
    user_session_rekey(old_key=old_key, new_key=request.session.session_key)
    messages.success(request, _("密码已修改。"))
    return True


@login_required
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    """The page every other page sends to while the initial password is unchanged or the password is too old."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if _password_changed(request, form):
        return redirect("core:home")
    context = {"form": form, "reason": password_change_reason(request.user)}
    return render(request, "core/password_change.html", context)


@login_required
def account(request: AuthenticatedRequest) -> HttpResponse:
    """Profile and password change; a new API token is shown once, right after it is issued."""
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if _password_changed(request, form):
        return redirect("core:account")
    new_token = request.session.pop("new_api_token", None)
    has_token = hasattr(user, "auth_token")
    return render(
        request,
        "core/account.html",
        {
            "form": form,
            "new_token": new_token,
            "has_token": has_token,
            "token_allowed": not second_factor_required(user),
            "two_factor_devices": otp_devices_confirmed(user).count(),
            "two_factor_required": second_factor_required(user),
        },
    )


@login_required
@require_POST
def api_token_issue(request: AuthenticatedRequest) -> HttpResponse:
    """Issue a fresh API token and show it once."""
    try:
        token = user_api_token_issue(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        request.session["new_api_token"] = token.key
    return redirect("core:account")


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedRequest) -> HttpResponse:
    """Revoke the user's API token."""
    if user_api_token_revoke(actor=request.user):
        messages.success(request, _("API 令牌已作废。"))
    return redirect("core:account")

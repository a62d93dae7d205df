"""Two-factor pages: the code step of sign-in, enrolment during sign-in, and the user's own authenticators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.auth.signin import (
    signin_code_failed,
    signin_complete,
    signin_locked,
    signin_pending_clear,
    signin_pending_user,
)
from core.auth.twofactor import (
    otp_device_pending,
    otp_devices_confirmed,
    otp_provisioning,
    second_factor_required,
)
from core.errors import DomainError
from core.forms import OtpCodeForm, place_error
from core.http import AuthenticatedRequest
from core.models import User
from core.services.twofactor import (
    otp_code_verify,
    otp_device_remove,
    otp_enrolment_confirm,
    otp_enrolment_start,
)
from core.views.auth import lockout_response

WRONG_CODE = gettext_lazy("验证码不正确或已使用过，请输入身份验证器当前显示的验证码。")


def _pending_or_restart(request: HttpRequest) -> User | HttpResponse:
    """The account waiting for its second step, or the answer that sends the visitor back to the password."""
    user = signin_pending_user(request)
    if user is None:
        messages.info(request, _("登录已超时，请重新输入账号和密码。"))
        return redirect("core:login")
    if signin_locked(request, user):
        signin_pending_clear(request)
        return lockout_response(request)
    return user


def login_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the code from the user's authenticator."""
    pending = _pending_or_restart(request)
    if isinstance(pending, HttpResponse):
        return pending
    if not otp_devices_confirmed(pending).exists():
        return redirect("core:login_enrol")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_code_verify(user=pending, code=form.cleaned_data["code"])
        if device is not None:
            return redirect(signin_complete(request, user=pending, device=device))
        if signin_code_failed(request, pending):
            return lockout_response(request)
        form.add_error("code", WRONG_CODE)
    return render(request, "core/login_verify.html", {"form": form, "pending_user": pending})


def login_enrol(request: HttpRequest) -> HttpResponse:
    """Sign-in of an account whose role requires two factors and has no authenticator yet: add one first."""
    pending = _pending_or_restart(request)
    if isinstance(pending, HttpResponse):
        return pending
    if otp_devices_confirmed(pending).exists():
        return redirect("core:login_verify")
    device = otp_enrolment_start(user=pending)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = otp_enrolment_confirm(user=pending, code=form.cleaned_data["code"])
        if confirmed is not None:
            messages.success(request, _("身份验证器已绑定，以后登录时请输入它显示的验证码。"))
            return redirect(signin_complete(request, user=pending, device=confirmed))
        if signin_code_failed(request, pending):
            return lockout_response(request)
        form.add_error("code", WRONG_CODE)
    context = {"form": form, "pending_user": pending, "provisioning": otp_provisioning(device)}
    return render(request, "core/login_enrol.html", context)


@login_required
def account_two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """The user's authenticators; adding one shows its secret, URI and QR code until a valid code confirms it."""
    user = request.user
    pending = otp_device_pending(user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and pending is not None and form.is_valid():
        try:
            confirmed = otp_enrolment_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            place_error(form, error)
        else:
            if confirmed is not None:
                messages.success(request, _("身份验证器已绑定，以后登录时需要输入它显示的验证码。"))
                return redirect("core:account_two_factor")
            form.add_error("code", WRONG_CODE)
    context = {
        "devices": list(otp_devices_confirmed(user)),
        "required": second_factor_required(user),
        "provisioning": otp_provisioning(pending) if pending is not None else None,
        "form": form,
    }
    return render(request, "core/account_two_factor.html", context)


@login_required
@require_POST
def account_two_factor_add(request: AuthenticatedRequest) -> HttpResponse:
    """Start adding an authenticator: a new secret to scan, confirmed on the page by a code."""
    otp_enrolment_start(user=request.user)
    return redirect("core:account_two_factor")


@login_required
@require_POST
def account_two_factor_remove(request: AuthenticatedRequest, device_id: int) -> HttpResponse:
    """Remove one of the user's authenticators (not the last one of a role that requires two factors)."""
    try:
        otp_device_remove(actor=request.user, device_id=device_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("身份验证器已删除。"))
    return redirect("core:account_two_factor")

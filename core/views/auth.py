"""Sign-in and sign-out pages, and the lockout answer django-axes gives after repeated failures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.auth.signin import signin_pending_start
from core.auth.twofactor import otp_devices_confirmed, second_factor_expected
from core.forms import LoginForm


class LoginView(auth_views.LoginView):
    """The Chinese sign-in page; an account with a second factor goes on to the code (or enrolment) step."""

    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if not second_factor_expected(user):
            return super().form_valid(form)
        signin_pending_start(self.request, user=user, next_url=self.get_success_url())
        if otp_devices_confirmed(user).exists():
            return redirect("core:login_verify")
        return redirect("core:login_enrol")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Shown for a locked account, whether it exists or not, so the answer reveals nothing."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, data=None)
    message = _(
        "该账号因连续%(limit)s次登录失败已被锁定，请%(minutes)s分钟后再试，或联系安全管理员解锁。"
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(
        request,
        "core/login.html",
        {"form": form, "lockout_message": message},
        status=429,
    )

"""Two-factor sign-in: required roles reach nothing without the code, wrong codes count toward the lockout,
enrolment during sign-in and on the account page, removal, reset, and the API."""

from __future__ import annotations

import io
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.choices import Role
from core.demo import seed_demo
from core.errors import DomainError
from core.models import AuditEvent
from core.runtime.devrun import DEMO_OTP_SECRET, DEMO_PASSWORD
from core.services.twofactor import otp_devices_reset
from core.services.users import user_roles_set
from tests.support.accounts import PASSWORD, authenticator_for, otp_code

REQUIRED = ["leader", "system_admin", "security_admin", "audit_admin"]
PAGES = [
    "/",
    "/account/",
    "/account/two-factor/",
    "/audit/",
    "/admin/",
    "/petitions/",
    "/dashboard/",
    "/units/",
]
APIS = ["/api/v1/me/", "/api/v1/units/", "/api/v1/audit-events/", "/api/v1/petitions/"]


def password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def code_step(client: Client, code: str, path: str = "/login/verify/"):
    return client.post(path, {"code": code})


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed code the authenticator is not showing now (nor one step either side)."""
    shown = {otp_code(device, steps_ahead=step) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1000, 1_000_000, 7919) if f"{n:06d}" not in shown)


@pytest.mark.parametrize("persona", REQUIRED)
def test_a_required_role_is_asked_for_the_code_after_the_password(personas, persona):
    user = getattr(personas, persona)
    client = Client()
    response = password_step(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == "/login/verify/"
    assert not AuditEvent.objects.filter(action="core.auth.logged_in", actor=user).exists()
    page = client.get("/login/verify/")
    assert "输入验证码" in page.content.decode()


@pytest.mark.parametrize("persona", REQUIRED)
def test_after_the_password_alone_no_page_or_api_is_reachable(personas, persona):
    user = getattr(personas, persona)
    client = Client()
    password_step(client, user.username)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(("/login/", "/admin/login/")), (path, response["Location"])
    api = APIClient()
    api.cookies = client.cookies
    for path in APIS:
        assert api.get(path).status_code in {401, 403}, path


@pytest.mark.parametrize("persona", REQUIRED)
def test_the_right_code_signs_in_and_is_audited(personas, persona):
    user = getattr(personas, persona)
    client = Client()
    password_step(client, user.username)
    response = code_step(client, otp_code(authenticator_for(user)))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").json()["username"] == user.username
    assert AuditEvent.objects.filter(action="core.otp.verified", actor=user).count() == 1
    assert AuditEvent.objects.filter(action="core.auth.logged_in", actor=user).count() == 1


def test_the_code_step_keeps_the_page_asked_for(personas):
    client = Client()
    client.post("/login/?next=/dashboard/", {"username": "leader", "password": PASSWORD})
    response = code_step(client, otp_code(authenticator_for(personas.leader)))
    assert response["Location"] == "/dashboard/"


def test_a_wrong_code_gets_a_chinese_message_at_the_field_and_is_audited(personas):
    device = authenticator_for(personas.leader)
    client = Client()
    password_step(client, "leader")
    response = code_step(client, wrong_code(device))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "验证码不正确或已使用过，请输入身份验证器当前显示的验证码。"
    ]
    assert code_step(client, "12ab").context["form"].errors["code"] == ["请输入身份验证器显示的6位数字。"]
    failed = AuditEvent.objects.get(action="core.auth.otp_failed")
    assert (failed.actor_username, failed.success) == ("leader", False)


def test_a_code_is_accepted_only_once(personas):
    device = authenticator_for(personas.leader)
    code = otp_code(device)
    first = Client()
    password_step(first, "leader")
    assert code_step(first, code)["Location"] == "/"
    second = Client()
    password_step(second, "leader")
    assert code_step(second, code).status_code == 200


def test_five_wrong_codes_lock_the_account_like_five_wrong_passwords(personas):
    device = authenticator_for(personas.leader)
    client = Client()
    password_step(client, "leader")
    for _attempt in range(4):
        assert code_step(client, wrong_code(device)).status_code == 200
    fifth = code_step(client, wrong_code(device))
    assert fifth.status_code == 429
    assert "已被锁定" in fifth.content.decode()
    # The half-finished sign-in is gone, and even the right password is refused while locked.
    assert client.get("/login/verify/")["Location"] == "/login/"
    assert password_step(Client(), "leader").status_code == 429
    assert AuditEvent.objects.filter(action="core.auth.otp_failed", success=False).count() == 5
    assert AuditEvent.objects.filter(action="core.auth.otp_failed", detail__locked_out=True).count() == 1


def test_wrong_passwords_and_wrong_codes_add_up(personas):
    device = authenticator_for(personas.leader)
    client = Client()
    for _attempt in range(3):
        assert password_step(client, "leader", "wrong-password").status_code == 200
    # A right password does not reset the count: the sign-in is not complete without the code.
    password_step(client, "leader")
    assert code_step(client, wrong_code(device)).status_code == 200
    assert code_step(client, wrong_code(device)).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        later = Client()
        password_step(later, "leader")
        assert code_step(later, otp_code(device))["Location"] == "/"


def test_a_completed_sign_in_resets_the_failure_count(personas):
    device = authenticator_for(personas.leader)
    client = Client()
    for _attempt in range(4):
        password_step(client, "leader", "wrong-password")
    password_step(client, "leader")
    assert code_step(client, otp_code(device))["Location"] == "/"
    client.post("/logout/")
    for _attempt in range(4):
        assert password_step(client, "leader", "wrong-password").status_code == 200


def test_the_code_step_expires(personas, settings):
    client = Client()
    password_step(client, "leader")
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.XF_OTP_PENDING_MINUTES + 1)):
        response = code_step(client, otp_code(authenticator_for(personas.leader)))
        assert response["Location"] == "/login/"


def test_a_required_role_without_an_authenticator_enrols_right_after_the_password(tree, personas):
    auditor = personas.audit_admin
    TOTPDevice.objects.filter(user=auditor).delete()
    client = Client()
    response = password_step(client, "auditor")
    assert response["Location"] == "/login/enrol/"
    assert client.get("/audit/")["Location"].startswith("/login/")
    page = client.get("/login/enrol/")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=auditor, confirmed=False)
    assert page.context["provisioning"].uri == device.config_url
    assert "otpauth://totp/" in html
    assert "<svg" in html
    assert page.context["provisioning"].secret.replace(" ", "") in html.replace(" ", "")
    assert code_step(client, wrong_code(device), "/login/enrol/").status_code == 200
    response = code_step(client, otp_code(device), "/login/enrol/")
    assert response["Location"] == "/"
    assert client.get("/audit/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    actions = set(AuditEvent.objects.filter(actor=auditor).values_list("action", flat=True))
    assert {"core.otp.enrolment_started", "core.otp.device_confirmed", "core.auth.logged_in"} <= actions
    assert AuditEvent.objects.filter(action="core.auth.otp_failed", actor_username="auditor").count() == 1
    # From now on the sign-in asks for a code.
    assert password_step(Client(), "auditor")["Location"] == "/login/verify/"


def test_a_clerk_signs_in_with_the_password_alone(personas):
    client = Client()
    assert password_step(client, "clerk_a")["Location"] == "/"
    assert not TOTPDevice.objects.filter(user=personas.clerk_a).exists()


def test_an_optional_user_enrols_and_is_then_asked_for_a_code_and_can_turn_it_off(personas, client_for):
    client = client_for(personas.clerk_a)
    assert "未启用" in client.get("/account/").content.decode()
    client.post("/account/two-factor/add/")
    page = client.get("/account/two-factor/")
    assert page.context["provisioning"] is not None
    device = TOTPDevice.objects.get(user=personas.clerk_a, confirmed=False)
    wrong = client.post("/account/two-factor/", {"code": wrong_code(device)})
    assert wrong.context["form"].errors["code"]
    assert (
        client.post("/account/two-factor/", {"code": otp_code(device)})["Location"] == "/account/two-factor/"
    )
    device.refresh_from_db()
    assert device.confirmed

    fresh = Client()
    assert password_step(fresh, "clerk_a")["Location"] == "/login/verify/"
    assert fresh.get("/")["Location"].startswith("/login/")
    assert code_step(fresh, otp_code(device, steps_ahead=1))["Location"] == "/"

    assert fresh.post(f"/account/two-factor/{device.pk}/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.clerk_a).exists()
    assert password_step(Client(), "clerk_a")["Location"] == "/"
    actions = list(
        AuditEvent.objects.filter(actor=personas.clerk_a, action__startswith="core.otp.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "core.otp.enrolment_started",
        "core.otp.device_confirmed",
        "core.otp.verified",
        "core.otp.device_removed",
    ]


def test_a_required_role_cannot_remove_its_only_authenticator(personas, client_for):
    client = client_for(personas.leader)
    device = authenticator_for(personas.leader)
    response = client.post(f"/account/two-factor/{device.pk}/remove/", follow=True)
    assert "不能删除唯一的身份验证器" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_someone_elses_authenticator_cannot_be_removed(personas, client_for):
    device = authenticator_for(personas.leader)
    client_for(personas.clerk_a).post(f"/account/two-factor/{device.pk}/remove/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_session_without_the_code_is_signed_out_when_its_role_comes_to_require_it(personas):
    client = Client()
    password_step(client, "clerk_a")
    assert client.get("/").status_code == 200
    user_roles_set(actor=personas.security_admin, user_id=personas.clerk_a.pk, roles=[Role.LEADER])
    api = APIClient()
    api.cookies = client.cookies
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 403
    assert "双因素" in refused.json()["detail"]
    response = client.get("/units/")
    assert response["Location"] == "/login/?next=/units/"
    assert AuditEvent.objects.filter(action="core.auth.logged_out", actor=personas.clerk_a).exists()
    assert client.get("/")["Location"].startswith("/login/")


def test_an_api_token_is_no_way_around_the_second_factor(personas, client_for):
    token = Token.objects.create(user=personas.leader)  # e.g. issued before the account became a leader's
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert "双因素认证" in response.json()["detail"]
    browser = client_for(personas.leader)
    refused = browser.post("/account/token/", follow=True).content.decode()
    assert "不能生成 API 令牌" in refused
    assert "生成新令牌" not in refused
    assert Token.objects.filter(user=personas.leader).count() == 1


def test_the_security_admin_resets_a_lost_authenticator_and_the_user_enrols_again(personas):
    authenticator_for(personas.leader)
    with pytest.raises(DomainError):
        otp_devices_reset(actor=personas.system_admin, user_id=personas.leader.pk)
    assert otp_devices_reset(actor=personas.security_admin, user_id=personas.leader.pk) == 1
    event = AuditEvent.objects.get(action="core.otp.devices_reset")
    assert (event.actor, event.object_id) == (personas.security_admin, str(personas.leader.pk))
    assert password_step(Client(), "leader")["Location"] == "/login/enrol/"


def test_the_security_admin_resets_from_the_role_page(personas, client_for):
    authenticator_for(personas.leader)
    client = client_for(personas.security_admin)
    response = client.post(
        "/admin/core/roleassignment/",
        {"action": "reset_two_factor", "_selected_action": [personas.leader.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.leader).exists()


def test_demo_leaders_and_admins_sign_in_with_the_published_demo_secret(db):
    seed_demo(io.StringIO())
    required = {"leader", "leader_qs", "sysadmin", "secadmin", "auditor"}
    assert set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)) == required
    # What an authenticator app shows after the secret printed at start-up was typed into it.
    app = TOTP(b32decode(DEMO_OTP_SECRET), 30, 0, 6)
    client = Client()
    assert password_step(client, "leader", DEMO_PASSWORD)["Location"] == "/login/verify/"
    assert code_step(client, f"{app.token():06d}")["Location"] == "/"
    assert password_step(Client(), "clerk", DEMO_PASSWORD)["Location"] == "/"
    seed_demo(io.StringIO())
    assert TOTPDevice.objects.count() == len(required)


def test_the_admin_sites_own_sign_in_form_is_no_way_around_the_code(personas):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "sysadmin", "password": PASSWORD})
    assert response["Location"] == "/login/?next=/admin/"
    assert client.get("/admin/").status_code == 302
    assert not AuditEvent.objects.filter(action="core.auth.logged_in").exists()

"""Sign-in: the same answer for unknown accounts, lockout after 5 failures for 15 minutes, idle sessions end."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent, User
from tests.support.accounts import PASSWORD, authenticator_for, otp_code

LOCKED = "已被锁定"
WRONG = "用户名或密码不正确"


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_a_clerk_signs_in_and_lands_on_the_home_page(personas):
    client = Client()
    response = sign_in(client, "clerk_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert "城关区" in home.content.decode()
    assert AuditEvent.objects.filter(action="core.auth.logged_in", actor=personas.clerk_a).count() == 1


@pytest.mark.parametrize("username", ["clerk_a", "nobody_here"])
def test_four_failures_say_wrong_credentials_and_the_fifth_locks_existing_or_not(personas, username):
    client = Client()
    for _attempt in range(4):
        response = sign_in(client, username, "wrong-password")
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    fifth = sign_in(client, username, "wrong-password")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert (
        AuditEvent.objects.filter(action="core.auth.login_failed", object_id=username, success=False).count()
        == 5
    )


def test_a_locked_account_refuses_even_the_right_password_for_15_minutes(personas):
    client = Client()
    for _attempt in range(5):
        sign_in(client, "clerk_a", "wrong-password")
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        response = sign_in(client, "clerk_a", PASSWORD)
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = sign_in(client, "clerk_a", PASSWORD)
        assert response.status_code == 302


def test_failures_must_be_consecutive(personas):
    client = Client()
    for _attempt in range(4):
        sign_in(client, "clerk_a", "wrong-password")
    assert sign_in(client, "clerk_a", PASSWORD).status_code == 302
    client.post("/logout/")
    for _attempt in range(4):
        assert sign_in(client, "clerk_a", "wrong-password").status_code == 200
    assert sign_in(client, "clerk_a", PASSWORD).status_code == 302


def test_lockout_is_per_account_not_per_address(personas):
    client = Client()
    for _attempt in range(5):
        sign_in(client, "clerk_b", "wrong-password")
    assert sign_in(client, "clerk_a", PASSWORD).status_code == 302


def test_a_disabled_account_gets_the_same_answer_as_a_wrong_password(personas):
    personas.clerk_a.is_active = False
    personas.clerk_a.save()
    response = sign_in(Client(), "clerk_a", PASSWORD)
    assert response.status_code == 200
    assert WRONG in response.content.decode()


def _signed_in(username: str) -> Client:
    """A client through the whole sign-in: the password, then the code where the account has an authenticator."""
    client = Client()
    response = sign_in(client, username, PASSWORD)
    if response["Location"] == "/login/verify/":
        device = authenticator_for(User.objects.get(username=username))
        response = client.post("/login/verify/", {"code": otp_code(device)})
    assert response["Location"] == "/"
    return client


def test_a_business_user_is_signed_out_after_30_idle_minutes(personas):
    client = _signed_in("clerk_a")
    with time_machine.travel(timezone.now() + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 31), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_activity_keeps_the_session_alive(personas):
    client = _signed_in("clerk_a")
    for step in range(1, 4):
        with time_machine.travel(timezone.now() + timedelta(minutes=25 * step), tick=False):
            assert client.get("/").status_code == 200


def test_pages_read_within_a_minute_write_nothing_to_the_session(personas):
    client = _signed_in("clerk_a")
    moment = timezone.now() + timedelta(minutes=2)
    with time_machine.travel(moment, tick=False):
        client.get("/")  # the first request after a minute slides the expiry
    with (
        time_machine.travel(moment + timedelta(seconds=30), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get("/").status_code == 200
    writes = [
        q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]
    ]
    assert writes == []


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditor"])
def test_admins_are_signed_out_after_15_idle_minutes(personas, username):
    client = _signed_in(username)
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert client.get("/").status_code == 302


def test_sign_out_requires_post_and_is_audited(personas):
    client = _signed_in("clerk_a")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="core.auth.logged_out", actor=personas.clerk_a).count() == 1
    assert client.get("/").status_code == 302

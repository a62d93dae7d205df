"""Password lifecycle: no reuse of the last 5, a change due after 90 days, the initial password changed at first
sign-in, and a change ending the user's other sessions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.demo import seed_demo
from core.errors import DomainError
from core.models import AuditEvent, PasswordHistory, User
from core.services.users import user_create, user_set_password
from tests.support.accounts import PASSWORD

NEW_PASSWORDS = [f"Qingshan#2026-{n}" for n in range(1, 7)]


def change_on_page(client: Client, old: str, new: str, path: str = "/account/password/"):
    return client.post(path, {"old_password": old, "new_password": new, "new_password_again": new})


def test_none_of_the_last_five_passwords_comes_back(personas):
    clerk = personas.clerk_a
    for password in NEW_PASSWORDS[:4]:
        user_set_password(actor=clerk, user_id=clerk.pk, password=password)
    # The current one and the four before it (the first of which is the test password) are refused.
    for used in [PASSWORD, *NEW_PASSWORDS[:4]]:
        with pytest.raises(DomainError) as refused:
            user_set_password(actor=clerk, user_id=clerk.pk, password=used)
        assert refused.value.field == "password"
        assert "最近5次" in refused.value.message
    user_set_password(actor=clerk, user_id=clerk.pk, password=NEW_PASSWORDS[4])
    # Five changes later the original password has dropped out of the history.
    user_set_password(actor=clerk, user_id=clerk.pk, password=PASSWORD)
    assert PasswordHistory.objects.filter(user=clerk).count() == 5


def test_a_reused_password_gets_the_message_at_the_new_password_field(personas, client_for):
    client = client_for(personas.clerk_a)
    response = change_on_page(client, PASSWORD, PASSWORD, "/account/")
    assert response.status_code == 200
    assert response.context["form"].errors["new_password"] == ["不能使用最近5次用过的密码，请换一个新密码。"]


def test_the_history_length_is_a_setting(personas, settings):
    settings.XF_PASSWORD_HISTORY = 2
    clerk = personas.clerk_a
    user_set_password(actor=clerk, user_id=clerk.pk, password=NEW_PASSWORDS[0])
    with pytest.raises(DomainError):
        user_set_password(actor=clerk, user_id=clerk.pk, password=PASSWORD)
    user_set_password(actor=clerk, user_id=clerk.pk, password=NEW_PASSWORDS[1])
    user_set_password(actor=clerk, user_id=clerk.pk, password=PASSWORD)
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_after_90_days_every_page_asks_for_a_new_password_first(personas, client_for):
    with time_machine.travel(timezone.now() + timedelta(days=89), tick=False):
        assert client_for(personas.clerk_a).get("/petitions/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        client = client_for(personas.clerk_a)
        assert client.get("/petitions/")["Location"] == "/account/password/"
        assert client.get("/api/v1/me/").status_code == 403
        page = client.get("/account/password/")
        assert "已超过90天未修改" in page.content.decode()
        assert change_on_page(client, PASSWORD, NEW_PASSWORDS[0])["Location"] == "/"
        assert client.get("/petitions/").status_code == 200


def test_the_maximum_age_is_a_setting(personas, client_for, settings):
    settings.XF_PASSWORD_MAX_AGE_DAYS = 30
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert client_for(personas.clerk_a).get("/")["Location"] == "/account/password/"


def test_an_account_opened_by_the_admin_changes_its_initial_password_at_first_sign_in(personas, tree):
    user_create(
        actor=personas.system_admin,
        username="newclerk",
        password="Chushi#Mima2026",
        full_name="新人",
        unit_id=tree.county_a.pk,
    )
    client = Client()
    assert client.post("/login/", {"username": "newclerk", "password": "Chushi#Mima2026"})["Location"] == "/"
    response = client.get("/")
    assert response["Location"] == "/account/password/"
    assert "初始密码" in client.get("/account/password/").content.decode()
    # A wrong current password and a mismatch are shown at their fields.
    refused = client.post(
        "/account/password/",
        {"old_password": "wrong", "new_password": NEW_PASSWORDS[0], "new_password_again": NEW_PASSWORDS[1]},
    )
    assert refused.context["form"].errors["old_password"] == ["当前密码不正确。"]
    assert refused.context["form"].errors["new_password_again"] == ["两次输入的新密码不一致。"]
    assert change_on_page(client, "Chushi#Mima2026", "Chushi#Mima2026").status_code == 200
    assert change_on_page(client, "Chushi#Mima2026", NEW_PASSWORDS[0])["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not User.objects.get(username="newclerk").must_change_password


def test_sign_out_works_while_a_change_is_due(personas, tree):
    user_create(
        actor=personas.system_admin,
        username="newclerk",
        password="Chushi#Mima2026",
        full_name="新人",
        unit_id=tree.county_a.pk,
    )
    client = Client()
    client.post("/login/", {"username": "newclerk", "password": "Chushi#Mima2026"})
    assert client.post("/logout/")["Location"] == "/login/"


def test_a_reset_by_the_system_admin_must_be_changed_too(personas, client_for):
    user_set_password(actor=personas.system_admin, user_id=personas.clerk_a.pk, password=NEW_PASSWORDS[0])
    client = Client()
    client.post("/login/", {"username": "clerk_a", "password": NEW_PASSWORDS[0]})
    assert client.get("/")["Location"] == "/account/password/"
    event = AuditEvent.objects.get(action="core.user.password_reset")
    assert event.actor == personas.system_admin


def test_demo_accounts_are_not_asked_to_change_their_password(db):
    seed_demo(io.StringIO())
    assert not User.objects.filter(must_change_password=True).exists()
    client = Client()
    client.post("/login/", {"username": "clerk", "password": "Demo@Xinfang2026"})
    assert client.get("/").status_code == 200


def test_a_password_change_ends_the_users_other_sessions(personas):
    here, elsewhere, other_user = Client(), Client(), Client()
    for client, username in ((here, "clerk_a"), (elsewhere, "clerk_a"), (other_user, "clerk_b")):
        assert client.post("/login/", {"username": username, "password": PASSWORD})["Location"] == "/"
    assert change_on_page(here, PASSWORD, NEW_PASSWORDS[0], "/account/")["Location"] == "/account/"
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith("/login/")
    assert other_user.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="core.user.password_changed", actor=personas.clerk_a).count() == 1

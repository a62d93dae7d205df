"""Accounts unused for 90 days are disabled each night (audited); the security or system admin re-enables them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError
from core.models import AuditEvent, User, UserSession
from core.services.users import user_enable, users_disable_inactive
from core.tasks import users_disable_inactive_task
from tests.support.accounts import PASSWORD


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def last_signed_in(user: User, days: int, *, joined: int = 400) -> None:
    User.objects.filter(pk=user.pk).update(last_login=days_ago(days), date_joined=days_ago(joined))


def test_accounts_unused_for_90_days_are_disabled_and_audited(personas, make_user, tree):
    last_signed_in(personas.clerk_a, 91)
    last_signed_in(personas.clerk_b, 89)
    never = make_user(tree.county_a, [Role.HANDLER], "never_used")
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=days_ago(95))
    fresh = make_user(tree.county_a, [Role.HANDLER], "new_handler")  # opened today, never signed in
    assert sorted(users_disable_inactive()) == ["clerk_a", "never_used"]
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {
        "clerk_a",
        "never_used",
    }
    assert User.objects.get(pk=fresh.pk).is_active
    events = AuditEvent.objects.filter(action="core.user.disabled_unused")
    assert sorted(events.values_list("object_repr", flat=True)) == [
        str(User.objects.get(username="clerk_a")),
        str(User.objects.get(username="never_used")),
    ]
    assert all(event.actor is None and event.detail["days"] == 90 for event in events)
    assert users_disable_inactive() == []


def test_a_disabled_account_is_signed_out_and_cannot_sign_in(personas):
    client = Client()
    assert client.post("/login/", {"username": "clerk_a", "password": PASSWORD})["Location"] == "/"
    last_signed_in(personas.clerk_a, 100)
    users_disable_inactive()
    assert not UserSession.objects.filter(user=personas.clerk_a).exists()
    assert client.get("/")["Location"].startswith("/login/")
    refused = Client().post("/login/", {"username": "clerk_a", "password": PASSWORD})
    assert "用户名或密码不正确" in refused.content.decode()


def test_the_number_of_days_is_a_setting(personas, settings):
    settings.XF_ACCOUNT_INACTIVE_DAYS = 30
    last_signed_in(personas.clerk_a, 31)
    assert users_disable_inactive() == ["clerk_a"]


@pytest.mark.parametrize("admin", ["security_admin", "system_admin"])
def test_the_security_or_system_admin_re_enables_and_the_days_count_again(personas, admin):
    last_signed_in(personas.clerk_a, 120)
    users_disable_inactive()
    user_enable(actor=getattr(personas, admin), user_id=personas.clerk_a.pk)
    clerk = User.objects.get(pk=personas.clerk_a.pk)
    assert clerk.is_active
    assert clerk.inactive_disabled_at is None
    event = AuditEvent.objects.get(action="core.user.enabled")
    assert event.actor == getattr(personas, admin)
    assert event.detail["disabled_as_unused_at"] is not None
    # Not disabled again the next night although the last sign-in is still 120 days ago.
    assert users_disable_inactive() == []
    assert Client().post("/login/", {"username": "clerk_a", "password": PASSWORD})["Location"] == "/"


@pytest.mark.parametrize("persona", ["audit_admin", "section_head", "clerk_b"])
def test_nobody_else_re_enables(personas, persona):
    last_signed_in(personas.clerk_a, 120)
    users_disable_inactive()
    with pytest.raises(DomainError):
        user_enable(actor=getattr(personas, persona), user_id=personas.clerk_a.pk)


@pytest.mark.parametrize(("admin", "page"), [("security_admin", "roleassignment"), ("system_admin", "user")])
def test_re_enabling_from_the_admin_pages(personas, client_for, admin, page):
    last_signed_in(personas.clerk_a, 120)
    users_disable_inactive()
    response = client_for(getattr(personas, admin)).post(
        f"/admin/core/{page}/", {"action": "enable_accounts", "_selected_action": [personas.clerk_a.pk]}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=personas.clerk_a.pk).is_active


def test_beat_runs_the_task_each_night():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.users_disable_inactive" in scheduled


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery
def test_the_worker_disables_unused_accounts(celery_worker, personas):
    last_signed_in(personas.clerk_a, 91)
    assert users_disable_inactive_task.delay().get(timeout=30) == 1
    assert users_disable_inactive_task.delay().get(timeout=30) == 0
    assert not User.objects.get(pk=personas.clerk_a.pk).is_active

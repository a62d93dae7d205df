"""Accounts and roles: 三员分立 in the database and in the services, and who may change what."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core.choices import Role
from core.errors import DomainError
from core.models import AuditEvent, User
from core.services.users import (
    user_create,
    user_roles_set,
    user_set_password,
    user_unlock,
    user_update,
)


@pytest.mark.parametrize(
    "roles",
    [
        [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN],
        [Role.SECURITY_ADMIN, Role.CLERK],
        [Role.AUDIT_ADMIN, Role.LEADER],
    ],
)
def test_the_database_refuses_an_admin_role_combined_with_any_other(personas, roles):
    with pytest.raises(IntegrityError, match="user_admin_role_exclusive"), transaction.atomic():
        User.objects.filter(pk=personas.clerk_a.pk).update(roles=roles)


def test_the_database_refuses_unknown_roles_and_superusers(personas):
    with pytest.raises(IntegrityError, match="user_roles_known"), transaction.atomic():
        User.objects.filter(pk=personas.clerk_a.pk).update(roles=["king"])
    with pytest.raises(IntegrityError, match="user_not_superuser"), transaction.atomic():
        User.objects.filter(pk=personas.clerk_a.pk).update(is_superuser=True)


def test_business_roles_may_be_combined(personas):
    user_roles_set(
        actor=personas.security_admin, user_id=personas.clerk_a.pk, roles=[Role.CLERK, Role.HANDLER]
    )
    personas.clerk_a.refresh_from_db()
    assert personas.clerk_a.roles == ["clerk", "handler"]
    event = AuditEvent.objects.get(action="core.user.roles_changed")
    assert event.detail == {"before": ["clerk"], "after": ["clerk", "handler"]}


def test_security_admin_cannot_combine_admin_roles(personas):
    with pytest.raises(DomainError, match="三者分立"):
        user_roles_set(
            actor=personas.security_admin, user_id=personas.clerk_a.pk, roles=[Role.AUDIT_ADMIN, Role.CLERK]
        )


def test_nobody_changes_their_own_roles(personas):
    with pytest.raises(DomainError, match="不能修改自己的角色"):
        user_roles_set(actor=personas.security_admin, user_id=personas.security_admin.pk, roles=[])


@pytest.mark.parametrize("actor_name", ["system_admin", "audit_admin", "leader", "clerk_a"])
def test_only_the_security_admin_grants_roles(personas, actor_name):
    with pytest.raises(DomainError) as refused:
        user_roles_set(actor=getattr(personas, actor_name), user_id=personas.clerk_b.pk, roles=[Role.LEADER])
    assert refused.value.code == "forbidden"
    personas.clerk_b.refresh_from_db()
    assert personas.clerk_b.roles == ["clerk"]


@pytest.mark.parametrize("actor_name", ["security_admin", "audit_admin", "section_head"])
def test_only_the_system_admin_opens_and_edits_accounts(personas, tree, actor_name):
    actor = getattr(personas, actor_name)
    with pytest.raises(DomainError):
        user_create(
            actor=actor, username="new1", password="Abcdefgh123!x", full_name="新人", unit_id=tree.city.pk
        )
    with pytest.raises(DomainError):
        user_update(actor=actor, user_id=personas.clerk_a.pk, title="科长")


def test_system_admin_opens_an_account_without_roles(personas, tree):
    user = user_create(
        actor=personas.system_admin,
        username="newclerk",
        password="Abcdefgh123!x",
        full_name="新人",
        unit_id=tree.county_b.pk,
    )
    assert user.roles == []
    assert user.check_password("Abcdefgh123!x")
    assert AuditEvent.objects.filter(action="core.user.created", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Short1!a", "至少需要12个字符"),
        ("abcdefghijkl", "至少3类"),
        ("abcdefgh1234", "至少3类"),
        ("ABCDEFGH1234", "至少3类"),
    ],
)
def test_passwords_need_12_characters_and_3_classes(personas, tree, password, fragment):
    with pytest.raises(DomainError) as refused:
        user_create(
            actor=personas.system_admin,
            username="weak",
            password=password,
            full_name="弱",
            unit_id=tree.city.pk,
        )
    assert refused.value.field == "password"
    assert fragment in refused.value.message
    assert not User.objects.filter(username="weak").exists()


def test_a_password_with_three_classes_and_twelve_characters_is_accepted(personas):
    user_set_password(actor=personas.clerk_a, user_id=personas.clerk_a.pk, password="qingshan2026!")
    personas.clerk_a.refresh_from_db()
    assert personas.clerk_a.check_password("qingshan2026!")
    assert AuditEvent.objects.filter(action="core.user.password_changed").count() == 1


def test_a_user_cannot_set_someone_elses_password(personas):
    with pytest.raises(DomainError):
        user_set_password(actor=personas.clerk_a, user_id=personas.clerk_b.pk, password="Abcdefgh123!x")


def test_unlock_is_the_security_admins_and_is_audited(personas):
    with pytest.raises(DomainError):
        user_unlock(actor=personas.system_admin, username="clerk_a")
    user_unlock(actor=personas.security_admin, username="clerk_a")
    assert AuditEvent.objects.filter(action="core.user.unlocked", object_id="clerk_a").count() == 1

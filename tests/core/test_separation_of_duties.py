"""三员分立: the security admin grants roles, the system admin keeps accounts and settings, the audit admin reads
the audit log, none of them does another's duty, and is_superuser is never what lets anyone in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.models import User

ROOT = Path(__file__).resolve().parents[2]
ADMINS = ["system_admin", "security_admin", "audit_admin"]

# Each duty's pages and API, and the one admin role that holds it.
DUTIES = [
    ("/admin/core/roleassignment/", "security_admin"),
    ("/admin/axes/accessattempt/", "security_admin"),
    ("/admin/core/user/", "system_admin"),
    ("/admin/core/unit/", "system_admin"),
    ("/calendar/years/", "system_admin"),
    ("/accountability/ladder/", "system_admin"),
    ("/audit/", "audit_admin"),
    ("/api/v1/audit-events/", "audit_admin"),
]


@pytest.mark.parametrize(("path", "holder"), DUTIES)
@pytest.mark.parametrize("admin", ADMINS)
def test_each_admin_duty_is_open_to_its_own_admin_role_only(personas, client_for, path, holder, admin):
    response = client_for(getattr(personas, admin)).get(path, follow=True)
    assert response.status_code == (200 if admin == holder else 403), (admin, path)


def test_the_admin_roles_hold_no_staff_or_superuser_flag_and_still_reach_their_pages(personas, client_for):
    for admin in ("system_admin", "security_admin"):
        user = getattr(personas, admin)
        assert (user.is_staff, user.is_superuser) == (False, False)
        assert client_for(user).get("/admin/").status_code == 200


def test_a_staff_flag_opens_nothing_without_the_role(personas, client_for):
    User.objects.filter(pk=personas.clerk_a.pk).update(is_staff=True)
    clerk = User.objects.get(pk=personas.clerk_a.pk)
    for path, _holder in DUTIES:
        assert client_for(clerk).get(path, follow=True).status_code == 403, path


def first_party_sources() -> list[Path]:
    folders = ["config", "core", "accountability", "petitions", "ledger", "dashboard", "benchmarks"]
    return [
        path for folder in folders for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts
    ]


def test_no_run_time_check_reads_is_superuser_is_staff_or_django_permissions():
    pattern = re.compile(r"\.is_superuser\b|\.is_staff\b|\bhas_perms?\(|\buser_permissions\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in first_party_sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []

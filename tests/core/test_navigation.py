"""The menu: each role's entries with their addresses, kept per set of roles and URL prefix, and a registered entry
shows at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import get_script_prefix, set_script_prefix

from core import navigation
from core.navigation import NavEntry, nav_entries_for, nav_register
from tests.support.accounts import Personas

pytestmark = pytest.mark.django_db


def _links(menu: list[dict[str, object]]) -> dict[str, str]:
    return {entry["url_name"]: entry["url"] for group in menu for entry in group["entries"]}  # type: ignore[attr-defined]


@pytest.fixture
def script_prefix() -> Iterator[None]:
    before = get_script_prefix()
    yield
    set_script_prefix(before)


def test_each_role_sees_its_own_entries(personas: Personas):
    clerk, auditor = _links(nav_entries_for(personas.clerk_a)), _links(nav_entries_for(personas.audit_admin))
    assert clerk["core:home"] == "/"
    assert "core:audit_list" in auditor
    assert "core:audit_list" not in clerk
    assert "core:unit_list" in clerk
    assert "core:unit_list" not in auditor


def test_the_addresses_follow_the_prefix_the_site_is_served_under(personas: Personas, script_prefix: None):
    at_root = _links(nav_entries_for(personas.clerk_a))
    set_script_prefix("/xinfang/")
    under_prefix = _links(nav_entries_for(personas.clerk_a))
    assert under_prefix == {name: "/xinfang" + url for name, url in at_root.items()}


@pytest.fixture
def registry_restored() -> Iterator[None]:
    kept = dict(navigation._registry)
    yield
    navigation._registry.clear()
    for entry in kept.values():
        nav_register(entry)


def test_an_entry_registered_later_shows_in_a_menu_already_shown(personas: Personas, registry_restored: None):
    assert "core:calendar_year_list" not in _links(nav_entries_for(personas.clerk_a))
    nav_register(NavEntry("节假日录入", "core:calendar_year_list", frozenset({"clerk"}), "参考", 999))
    assert _links(nav_entries_for(personas.clerk_a))["core:calendar_year_list"] == "/calendar/years/"

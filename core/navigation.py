"""The navigation menu: each app registers its entries with the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.choices import ADMIN_ROLES, Role
from core.models import User

EVERYONE: frozenset[str] = frozenset(Role.values)
BUSINESS: frozenset[str] = frozenset(set(Role.values) - ADMIN_ROLES)


@dataclass(frozen=True)
class NavEntry:
    """A menu link: label, URL name, who sees it, its group and its place in the group."""

    label: str | Promise
    url_name: str
    roles: frozenset[str]
    group: str | Promise
    order: int
    access_key: str = ""


_registry: dict[str, NavEntry] = {}
# The menu of each set of roles under each URL prefix: it changes only when an entry is registered.
_menus: dict[tuple[frozenset[str], str], list[dict[str, object]]] = {}


def nav_register(entry: NavEntry) -> None:
    """Add (or replace, by URL name) a menu entry."""
    _registry[entry.url_name] = entry
    _menus.clear()


def nav_entries_for(user: User) -> list[dict[str, object]]:
    """The entries the user's roles allow, grouped in menu order, with resolved URLs (worked out once for each
    set of roles; the pages only read them)."""
    if not user.is_authenticated:
        return []
    key = (frozenset(user.roles), get_script_prefix())
    menu = _menus.get(key)
    if menu is None:
        menu = _menus[key] = _menu_for(key[0])
    return menu


def _menu_for(held: frozenset[str]) -> list[dict[str, object]]:
    visible = sorted(
        (entry for entry in _registry.values() if entry.roles & held or entry.url_name == "core:home"),
        key=lambda entry: entry.order,
    )
    groups: dict[str, dict[str, object]] = {}
    for entry in visible:
        group = groups.setdefault(str(entry.group), {"label": entry.group, "entries": []})
        group["entries"].append(  # type: ignore[attr-defined]
            {
                "label": entry.label,
                "url": reverse(entry.url_name),
                "url_name": entry.url_name,
                "access_key": entry.access_key,
            }
        )
    return list(groups.values())


def register_core_entries() -> None:
    """Menu entries for the pages core itself serves."""
    work, reference, admin = _("工作"), _("参考"), _("管理")
    nav_register(NavEntry(_("工作台"), "core:home", EVERYONE, work, 0, "h"))
    nav_register(NavEntry(_("单位"), "core:unit_list", EVERYONE - {Role.AUDIT_ADMIN}, reference, 800))
    nav_register(NavEntry(_("工作日历"), "core:calendar", EVERYONE, reference, 810))
    nav_register(NavEntry(_("期限计算"), "core:due_calculator", BUSINESS, reference, 820))
    nav_register(NavEntry(_("行政区划查询"), "core:division_browser", BUSINESS, reference, 830))
    nav_register(
        NavEntry(
            _("账号与角色"), "admin:index", frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}), admin, 900
        )
    )
    nav_register(
        NavEntry(_("节假日录入"), "core:calendar_year_list", frozenset({Role.SYSTEM_ADMIN}), admin, 910)
    )
    nav_register(NavEntry(_("审计日志"), "core:audit_list", frozenset({Role.AUDIT_ADMIN}), admin, 920))

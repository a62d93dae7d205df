"""Menu entries and the header's inbox link of the supervision pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.banners import HeaderLink
from core.choices import Role
from core.models import User
from core.navigation import BUSINESS, NavEntry, nav_register


def register_entries() -> None:
    """督办 for business roles; the sweep's health page and the escalation rules for system admins and supervisors."""
    group = _("督查督办")
    nav_register(NavEntry(_("督办单"), "accountability:supervision_list", BUSINESS, group, 200, "d"))
    nav_register(NavEntry(_("通报"), "accountability:circular_list", BUSINESS, group, 202))
    nav_register(NavEntry(_("追责记录"), "accountability:record_list", BUSINESS, group, 204))
    assessors = frozenset({Role.LEADER, Role.SECTION_HEAD, Role.SUPERVISOR})
    nav_register(NavEntry(_("年度考核"), "accountability:assessment", assessors, group, 206))
    nav_register(
        NavEntry(
            _("预警巡检"),
            "accountability:health",
            frozenset({Role.SYSTEM_ADMIN, Role.SUPERVISOR}),
            group,
            210,
        )
    )
    # Supervisors read the escalation rules; the system admin also changes them.
    nav_register(
        NavEntry(
            _("预警升级规则"),
            "accountability:ladder",
            frozenset({Role.SYSTEM_ADMIN, Role.SUPERVISOR}),
            group,
            212,
        )
    )


def inbox_link(user: User) -> HeaderLink:
    """消息 with the unread count, for every signed-in user."""
    from accountability.selectors import unread_count

    return HeaderLink(
        label=str(_("消息")),
        url=reverse("accountability:inbox"),
        count=unread_count(user),
        test_id="inbox-link",
    )

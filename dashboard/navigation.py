"""Menu entries of the leaders' pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.navigation import NavEntry, nav_register

VIEWERS = frozenset({Role.LEADER, Role.SECTION_HEAD, Role.SUPERVISOR})


def register_entries() -> None:
    """领导驾驶舱 for leaders, section heads and supervisors."""
    group = _("领导驾驶舱")
    nav_register(NavEntry(_("态势总览"), "dashboard:overview", VIEWERS, group, 50, "g"))
    nav_register(NavEntry(_("每周通报"), "dashboard:bulletin_list", VIEWERS, group, 52))

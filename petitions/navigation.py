"""Menu entries of the petition pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.navigation import BUSINESS, NavEntry, nav_register


def register_entries() -> None:
    """Intake for clerks, the item list for every business role."""
    intake_roles = frozenset({Role.CLERK, Role.SECTION_HEAD})
    work = _("工作")
    nav_register(NavEntry(_("来访登记"), "petitions:intake_visit", intake_roles, work, 10, "v"))
    nav_register(NavEntry(_("来信登记"), "petitions:intake_letter", intake_roles, work, 20, "l"))
    nav_register(NavEntry(_("电话登记"), "petitions:intake_phone", intake_roles, work, 21))
    nav_register(NavEntry(_("网上信访登记"), "petitions:intake_online", intake_roles, work, 22))
    nav_register(NavEntry(_("领导信箱登记"), "petitions:intake_mailbox", intake_roles, work, 23))
    nav_register(NavEntry(_("信访事项"), "petitions:item_list", BUSINESS, work, 30, "i"))
    repeat_roles = frozenset({Role.CLERK, Role.SECTION_HEAD, Role.LEADER})
    nav_register(NavEntry(_("重信重访"), "petitions:repeat_register", repeat_roles, work, 35))

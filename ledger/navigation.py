"""Menu entries of the ledger pages: the ledger, the leader's own cases, screening and sensitive periods."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.navigation import BUSINESS, NavEntry, nav_register


def register_entries() -> None:
    """重点台账 for those who keep or handle cases, 我包案的 for leaders, screening and periods for all business."""
    group = _("台账与排查")
    ledger_roles = frozenset({Role.SECTION_HEAD, Role.LEADER, Role.SUPERVISOR, Role.HANDLER})
    nav_register(NavEntry(_("重点台账"), "ledger:case_list", ledger_roles, group, 100, "k"))
    nav_register(NavEntry(_("我包案的"), "ledger:my_cases", frozenset({Role.LEADER}), group, 110))
    nav_register(NavEntry(_("矛盾排查"), "ledger:round_list", BUSINESS, group, 120, "p"))
    nav_register(NavEntry(_("敏感时期"), "ledger:period_list", BUSINESS | {Role.SYSTEM_ADMIN}, group, 130))

"""Template context for the page shell: menu, the user's unit, page-wide banners, and warnings admins must see."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.banners import banners_for, header_links_for
from core.choices import Role
from core.navigation import nav_entries_for
from core.queues import queue_menu_for
from core.selectors import calendar_years_missing_soon


def shell(request: HttpRequest) -> dict[str, object]:
    """Menu entries with the work-queue counts, banners and the calendar warning (system admins) for the base
    template; the counts are read only when a page's menu shows them (never for a fragment)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": []}
    context: dict[str, object] = {
        "nav_groups": nav_entries_for(user),
        "queue_menu": SimpleLazyObject(lambda: queue_menu_for(user)),
        "banners": banners_for(user),
        "header_links": header_links_for(user),
    }
    if user.has_role(Role.SYSTEM_ADMIN):
        context["calendar_missing_years"] = calendar_years_missing_soon(
            warning_days=settings.XF_CALENDAR_WARNING_DAYS
        )
    return context

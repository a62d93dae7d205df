"""The key cases section of a person's file page (信访人档案): cases in the reader's reach linked to the items."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.models import User
from ledger.selectors import keycase_qs_visible_to
from petitions.file_sections import FileSection


def keycase_file_section(user: User, item_ids: list[int]) -> FileSection:
    """The visible key cases linked to any of the person's items, newest first (one query)."""
    cases = (
        keycase_qs_visible_to(user)
        .filter(item_links__item_id__in=item_ids)
        .select_related("responsible_unit")
        .distinct()
        .order_by("-opened_on", "-id")
    )
    html = render_to_string("ledger/_file_cases.html", {"cases": list(cases)})
    return FileSection(title=_("重点信访问题"), html=html)

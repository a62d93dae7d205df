"""Administrative divisions: the picker's option lists and the 行政区划查询 reference page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.choices import DivisionLevel
from core.http import AuthenticatedRequest
from core.selectors import (
    division_children,
    division_path,
    division_search,
    unit_division_code_nearest,
)

SEARCH_LIMIT = 50


def _level_param(raw: str | None) -> int | None:
    try:
        level = int(raw or "")
    except ValueError:
        return None
    return level if level in DivisionLevel.values else None


@login_required
@require_GET
def division_options(request: AuthenticatedRequest) -> HttpResponse:
    """<option> elements for the divisions below `parent` (provinces for level 1 without a parent).

    `level` is the level the picker asks for. Where the parent has no such level (a 直辖市 has no 地级), the
    options are the next level that exists, and the placeholder option says which level they belong to so
    the picker fills that select instead. No children gives an empty fragment.
    """
    parent = (request.GET.get("parent") or "").strip()
    requested = _level_param(request.GET.get("level"))
    if parent:
        options = list(division_children(parent))
    elif requested in (None, DivisionLevel.PROVINCE):
        options = list(division_children(None))
    else:
        options = []
    level = min((option.level for option in options), default=requested)
    return render(
        request,
        "core/includes/division_options.html",
        {
            "options": options,
            "level": level,
            "skipped": bool(options) and requested is not None and level != requested,
        },
    )


@login_required
def division_browser(request: AuthenticatedRequest) -> HttpResponse:
    """Pick a division level by level (or find it by name or code) and see its code, full path and children."""
    code = (request.GET.get("code") or "").strip()
    term = (request.GET.get("q") or "").strip()[:50]
    path = division_path(code) if code else []
    chosen = path[-1] if path else None
    children = list(division_children(chosen.code)) if chosen is not None else []
    results = list(division_search(term, limit=SEARCH_LIMIT)) if term else []
    return render(
        request,
        "core/division_browser.html",
        {
            "code": code,
            "chosen": chosen,
            "path": path,
            "children": children,
            "term": term,
            "results": results,
            "search_limit": SEARCH_LIMIT,
            "default_root": unit_division_code_nearest(request.user),
        },
    )

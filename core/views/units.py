"""The unit tree and a unit's page, limited to the user's own subtree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from core.http import AuthenticatedRequest
from core.selectors import unit_qs_visible_to, user_qs_visible_to


@login_required
def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every unit the user can see, as an indented tree with its head count."""
    units = unit_qs_visible_to(request.user).annotate(user_count=Count("users")).order_by("path")
    base_depth = request.user.unit.depth
    return render(request, "core/unit_list.html", {"units": units, "base_depth": base_depth})


@login_required
def unit_detail(request: AuthenticatedRequest, unit_id: int) -> HttpResponse:
    """One unit: its place in the visible tree, its sub-units and its staff. Outside the subtree is 404."""
    visible = unit_qs_visible_to(request.user)
    unit = get_object_or_404(visible, pk=unit_id)
    ancestor_paths = [unit.path[: unit.steplen * depth] for depth in range(1, unit.depth)]
    ancestors = visible.filter(path__in=ancestor_paths).order_by("depth")
    children = visible.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    staff = user_qs_visible_to(request.user).filter(unit=unit).order_by("username")
    return render(
        request,
        "core/unit_detail.html",
        {"unit": unit, "ancestors": ancestors, "children": children, "staff": staff},
    )

"""The leader dashboard: the situation of a unit subtree over a period, with drill-down and an Excel copy."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from core.auth.roles import role_required
from core.choices import Role
from core.http import AuthenticatedRequest, big_id
from core.models import Unit
from core.selectors import unit_qs_visible_to
from dashboard.excel import CONTENT_TYPE, situation_workbook
from dashboard.forms import DashboardPeriodForm
from dashboard.situation import Situation, situation_for

CACHE_SECONDS = 60  # leaders see numbers at most a minute old; the page says when they were counted


def _unit_for(request: AuthenticatedRequest) -> Unit:
    """The unit asked for (default: the viewer's own), from the viewer's subtree only: anything else is 404."""
    unit_id = big_id(request.GET.get("unit") or request.user.unit_id)
    if unit_id is None:
        raise Http404
    return get_object_or_404(unit_qs_visible_to(request.user), pk=unit_id)


def situation_cached(unit: Unit, form: DashboardPeriodForm) -> tuple[Situation, str, str]:
    """The situation for the form's period, from the cache when it was counted in the last minute."""
    period, label, trend = form.chosen()
    key = f"dashboard:situation:{unit.pk}:{period.start}:{period.end}:{period.today}:{trend}"
    found = cache.get(key)
    if found is None:
        found = (situation_for(unit, period, trend_unit=trend), timezone.localtime().strftime("%H:%M:%S"))
        cache.set(key, found, CACHE_SECONDS)
    situation, counted_at = found
    return situation, label, counted_at


@role_required(Role.LEADER, Role.SECTION_HEAD, Role.SUPERVISOR)
def dashboard_page(request: AuthenticatedRequest) -> HttpResponse:
    """The dashboard of the viewer's unit, or of a unit below it, for the chosen period; Excel with ?format=xlsx."""
    unit = _unit_for(request)
    form = DashboardPeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "dashboard/overview.html", {"form": form, "unit": unit}, status=400)
    if not request.GET:
        form = DashboardPeriodForm({"period": "year"})
        form.is_valid()
    situation, label, counted_at = situation_cached(unit, form)
    title = f"{unit.name} 信访态势 · {label}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(situation_workbook(situation, title), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
        return response
    period_query = urlencode({k: v for k, v in form.cleaned_data.items() if v}, doseq=True)
    own_path = request.user.unit.path
    trail = [
        u
        for u in unit_qs_visible_to(request.user).filter(path__in=_ancestor_paths(unit))
        if u.path >= own_path
    ]
    context = {
        "form": form,
        "unit": unit,
        "title": title,
        "situation": situation,
        "counted_at": counted_at,
        "period_query": period_query,
        "trail": sorted(trail, key=lambda u: u.path),
        "list_url": reverse("petitions:item_list"),
        "charts": _chart_data(situation),
    }
    return render(request, "dashboard/overview.html", context)


def _ancestor_paths(unit: Unit) -> list[str]:
    return [unit.path[: n * Unit.steplen] for n in range(1, unit.depth + 1)]


def _chart_data(situation: Situation) -> dict[str, object]:
    """What the charts draw, as plain lists (the same numbers as the tables beside them)."""

    def pairs(figures: list) -> list[dict[str, object]]:
        return [{"name": f.label, "value": f.value, "previous": f.previous} for f in figures]

    return {
        "channel": pairs(situation.by_channel),
        "category": pairs(situation.by_category),
        "purpose": pairs(situation.by_purpose),
        "trend": [{"name": n, "value": v, "previous": p} for n, v, p in situation.trend],
        "children": [
            {
                "name": row.unit.name,
                "overdue": row.overdue.value,
                "rate": row.on_time.rate if row.on_time else None,
            }
            for row in situation.children
        ],
    }

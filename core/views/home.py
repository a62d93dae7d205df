"""The home page (工作台): your work queues, who you are, where you sit, and what the calendar says about today."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.http import AuthenticatedRequest
from core.queues import queue_menu_from, queues_for
from core.selectors import calendar_days_between, calendar_snapshot, unit_qs_visible_to


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Greeting, the user's work queues, unit and subtree size, today's working-day status and coming holidays."""
    today = timezone.localdate()
    calendar = calendar_snapshot()
    upcoming = calendar_days_between(first=today, last=today + timedelta(days=60))
    pages = queues_for(request.user)
    context = {
        "today": today,
        "today_is_working_day": calendar.is_working_day(today),
        "today_covered": calendar.is_covered(today),
        "next_working_day": calendar.next_working_day(today),
        "upcoming_days": list(upcoming),
        "visible_unit_count": unit_qs_visible_to(request.user).count(),
        "queues": [{"name": name, "page": page} for name, page in pages],
        # The menu of this page counts from the cards themselves: the two numbers are the same reading.
        "queue_menu": queue_menu_from(pages),
    }
    return render(request, "core/home.html", context)

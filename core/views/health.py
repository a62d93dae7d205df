"""Liveness for load balancers and compose health checks: the database and Redis answer."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with {"database": "ok", "cache": "ok"}, or 503 naming what failed."""
    status = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        status["database"] = "error"
    try:
        cache.set("healthz", "1", 5)
        if cache.get("healthz") != "1":
            status["cache"] = "error"
    except Exception:
        status["cache"] = "error"
    code = 200 if all(value == "ok" for value in status.values()) else 503
    return JsonResponse(status, status=code)

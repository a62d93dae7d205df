"""The petitioner's public status page: item number + query code, status and dates, nothing personal."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.middleware import client_ip
from petitions.forms import PublicQueryForm
from petitions.selectors import item_public_status

FAILURES_ALLOWED = 10
WINDOW_SECONDS = 600


@never_cache
def public_query(request: HttpRequest) -> HttpResponse:
    """Anonymous; ten wrong codes from one address within ten minutes pause further tries."""
    form = PublicQueryForm(request.POST or None)
    status = None
    error = ""
    key = f"public-query-failures:{client_ip(request)}"
    if request.method == "POST" and form.is_valid():
        if (cache.get(key) or 0) >= FAILURES_ALLOWED:
            error = _("查询过于频繁，请10分钟后再试。")
        else:
            status = item_public_status(form.cleaned_data["number"], form.cleaned_data["code"])
            if status is None:
                cache.add(key, 0, WINDOW_SECONDS)
                cache.incr(key)
                error = _("编号或查询码不正确。")
    return render(request, "petitions/public_query.html", {"form": form, "status": status, "error": error})

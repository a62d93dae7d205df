"""The petitioner's public status page: item number + query code, status and dates, nothing personal."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.middleware import client_ip
from core.ratelimit import failure_slots_return, failure_slots_take
from petitions.forms import PublicQueryForm
from petitions.selectors import item_public_status


def _allowances(request: HttpRequest, number: str) -> dict[str, int]:
    """The counters a wrong try uses up: the client address's, and the item number's (typed in any case, with
    spaces around, it is the same number) so that one item's code cannot be guessed from many addresses."""
    return {
        f"public-query:address:{client_ip(request)}": settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT,
        f"public-query:number:{quote(number.strip().upper(), safe='')}": settings.XF_PUBLIC_QUERY_NUMBER_LIMIT,
    }


@never_cache
def public_query(request: HttpRequest) -> HttpResponse:
    """Anonymous; wrong tries are limited per client address and per item number (settings.XF_PUBLIC_QUERY_*).

    A slot is taken on both counters before the code is looked up and given back when it was right, so parallel
    tries cannot look up more codes than the limits allow.
    """
    form = PublicQueryForm(request.POST or None)
    status = None
    error = ""
    if request.method == "POST" and form.is_valid():
        number, code = form.cleaned_data["number"], form.cleaned_data["code"]
        allowances = _allowances(request, number)
        minutes = settings.XF_PUBLIC_QUERY_WINDOW_MINUTES
        if not failure_slots_take(allowances, window_seconds=minutes * 60):
            error = _("查询过于频繁，请%(minutes)s分钟后再试。") % {"minutes": minutes}
        else:
            status = item_public_status(number, code)
            if status is None:
                error = _("编号或查询码不正确。")
            else:
                failure_slots_return(list(allowances))
    return render(request, "petitions/public_query.html", {"form": form, "status": status, "error": error})

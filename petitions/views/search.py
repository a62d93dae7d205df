"""The item list's search box: the term is posted, kept in the session under a random key, and the list opens at
?s=<key>, so names, ID numbers and phones never reach the address bar, server logs or browser history."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.http import AuthenticatedRequest
from petitions.search import TERM_MAX, is_personal
from petitions.services.search import SESSION_KEY, SESSION_TERMS_MAX, item_search_recorded

SEARCH_PARAMETERS = ("q", "s", "page")  # what the new search replaces in the list's address


class ItemSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("搜索"), max_length=TERM_MAX, required=False)
    keep = forms.CharField(max_length=2000, required=False)


def _list_address(keep: str, **search: str) -> str:
    """The list's address with the other filters kept and the new search parameter (no other host, no other path)."""
    query = QueryDict(keep, mutable=True)
    for name in SEARCH_PARAMETERS:
        query.pop(name, None)
    for name, value in search.items():
        query[name] = value
    encoded = query.urlencode()
    return reverse("petitions:item_list") + (f"?{encoded}" if encoded else "")


@login_required
@require_POST
def item_search(request: AuthenticatedRequest) -> HttpResponse:
    """Open the list at the term: item numbers and content words in the address as ever (?q=), anything that may be
    personal data under a key of the session (?s=), with an audit row of the kind of term."""
    form = ItemSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("搜索内容无效：最多%(max)s个字，且不能含控制字符。") % {"max": TERM_MAX})
        return redirect(_list_address(str(form.data.get("keep", ""))[:2000]))
    term = form.cleaned_data["q"].strip()
    keep = form.cleaned_data["keep"]
    if not term:
        return redirect(_list_address(keep))
    if not is_personal(term):
        return redirect(_list_address(keep, q=term))
    key = secrets.token_urlsafe(12)
    terms = dict(request.session.get(SESSION_KEY, {}))
    terms[key] = term
    request.session[SESSION_KEY] = dict(list(terms.items())[-SESSION_TERMS_MAX:])
    item_search_recorded(actor=request.user, term=term, where="page")
    return redirect(_list_address(keep, s=key))

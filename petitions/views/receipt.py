"""The registration receipt (登记回执): a slip for the petitioner with the number, query code and next step."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.http import AuthenticatedRequest
from petitions.selectors import item_get_for_user, item_routing_due_on
from petitions.services.receipt import receipt_printed


@login_required
def item_receipt(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """A5 slip; the query code is printed only for the registering unit, which hands it to the petitioner."""
    item = item_get_for_user(request.user, item_id)
    own = request.user.unit_id is not None and request.user.unit_id == item.registered_unit_id
    receipt_printed(actor=request.user, item=item, with_query_code=own)
    return render(
        request,
        "petitions/receipt.html",
        {
            "item": item,
            "own": own,
            "due_on": item_routing_due_on(item),
            "query_url": request.build_absolute_uri(reverse("public:public_query")),
        },
    )

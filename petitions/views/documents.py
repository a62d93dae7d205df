"""Printable documents (A4) and their delivery record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest
from petitions.forms import DeliverForm
from petitions.selectors import item_get_for_user, item_petitioners
from petitions.services.documents import document_deliver
from petitions.views.items import item_detail_context


@login_required
def document_print(request: AuthenticatedRequest, item_id: int, document_id: int) -> HttpResponse:
    """The document as issued, laid out for A4; names appear in full because it goes to the petitioner."""
    item = item_get_for_user(request.user, item_id)
    document = item.documents.select_related("issuing_unit").filter(pk=document_id).first()
    if document is None:
        raise Http404
    people = item_petitioners(item)
    addressee = "、".join(person.name for person in people if person.is_representative) or (
        people[0].name if people else ""
    )
    return render(
        request,
        f"petitions/documents/{document.kind}.html",
        {"item": item, "document": document, "body": document.body, "addressee": addressee},
    )


@login_required
@require_POST
def document_delivery(request: AuthenticatedRequest, item_id: int, document_id: int) -> HttpResponse:
    """Record the date, method, receiver and (邮寄) tracking number of a delivery."""
    item = item_get_for_user(request.user, item_id)
    document = item.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    form = DeliverForm(request.POST)
    if form.is_valid():
        try:
            document_deliver(
                actor=request.user,
                document_id=document.pk,
                on=form.cleaned_data["on"],
                method=form.cleaned_data["method"],
                receiver=form.cleaned_data["receiver"],
                tracking_number=form.cleaned_data["tracking_number"],
            )
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("已登记送达：%(number)s") % {"number": document.number})
            return redirect("petitions:item_detail", item_id=item.pk)
    return _delivery_refused(request, item.pk, document.pk, form)


def _delivery_refused(
    request: AuthenticatedRequest, item_id: int, document_id: int, form: DeliverForm
) -> HttpResponse:
    """The item page again, the refusal at the document's row and everything chosen or typed still there."""
    item = item_get_for_user(request.user, item_id)
    context = item_detail_context(request, item)
    context["refused_delivery"] = {
        "document_id": document_id,
        **{name: form.data.get(name, "") for name in ("on", "method", "receiver", "tracking_number")},
        "errors": [
            f"{form.fields[name].label}：{message}" if name in form.fields else str(message)
            for name, messages_of_field in form.errors.items()
            for message in messages_of_field
        ],
    }
    return render(request, "petitions/item_detail.html", context, status=400)

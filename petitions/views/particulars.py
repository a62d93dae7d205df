"""The page where the registering unit corrects a petitioner's particulars on one item."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest
from petitions.forms import PetitionerCorrectionForm
from petitions.selectors import item_get_for_user, item_petitioners
from petitions.services.particulars import item_petitioner_correct, may_correct_particulars


@login_required
def petitioner_correct(request: AuthenticatedRequest, item_id: int, petitioner_id: int) -> HttpResponse:
    """GET the form (masked values shown, never filled in), POST the correction; refusals stay at their field."""
    item = item_get_for_user(request.user, item_id)
    link = next((row for row in item_petitioners(item) if row.petitioner_id == petitioner_id), None)
    if link is None or not may_correct_particulars(request.user, item):
        raise Http404
    if request.method == "POST":
        form = PetitionerCorrectionForm(request.POST)
        if form.is_valid():
            try:
                item_petitioner_correct(
                    actor=request.user,
                    item_id=item.pk,
                    person_id=petitioner_id,
                    change=form.correction(),
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                place_error(form, error)
            else:
                messages.success(request, _("已更正信访人信息，仅本件的记录改变。"))
                return redirect("petitions:item_detail", item_id=item.pk)
        status = 400
    else:
        form = PetitionerCorrectionForm(
            initial={"version": item.version, "name": link.name, "address_division": link.address_division_id}
        )
        status = 200
    context = {
        "item": item,
        "link": link,
        "form": form,
        "default_root": request.user.unit.division_code or "",
    }
    return render(request, "petitions/petitioner_correct.html", context, status=status)

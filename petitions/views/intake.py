"""Intake pages (来访登记, 来信登记, other channels) and the live repeat suggestions shown while typing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.auth.roles import role_required
from core.choices import Role
from core.errors import DomainError
from core.http import AuthenticatedRequest, big_id
from petitions.choices import Channel
from petitions.forms import AttachmentsForm, IntakeForm, PetitionerFormSet, intake_files, intake_input
from petitions.selectors import item_qs_visible_to, repeat_candidates
from petitions.services.intake import item_register

PAGE_TITLES = {
    Channel.VISIT: _("来访登记"),
    Channel.LETTER: _("来信登记"),
}


def _place_error(error: DomainError, form: IntakeForm, people: Any, files_form: AttachmentsForm) -> None:
    """Show a service refusal at the field it names, in the right petitioner row when it names one."""
    name = error.field or ""
    if name.startswith("petitioners-") and name.count("-") == 2:
        _prefix, index, field = name.split("-")
        row = people.forms[int(index)] if int(index) < len(people.forms) else None
        if row is not None and field in row.fields:
            row.add_error(field, error.message)
            return
    if name == "petitioners":
        people._non_form_errors = people.error_class([error.message])
        return
    if name == "attachments":
        files_form.add_error(None, error.message)
        return
    if name in form.fields and name != "original":  # the hidden repeat link has no place to show an error
        form.add_error(name, error.message)
    elif name == "address_division" and people.forms:
        people.forms[0].add_error("address_division", error.message)
    else:
        form.add_error(None, error.message)


@role_required(Role.CLERK, Role.SECTION_HEAD)
def intake(request: AuthenticatedRequest, channel: str) -> HttpResponse:
    """One keyboard-first page per channel; errors stay at their fields and nothing typed is lost."""
    if channel not in Channel.values:
        raise Http404
    user = request.user
    if request.method == "POST":
        form = IntakeForm(request.POST, user=user)
        people = PetitionerFormSet(request.POST, prefix="petitioners")
        files_form = AttachmentsForm(request.POST, request.FILES)
        if form.is_valid() and people.is_valid() and files_form.is_valid():
            try:
                item = item_register(
                    actor=user, data=intake_input(form, people), files=intake_files(request.FILES)
                )
            except DomainError as error:
                _place_error(error, form, people, files_form)
            else:
                messages.success(
                    request,
                    _("已登记 %(number)s，查询码 %(code)s（请告知信访人）。")
                    % {"number": item.number, "code": item.query_code},
                )
                return redirect("petitions:item_detail", item_id=item.pk)
    else:
        form = IntakeForm(user=user, initial={"channel": channel})
        people = PetitionerFormSet(prefix="petitioners")
        files_form = AttachmentsForm()
    return render(
        request,
        "petitions/intake.html",
        {
            "form": form,
            "people": people,
            "files_form": files_form,
            "channel": channel,
            "title": PAGE_TITLES.get(
                Channel(channel), _("%(channel)s登记") % {"channel": Channel(channel).label}
            ),
            "letter": channel == Channel.LETTER,
            "default_root": user.unit.division_code or "",
            "original_number": _original_number(user, form),
        },
    )


def _original_number(user: Any, form: IntakeForm) -> str:
    """The number of the item a re-shown form is linked to as a repeat (the hidden field holds only its id)."""
    original = big_id(form["original"].value())
    if original is None:
        return ""
    return item_qs_visible_to(user).filter(pk=original).values_list("number", flat=True).first() or ""


@role_required(Role.CLERK, Role.SECTION_HEAD)
def intake_suggestions(request: AuthenticatedRequest) -> HttpResponse:
    """Earlier items that may be the same person or matter, for the panel beside the form (htmx)."""
    params = request.GET
    candidates = repeat_candidates(
        request.user,
        id_number=params.get("petitioners-0-id_number", ""),
        phone=params.get("petitioners-0-phone", ""),
        name=params.get("petitioners-0-name", ""),
        division_code=params.get("petitioners-0-address_division", ""),
        summary=params.get("summary", ""),
    )
    return render(request, "petitions/_suggestions.html", {"candidates": candidates})

"""Intake pages (来访登记, 来信登记, other channels) and the live repeat suggestions shown while typing."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.auth.roles import role_required
from core.choices import Role
from core.errors import DomainError
from core.http import AuthenticatedRequest, big_id
from petitions.choices import AttachmentKind, Channel
from petitions.forms import (
    AttachmentsForm,
    IntakeForm,
    PetitionerForm,
    PetitionerFormSet,
    intake_files,
    intake_input,
)
from petitions.selectors import PersonTyped, item_qs_visible_to, repeat_candidates_for_people
from petitions.services.held_uploads import held_discard, held_files, held_keep, held_list, held_remove
from petitions.services.intake import (
    MAX_REPRESENTATIVES,
    IntakeInput,
    PetitionerInput,
    intake_files_validate,
    intake_problems,
    item_register,
)
from petitions.services.prefill import IntakePrefill, intake_prefill

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


def _row_input(row: Any) -> PetitionerInput:
    """One petitioner row as far as it was read: a field the form refused is left blank."""
    data = row.cleaned_data if hasattr(row, "cleaned_data") else {}
    division = data.get("address_division")
    return PetitionerInput(
        name=data.get("name", ""),
        id_number=data.get("id_number", ""),
        phone=data.get("phone", ""),
        division_code=division.code if division else "",
        address_detail=data.get("address_detail", ""),
        is_representative=bool(data.get("is_representative")),
    )


def _typed_input(form: IntakeForm, people: Any) -> IntakeInput:
    """The service's input from whatever the forms could read; refused fields hold neutral placeholders whose
    own errors are dropped by _was_read."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    rows = [row for row in people.forms if not (row.empty_permitted and not row.has_changed())]
    return IntakeInput(
        channel=data.get("channel", Channel.VISIT),
        purpose=data.get("purpose", ""),
        category_id=0,
        received_on=data.get("received_on") or timezone.localdate(),
        summary=data.get("summary", ""),
        demand=data.get("demand", ""),
        petitioners=[_row_input(row) for row in rows],
        head_count=data.get("head_count") or len(rows) or 1,
        markers=list(data.get("markers", [])),
        problem_address=data.get("problem_address", ""),
        complained_unit_name=data.get("complained_unit_name", ""),
    )


def _was_read(name: str | None, form: IntakeForm, people: Any) -> bool:
    """Whether a service check on this field judged what was typed (not a placeholder) and the form had no
    error there already."""
    name = name or ""
    if name.startswith("petitioners-") and name.count("-") == 2:
        _prefix, index, field = name.split("-")
        row = people.forms[int(index)] if int(index) < len(people.forms) else None
        read = getattr(row, "cleaned_data", {}) if row is not None else {}
        return row is not None and field in read and field not in row.errors
    if name == "petitioners":
        return not people.non_form_errors()
    read = getattr(form, "cleaned_data", {})
    return name in read and name not in form.errors


def _problems_before_writing(
    form: IntakeForm, people: Any, channel: str, files: list[tuple[str, Any]]
) -> list[DomainError]:
    """The service's checks that need nothing written, run together with the form's so one submit shows every
    error: the fields' rules, then the files."""
    problems = [
        problem
        for problem in intake_problems(_typed_input(form, people), today=timezone.localdate())
        if _was_read(problem.field, form, people)
    ]
    try:
        intake_files_validate(channel, files)
    except DomainError as error:
        problems.append(error)
    return problems


def _with_held(held: list[tuple[str, Any]], chosen: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The held files and the newly chosen ones; a newly chosen scan takes the place of a held one."""
    if any(kind == AttachmentKind.LETTER_SCAN for kind, _file in chosen):
        held = [(kind, upload) for kind, upload in held if kind != AttachmentKind.LETTER_SCAN]
    return held + chosen


def _has_errors(form: IntakeForm, people: Any, files_form: AttachmentsForm) -> bool:
    return bool(form.errors or files_form.errors or people.non_form_errors() or any(r.errors for r in people))


MAX_PEOPLE_ROWS = 30  # the petitioner formset's max_num
ROW_ACTION = re.compile(r"^petitioners-(\d{1,3})-(up|down|remove)$")
ROW_FIELD = re.compile(r"^petitioners-(\d{1,3})-(\w+)$")


def _posted_rows(data: QueryDict) -> list[dict[str, str]]:
    """The petitioner rows as posted, in their order, each as a row form's initial values (unknown keys dropped)."""
    rows: dict[int, dict[str, str]] = {}
    for key in data:
        match = ROW_FIELD.match(key)
        if match and match[2] in PetitionerForm.base_fields:
            rows.setdefault(int(match[1]), {})[match[2]] = data.get(key, "")
    return [rows[index] for index in sorted(rows)][:MAX_PEOPLE_ROWS] or [{}]


def _rows_changed(rows: list[dict[str, str]], action: str) -> tuple[list[dict[str, str]], int, str]:
    """The rows after 增加信访人, 上移, 下移 or 删除 (`action` as the button posts it), the row to put the cursor in,
    and a refusal when the action cannot be done (a 31st row)."""
    if action == "add":
        if len(rows) >= MAX_PEOPLE_ROWS:
            return rows, len(rows) - 1, _("信访人最多登记%(max)s人。") % {"max": MAX_PEOPLE_ROWS}
        return [*rows, {}], len(rows), ""
    match = ROW_ACTION.match(action)
    position = int(match[1]) if match else -1
    if not 0 <= position < len(rows):
        return rows, 0, ""
    moved = list(rows)
    if match and match[2] == "remove" and len(rows) > 1:
        del moved[position]
        return moved, min(position, len(moved) - 1), ""
    target = position - 1 if match and match[2] == "up" else position + 1
    if match and match[2] in ("up", "down") and 0 <= target < len(rows):
        moved[position], moved[target] = moved[target], moved[position]
        return moved, target, ""
    return rows, position, ""


def _as_typed(fields: dict[str, forms.Field], data: QueryDict) -> dict[str, Any]:
    """A form's posted values as initial values, to show the form again as typed without judging it."""
    return {
        name: data.getlist(name) if isinstance(field, forms.MultipleChoiceField) else data.get(name)
        for name, field in fields.items()
        if name in data
    }


def _with_rows_changed(
    request: AuthenticatedRequest, action: str, files: list[tuple[str, Any]]
) -> tuple[IntakeForm, Any, AttachmentsForm]:
    """增加信访人, 上移, 下移 or 删除 without scripts: the page again with the rows changed, everything typed kept
    (the chosen files held as after a refusal) and the cursor in the row concerned; nothing judged yet."""
    user, data = request.user, request.POST
    rows, focus, refusal = _rows_changed(_posted_rows(data), action)
    form = IntakeForm(user=user, initial=_as_typed(IntakeForm.base_fields, data))
    people: Any = PetitionerFormSet(
        prefix="petitioners",
        initial=[{**row, "is_representative": bool(row.get("is_representative"))} for row in rows],
    )
    people.forms[focus].fields["name"].widget.attrs["autofocus"] = True
    if refusal:
        people._non_form_errors = people.error_class([refusal])
    held_keep(user.pk, data.get("submission_key", ""), files)
    return form, people, AttachmentsForm()


@role_required(Role.CLERK, Role.SECTION_HEAD)
def intake(request: AuthenticatedRequest, channel: str) -> HttpResponse:
    """One keyboard-first page per channel; errors stay at their fields and nothing typed is lost."""
    if channel not in Channel.values:
        raise Http404
    user = request.user
    row_action = request.POST.get("rows", "") if request.method == "POST" else ""
    if row_action:
        key = request.POST.get("submission_key", "")
        held_remove(user.pk, key, request.POST.getlist("held_remove"))
        form, people, files_form = _with_rows_changed(request, row_action, intake_files(request.FILES))
        held = held_list(user.pk, key)
    elif request.method == "POST":
        form = IntakeForm(request.POST, user=user)
        people = PetitionerFormSet(request.POST, prefix="petitioners")
        files_form = AttachmentsForm(request.POST, request.FILES)
        checked = [form.is_valid(), people.is_valid(), files_form.is_valid()]
        key = request.POST.get("submission_key", "")
        held_remove(user.pk, key, request.POST.getlist("held_remove"))
        chosen = intake_files(request.FILES)
        files = _with_held(held_files(user.pk, key), chosen)
        for problem in _problems_before_writing(form, people, channel, files):
            _place_error(problem, form, people, files_form)
        if all(checked) and not _has_errors(form, people, files_form):
            try:
                item = item_register(actor=user, data=intake_input(form, people), files=files)
            except DomainError as error:
                _place_error(error, form, people, files_form)
                held_keep(user.pk, key, chosen)
            else:
                held_discard(user.pk, key)
                messages.success(
                    request,
                    _("已登记 %(number)s，查询码 %(code)s（请告知信访人，可点“打印登记回执”交给信访人）。")
                    % {"number": item.number, "code": item.query_code},
                )
                return redirect("petitions:item_detail", item_id=item.pk)
        else:
            held_keep(user.pk, key, chosen)
        held = held_list(user.pk, key)
    else:
        held = []
        prefill = _prefill(request)
        form = IntakeForm(user=user, initial={**prefill.item, "channel": channel})
        people = PetitionerFormSet(prefix="petitioners", initial=prefill.people or None)
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
            "error_summary": _error_summary(form, people, files_form) if form.is_bound else [],
            "max_representatives": MAX_REPRESENTATIVES,
            "held": held,
            "held_scan": any(entry.kind == AttachmentKind.LETTER_SCAN for entry in held),
        },
    )


def _prefill(request: AuthenticatedRequest) -> IntakePrefill:
    """Initial values from ?from=<item> (with &repeat=1 linked as its repeat) or ?person=<petitioner>; an id out of
    the clerk's reach is a 404, a malformed one is ignored."""
    params = request.GET
    from_item_id, person_id = big_id(params.get("from")), big_id(params.get("person"))
    prefill = intake_prefill(
        actor=request.user,
        from_item_id=from_item_id,
        person_id=None if from_item_id is not None else person_id,
        repeat=params.get("repeat") == "1",
    )
    if prefill is None:
        raise Http404
    return prefill


# The item's fields in the order the page shows them (the petitioner rows come after the date).
PAGE_ORDER_BEFORE_PEOPLE = ["received_on"]
PAGE_ORDER_AFTER_PEOPLE = [
    "head_count",
    "problem_division",
    "problem_address",
    "complained_unit",
    "complained_unit_name",
    "purpose",
    "category",
    "summary",
    "demand",
    "markers",
]
DIVISION_FIELDS = {"problem_division", "address_division"}


def _anchor(bound: Any) -> str:
    """The id a summary link jumps to: the field itself, or the first level of a division picker."""
    if bound.name in DIVISION_FIELDS:
        return f"id_{bound.html_name}_level1"
    return str(bound.id_for_label)


def _error_summary(form: IntakeForm, people: Any, files_form: AttachmentsForm) -> list[dict[str, str]]:
    """Every error of a refused form, in page order, each with the id of its field for the summary's link."""
    lines: list[dict[str, str]] = [
        {"anchor": "", "label": "", "message": str(e)} for e in form.non_field_errors()
    ]

    def fields_of(bound_form: Any, names: list[str], label_prefix: str = "") -> None:
        for name in names:
            bound = bound_form[name]
            for message in bound.errors:
                lines.append(
                    {
                        "anchor": _anchor(bound),
                        "label": f"{label_prefix}{bound.label}",
                        "message": str(message),
                    }
                )

    fields_of(form, PAGE_ORDER_BEFORE_PEOPLE)
    lines.extend(
        {"anchor": "petitioner-rows", "label": "", "message": str(e)} for e in people.non_form_errors()
    )
    for index, row in enumerate(people.forms):
        prefix = _("信访人%(number)s：") % {"number": index + 1} if len(people.forms) > 1 else ""
        lines.extend(
            {"anchor": f"id_{row.prefix}-name", "label": prefix, "message": str(e)}
            for e in row.non_field_errors()
        )
        fields_of(row, [name for name in row.fields if name != "is_representative"], prefix)
    fields_of(form, PAGE_ORDER_AFTER_PEOPLE)
    attachments_anchor = "id_letter_scan" if "letter_scan" in files_form.fields else "id_others"
    lines.extend(
        {"anchor": attachments_anchor, "label": _("附件"), "message": str(e)}
        for e in files_form.non_field_errors()
    )
    fields_of(files_form, list(files_form.fields))
    return lines


def _original_number(user: Any, form: IntakeForm) -> str:
    """The number of the item a re-shown form is linked to as a repeat (the hidden field holds only its id)."""
    original = big_id(form["original"].value())
    if original is None:
        return ""
    return item_qs_visible_to(user).filter(pk=original).values_list("number", flat=True).first() or ""


SUGGESTION_ROWS = 30  # the petitioner formset's max_num


def _typed_rows(params: Any) -> list[int]:
    """The indexes of the petitioner rows the query string carries, at most as many as the form allows."""
    indexes = set()
    for key in params:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "petitioners" and parts[1].isdigit() and len(parts[1]) <= 3:
            indexes.add(int(parts[1]))
    return sorted(indexes)[:SUGGESTION_ROWS]


@role_required(Role.CLERK, Role.SECTION_HEAD)
def intake_suggestions(request: AuthenticatedRequest) -> HttpResponse:
    """Earlier items that may be the same person or matter, for the panel beside the form (htmx)."""
    params = request.GET
    people = [
        PersonTyped(
            name=params.get(f"petitioners-{index}-name", ""),
            id_number=params.get(f"petitioners-{index}-id_number", ""),
            phone=params.get(f"petitioners-{index}-phone", ""),
            division_code=params.get(f"petitioners-{index}-address_division", ""),
        )
        for index in _typed_rows(params)
    ]
    candidates = repeat_candidates_for_people(request.user, people, summary=params.get("summary", ""))
    return render(request, "petitions/_suggestions.html", {"candidates": candidates})

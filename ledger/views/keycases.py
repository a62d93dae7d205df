"""The ledger pages: the section head's list with bulk actions, a new case, one case with its actions, and the
leader's own cases (我包案的)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accountability.selectors import deadline_views, deadlines_of_subject
from core.auth.roles import role_required
from core.choices import Role
from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest, big_id
from core.models import User
from ledger.choices import KEYCASE_SUBJECT, OPEN_CASE_STATUSES, CaseStatus, StrikeOffState
from ledger.filters import KeyCaseFilter
from ledger.forms import (
    AssignForm,
    BulkForm,
    DeadlineForm,
    EditForm,
    KeyCaseForm,
    LinkItemsForm,
    ProgressForm,
    StrikeOffDecideForm,
    StrikeOffRequestForm,
)
from ledger.models import KeyCase
from ledger.selectors import (
    cases_owned_by,
    keycase_get_for_user,
    keycase_qs_visible_to,
    ledger_rows,
    progress_of_case,
    strike_off_requests_of_case,
)
from ledger.services import keycases
from ledger.services.common import may_report_progress
from petitions.selectors import item_qs_visible_to

PAGE_SIZE = 50
LEDGER_ROLES = (Role.SECTION_HEAD, Role.LEADER, Role.SUPERVISOR, Role.HANDLER)
DUE_SOON_DAYS = 30
SORTABLE = [
    ("number", gettext_lazy("编号")),
    ("risk_level", gettext_lazy("风险")),
    ("head_count", gettext_lazy("人数")),
    ("status", gettext_lazy("状态")),
    ("resolve_by", gettext_lazy("化解时限")),
    ("last_progress_on", gettext_lazy("最近进展")),
]


def with_days_left(rows: list[KeyCase], today: date | None = None) -> list[KeyCase]:
    """Days to the 化解时限 (negative when overdue) on each row, for the page to show."""
    today = today or timezone.localdate()
    for row in rows:
        row.days_left = (row.resolve_by - today).days  # type: ignore[attr-defined]
    return rows


def _headers(params: QueryDict) -> list[dict[str, Any]]:
    current = params.get("ordering", "")
    headers = []
    for name, label in SORTABLE:
        query = params.copy()
        query.pop("page", None)
        query["ordering"] = f"-{name}" if current == name else name
        arrow = "▲" if current == name else "▼" if current == f"-{name}" else ""
        headers.append({"label": label, "href": "?" + query.urlencode(), "arrow": arrow, "name": name})
    return headers


def _list_context(request: AuthenticatedRequest, params: QueryDict, bulk: BulkForm | None) -> dict[str, Any]:
    user = request.user
    filterset = KeyCaseFilter(params or None, queryset=ledger_rows(user), request=request)
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    rows = with_days_left(list(page.object_list))
    query = params.copy()
    query.pop("page", None)
    is_head = user.has_role(Role.SECTION_HEAD)
    if bulk is None and is_head:
        bulk = BulkForm(user=user, case_ids=[])
    ticked = (
        {pk for pk in map(big_id, bulk["cases"].value() or []) if pk is not None}
        if bulk is not None
        else set()
    )
    return {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "headers": _headers(params),
        "ordering": params.get("ordering", ""),
        "bulk": bulk if is_head else None,
        "ticked": ticked,
        "may_create": is_head,
    }


@role_required(*LEDGER_ROLES)
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    """All key cases of the user's units: overdue first, days left, last progress, stale flag, filters."""
    return render(request, "ledger/case_list.html", _list_context(request, request.GET, None))


@role_required(Role.SECTION_HEAD)
@require_POST
def case_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Assign or reschedule the ticked cases through the same services; one refusal and nothing changes."""
    user = request.user
    posted = [pk for pk in map(big_id, request.POST.getlist("cases")) if pk is not None]
    visible = list(keycase_qs_visible_to(user).filter(pk__in=posted).values_list("pk", flat=True))
    form = BulkForm(request.POST, user=user, case_ids=visible)
    params = QueryDict(request.POST.get("query", ""), mutable=True)
    if form.is_valid():
        try:
            count = keycases.keycases_bulk(
                actor=user, case_ids=form.cleaned_data["cases"], **form.service_kwargs()
            )
        except DomainError as error:
            place_error(form, error)
            form.add_error(None, _("批量操作未执行，所选台账均未修改。"))
        else:
            messages.success(request, _("已批量处理 %(count)s 条台账。") % {"count": count})
            return redirect(_list_url(params))
    return render(request, "ledger/case_list.html", _list_context(request, params, form), status=400)


def _list_url(params: QueryDict) -> str:
    query = params.urlencode()
    return reverse("ledger:case_list") + (f"?{query}" if query else "")


def _item_ids(user: User, numbers: list[str]) -> list[int]:
    """Ids of visible items with these numbers; an unknown or invisible number is refused at the field."""
    found = dict(item_qs_visible_to(user).filter(number__in=numbers).values_list("number", "pk"))
    missing = [number for number in numbers if number not in found]
    if missing:
        raise forms.ValidationError(
            _("未找到以下信访事项（或不在本单位范围）：%(numbers)s") % {"numbers": "、".join(missing)}
        )
    return [found[number] for number in numbers]


@role_required(Role.SECTION_HEAD)
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    """列入台账: a keyboard-first form; errors stay at their fields and nothing typed is lost."""
    user = request.user
    if request.method == "POST":
        form = KeyCaseForm(request.POST, user=user)
        if form.is_valid():
            try:
                item_ids = _item_ids(user, form.cleaned_data["items"])
            except forms.ValidationError as error:
                form.add_error("items", error)
            else:
                try:
                    case = keycases.keycase_create(actor=user, data=form.to_input(item_ids))
                except DomainError as error:
                    place_error(form, error)
                else:
                    messages.success(request, _("已列入台账：%(number)s") % {"number": case.number})
                    return redirect("ledger:case_detail", case_id=case.pk)
    else:
        form = KeyCaseForm(user=user)
    status = 400 if form.is_bound else 200
    return render(request, "ledger/case_form.html", {"form": form, "title": _("列入重点台账")}, status=status)


@dataclass(frozen=True)
class CaseAction:
    """An action of the case page: its title, its form, who sees it, and the service call."""

    label: Any
    make_form: Callable[..., forms.Form]
    allowed: Callable[[User, KeyCase, dict[str, Any]], bool]
    perform: Callable[[User, KeyCase, dict[str, Any]], Any]
    initial: Callable[[KeyCase], dict[str, Any]] = lambda case: {"version": case.version}


def _office(user: User, case: KeyCase) -> bool:
    return user.has_role(Role.SECTION_HEAD) and user.unit.contains(case.office)


def _may_request(user: User, case: KeyCase, facts: dict[str, Any]) -> bool:
    return (
        user.has_role(Role.HANDLER, Role.SECTION_HEAD)
        and user.unit.contains(case.responsible_unit)
        and case.status == CaseStatus.RESOLVED
        and facts["pending"] is None
    )


def _link(user: User, case: KeyCase, data: dict[str, Any]) -> list[int]:
    return keycases.keycase_link_items(
        actor=user,
        case_id=case.pk,
        item_ids=_item_ids(user, data["numbers"]),
        expected_version=data.get("version"),
    )


ACTIONS: dict[str, CaseAction] = {
    "progress": CaseAction(
        gettext_lazy("报送进展"),
        lambda *a, case, user, **k: ProgressForm(*a, case=case, **k),
        lambda user, case, facts: may_report_progress(user, case) and case.status in OPEN_CASE_STATUSES,
        lambda user, case, d: keycases.progress_add(
            actor=user,
            case_id=case.pk,
            reported_on=d["reported_on"],
            done=d["done"],
            next_step=d["next_step"],
            status_after=d["status_after"],
            corrects_id=d.get("corrects"),
            expected_version=d.get("version") if not d.get("corrects") else None,
        ),
        lambda case: {"version": case.version},
    ),
    "link": CaseAction(
        gettext_lazy("关联信访事项"),
        lambda *a, case, user, **k: LinkItemsForm(*a, **k),
        lambda user, case, facts: may_report_progress(user, case),
        _link,
    ),
    "strike_off_request": CaseAction(
        gettext_lazy("申请销号"),
        lambda *a, case, user, **k: StrikeOffRequestForm(*a, **k),
        _may_request,
        lambda user, case, d: keycases.strike_off_request(
            actor=user, case_id=case.pk, on=d["on"], reason=d["reason"], expected_version=d.get("version")
        ),
    ),
    "strike_off_decide": CaseAction(
        gettext_lazy("审批销号"),
        lambda *a, case, user, **k: StrikeOffDecideForm(*a, **k),
        lambda user, case, facts: _office(user, case) and facts["pending"] is not None,
        lambda user, case, d: keycases.strike_off_decide(
            actor=user,
            case_id=case.pk,
            approve=d["approve"],
            on=d["on"],
            note=d["note"],
            new_resolve_by=d.get("new_resolve_by"),
            expected_version=d.get("version"),
        ),
    ),
    "edit": CaseAction(
        gettext_lazy("修改台账信息"),
        lambda *a, case, user, **k: EditForm(*a, **k),
        lambda user, case, facts: _office(user, case) and case.status != CaseStatus.STRUCK_OFF,
        lambda user, case, d: keycases.keycase_update(
            actor=user,
            case_id=case.pk,
            changes={name: d[name] for name in keycases.EDITABLE_FIELDS},
            expected_version=d.get("version"),
        ),
        lambda case: {
            "version": case.version,
            **{name: getattr(case, name) for name in keycases.EDITABLE_FIELDS},
        },
    ),
    "assign": CaseAction(
        gettext_lazy("改派"),
        lambda *a, case, user, **k: AssignForm(*a, user=user, **k),
        lambda user, case, facts: _office(user, case) and case.status != CaseStatus.STRUCK_OFF,
        lambda user, case, d: keycases.keycase_assign(
            actor=user,
            case_id=case.pk,
            owner_id=d["owner"].pk,
            responsible_unit_id=d["responsible_unit"].pk,
            responsible_person_id=d["responsible_person"].pk if d.get("responsible_person") else None,
            stabilizing_unit_id=d["stabilizing_unit"].pk if d.get("stabilizing_unit") else None,
            expected_version=d.get("version"),
        ),
        lambda case: {
            "version": case.version,
            "owner": case.owner_id,
            "responsible_unit": case.responsible_unit_id,
            "responsible_person": case.responsible_person_id,
            "stabilizing_unit": case.stabilizing_unit_id,
        },
    ),
    "deadline": CaseAction(
        gettext_lazy("调整化解时限"),
        lambda *a, case, user, **k: DeadlineForm(*a, **k),
        lambda user, case, facts: _office(user, case) and case.status in OPEN_CASE_STATUSES,
        lambda user, case, d: keycases.keycase_set_deadline(
            actor=user,
            case_id=case.pk,
            resolve_by=d["resolve_by"],
            reason=d["reason"],
            expected_version=d.get("version"),
        ),
        lambda case: {"version": case.version, "resolve_by": case.resolve_by},
    ),
}


def _make_form(action: str, user: User, case: KeyCase, *args: Any, **kwargs: Any) -> forms.Form:
    return ACTIONS[action].make_form(*args, case=case, user=user, prefix=action, **kwargs)


def _detail_context(
    request: AuthenticatedRequest, case: KeyCase, bound: tuple[str, forms.Form] | None = None
) -> dict[str, Any]:
    user = request.user
    requests = list(strike_off_requests_of_case(case))
    facts = {"pending": next((r for r in requests if r.state == StrikeOffState.PENDING), None)}
    reports = list(progress_of_case(case))
    corrected_by: dict[int, list[Any]] = {}
    for report in reports:
        if report.corrects_id:
            corrected_by.setdefault(report.corrects_id, []).append(report)
    timeline = [(report, corrected_by.get(report.pk, [])) for report in reports]
    action_forms = []
    correcting: tuple[Any, forms.Form] | None = None
    for name, action in ACTIONS.items():
        if bound is not None and bound[0] == name:
            action_forms.append((name, action.label, bound[1]))
            continue
        if not action.allowed(user, case, facts):
            continue
        action_forms.append((name, action.label, _make_form(name, user, case, initial=action.initial(case))))
    may_correct = may_report_progress(user, case)
    correct_id = big_id(request.GET.get("correct", ""))
    if may_correct and correct_id is not None and (bound is None or bound[0] != "correct"):
        original = next((r for r in reports if r.pk == correct_id), None)
        if original is not None:
            correcting = (
                original,
                ProgressForm(
                    case=case,
                    prefix="correct",
                    initial={
                        "corrects": original.pk,
                        "reported_on": timezone.localdate(),
                        "done": original.done,
                        "next_step": original.next_step,
                        "status_after": case.status,
                    },
                ),
            )
    if bound is not None and bound[0] == "correct":
        original = next((r for r in reports if str(r.pk) == str(bound[1]["corrects"].value())), None)
        correcting = (original, bound[1])
    with_days_left([case])
    open_deadlines = deadline_views(deadlines_of_subject(KEYCASE_SUBJECT, case.pk))
    return {
        "case": case,
        "items": case.item_links.select_related("item").order_by("linked_at", "id"),
        "timeline": timeline,
        "requests": requests,
        "pending": facts["pending"],
        "action_forms": action_forms,
        "may_correct": may_correct,
        "correcting": correcting,
        "deadlines": open_deadlines,
        "is_open": case.status in OPEN_CASE_STATUSES,
    }


@role_required(*LEDGER_ROLES)
def case_detail(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Everything about one visible case; out of scope is 404."""
    case = keycase_get_for_user(request.user, case_id)
    return render(request, "ledger/case_detail.html", _detail_context(request, case))


@role_required(*LEDGER_ROLES)
@require_POST
def case_action(request: AuthenticatedRequest, case_id: int, action: str) -> HttpResponse:
    """Perform one action on a case; a refusal is shown at its field and the typed values stay."""
    user = request.user
    case = keycase_get_for_user(user, case_id)
    if action == "correct":
        form: forms.Form = ProgressForm(request.POST, case=case, prefix="correct")
        perform = ACTIONS["progress"].perform
        label = _("更正进展")
    elif action in ACTIONS:
        form = _make_form(action, user, case, request.POST)
        perform = ACTIONS[action].perform
        label = str(ACTIONS[action].label)
    else:
        raise Http404
    if action == "correct" and form.is_valid() and not form.cleaned_data.get("corrects"):
        form.add_error(None, _("请选择要更正的进展。"))
    if form.is_valid():
        try:
            perform(user, case, form.cleaned_data)
        except DomainError as error:
            if action == "correct" and error.field == "corrects":
                form.add_error(None, error.message)
            else:
                place_error(form, error)
        except forms.ValidationError as error:
            form.add_error("numbers", error)
        else:
            messages.success(request, _("已完成：%(action)s") % {"action": label})
            if not keycase_qs_visible_to(user).filter(pk=case.pk).exists():
                return redirect("ledger:case_list")
            return redirect("ledger:case_detail", case_id=case.pk)
    case = keycase_get_for_user(user, case_id)
    context = _detail_context(request, case, bound=(action, form))
    context["open_action"] = action
    return render(request, "ledger/case_detail.html", context, status=400)


@role_required(Role.LEADER)
def my_cases(request: AuthenticatedRequest) -> HttpResponse:
    """我包案的: the leader's own cases; what is overdue, what is due soon, what is stuck."""
    rows = with_days_left(list(cases_owned_by(request.user)))
    open_rows = [row for row in rows if row.status in OPEN_CASE_STATUSES]
    return render(
        request,
        "ledger/my_cases.html",
        {
            "overdue": [row for row in open_rows if row.is_overdue],  # type: ignore[attr-defined]
            "due_soon": [
                row
                for row in open_rows
                if not row.is_overdue and row.days_left <= DUE_SOON_DAYS  # type: ignore[attr-defined]
            ],
            "stuck": [row for row in open_rows if row.is_stale],  # type: ignore[attr-defined]
            "rows": rows,
            "due_soon_days": DUE_SOON_DAYS,
        },
    )

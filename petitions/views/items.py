"""The item list and the item page: details, masked people, deadlines, timeline, documents and steps."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accountability.selectors import DeadlineView, deadline_views
from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest
from petitions.choices import FILING_ROLES, HANDLING, Action, Status
from petitions.filters import ItemFilter
from petitions.forms import DeliverForm
from petitions.item_list.reach_ids import item_reach_ids, items_in_order
from petitions.models import Item
from petitions.selectors import (
    deadlines_open_for_items,
    item_deadlines,
    item_get_for_user,
    item_list_for_user,
    item_petitioners,
    item_qs_visible_to,
    item_situation,
    item_timeline,
)
from petitions.services.particulars import may_correct_particulars
from petitions.steps import STEPS, steps_for

PAGE_SIZE = 30


def _urgency(view: DeadlineView) -> tuple[bool, date]:
    """Sort key of the list's "nearest deadline": the unit's obligations before the petitioner's windows."""
    return (not view.deadline.rule.is_obligation, view.deadline.due_on)


def _item_page(request: AuthenticatedRequest, filterset: ItemFilter) -> tuple[Page[Any], list[Item]]:
    """One page of the list and its items: counted and paged in the items' reach when the list allows it
    (petitions.item_list.reach_ids), else in the items."""
    number = request.GET.get("page")
    order = filterset.list_order()
    reach_ids = item_reach_ids(request.user, filterset, order)
    if reach_ids is not None:
        id_page = Paginator(reach_ids, PAGE_SIZE).get_page(number)
        return id_page, items_in_order(filterset.queryset, list(id_page.object_list))
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    item_page = Paginator(queryset.order_by(*order), PAGE_SIZE).get_page(number)
    return item_page, list(item_page.object_list)


@login_required
def item_list(request: AuthenticatedRequest) -> HttpResponse:
    """Items in the user's subtree, filtered and sorted, with the nearest running deadline of each row."""
    filterset = ItemFilter(request.GET or None, queryset=item_list_for_user(request.user), request=request)
    page, rows = _item_page(request, filterset)
    nearest: dict[int, Any] = {}
    for view in deadline_views(deadlines_open_for_items([row.pk for row in rows])):
        current = nearest.get(view.deadline.subject_id)
        if current is None or _urgency(view) < _urgency(current):
            nearest[view.deadline.subject_id] = view
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/item_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [(row, nearest.get(row.pk)) for row in rows],
            "query": query.urlencode(),
        },
    )


def item_detail_context(
    request: AuthenticatedRequest, item: Item, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    deadlines = item_deadlines(item)
    situation = item_situation(item, deadlines)
    forms = []
    for step in steps_for(request.user, item, situation):
        action = step.action
        if bound is not None and bound["action"] == action:
            forms.append((action, action.label, bound["form"]))
            continue
        initial = {"version": item.version, **step.initial(item, situation)}
        forms.append((action, action.label, step.form_for(request.user, prefix=action, initial=initial)))
    return {
        "item": item,
        "petitioners": item_petitioners(item),
        "may_correct": may_correct_particulars(request.user, item),
        "deadlines": deadlines,
        "timeline": item_timeline(item),
        "documents": item.documents.select_related("issuing_unit").order_by("issued_on", "id"),
        "attachments": item.attachments.order_by("uploaded_at", "id"),
        "repeats": item.repeats.order_by("received_on", "id"),
        "pending_extension": situation.pending_extension,
        "step_forms": forms,
        "deliver_form": DeliverForm(),
        "handling_kind": HANDLING,
        "may_file": request.user.has_role(*FILING_ROLES),
        "terminal": item.status in (Status.CLOSED, Status.NOT_ACCEPTED, Status.NO_FURTHER, Status.REPEAT),
    }


@login_required
def item_detail(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """Everything about one visible item; out of scope is 404."""
    item = item_get_for_user(request.user, item_id)
    return render(request, "petitions/item_detail.html", item_detail_context(request, item))


@login_required
@require_POST
def item_step(request: AuthenticatedRequest, item_id: int, action: str) -> HttpResponse:
    """Perform one life-cycle step; a refusal is shown at its field and the typed values stay."""
    item = item_get_for_user(request.user, item_id)
    step = STEPS.get(action)
    if step is None:
        raise Http404
    form = step.form_for(request.user, request.POST, prefix=action)
    if form.is_valid():
        try:
            step.perform(request.user, item, form.cleaned_data)
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("已完成：%(action)s") % {"action": Action(action).label})
            if not item_qs_visible_to(request.user).filter(pk=item.pk).exists():
                # e.g. after 退回异议 the item has left the handler's units: back to their list.
                return redirect("petitions:item_list")
            return redirect("petitions:item_detail", item_id=item.pk)
    item = item_get_for_user(request.user, item_id)
    context = item_detail_context(request, item, bound={"action": action, "form": form})
    context["open_action"] = action
    return render(request, "petitions/item_detail.html", context, status=400)

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
from petitions.choices import HANDLING, Action, Status
from petitions.filters import ItemFilter
from petitions.forms import DeliverForm
from petitions.models import ExtensionRequest, Item
from petitions.selectors import (
    deadlines_open_for_items,
    item_deadlines,
    item_get_for_user,
    item_list_for_user,
    item_petitioners,
    item_qs_visible_to,
    item_reach_for_user,
    item_timeline,
)
from petitions.views.steps import STEPS, step_form, steps_for

PAGE_SIZE = 30


def _urgency(view: DeadlineView) -> tuple[bool, date]:
    """Sort key of the list's "nearest deadline": the unit's obligations before the petitioner's windows."""
    return (not view.deadline.rule.is_obligation, view.deadline.due_on)


# The filters whose columns the items' reach carries under the same names (ItemReach).
REACH_FILTERS = frozenset({"status", "channel", "overdue", "due_within"})
# The orders the reach pages in: by date received (its index) either way, and most pressing first, which the
# default gives only to overdue and due-soon lists (its partial index).
REACH_ORDERS = frozenset({("-received_on", "-id"), ("received_on", "id"), ("obligation_due_on", "id")})


def _reach_order(order: tuple[str, ...]) -> list[str]:
    """An order of the items as the same order of their reach rows (an item's id is the row's item_id)."""
    return [{"id": "item_id", "-id": "-item_id"}.get(name, name) for name in order]


def _item_page(request: AuthenticatedRequest, filterset: ItemFilter) -> tuple[Page[Any], list[Item]]:
    """One page of the list and its items. A list narrowed only by filters the reach carries (or not at all), in an
    order the reach pages in, is counted and paged in the reach rows of the user's unit; any other reads the items."""
    filters = filterset.filters_set()
    number = request.GET.get("page")
    order = filterset.list_order()
    if filters is not None and filters <= REACH_FILTERS and order in REACH_ORDERS:
        reach = item_reach_for_user(request.user)
        if filterset.is_bound:
            reach = filterset.filter_queryset(reach)  # the same filters, on the same column names
        item_ids = reach.order_by(*_reach_order(order)).values_list("item_id", flat=True)
        id_page = Paginator(item_ids, PAGE_SIZE).get_page(number)
        ids = list(id_page.object_list)
        found = filterset.queryset.in_bulk(ids)  # the unit-subtree selector the list was built on
        return id_page, [found[item_id] for item_id in ids if item_id in found]
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
    hearing_running = any(view.deadline.is_paused and view.deadline.is_open for view in deadlines)
    pending = item.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()
    actions = steps_for(
        request.user, item, hearing_running=hearing_running, pending_extension=pending is not None
    )
    forms = []
    for action in actions:
        step = STEPS[action]
        initial: dict[str, Any] = {"version": item.version}
        if action == Action.EXTEND and pending is not None:
            initial.update({"days": pending.days, "reason": pending.reason})
        if bound is not None and bound["action"] == action:
            forms.append((action, Action(action).label, bound["form"]))
        else:
            forms.append(
                (action, Action(action).label, step_form(step, request.user, prefix=action, initial=initial))
            )
    return {
        "item": item,
        "petitioners": item_petitioners(item),
        "deadlines": deadlines,
        "timeline": item_timeline(item),
        "documents": item.documents.select_related("issuing_unit").order_by("issued_on", "id"),
        "attachments": item.attachments.order_by("uploaded_at", "id"),
        "repeats": item.repeats.order_by("received_on", "id"),
        "pending_extension": pending,
        "step_forms": forms,
        "deliver_form": DeliverForm(),
        "handling_kind": HANDLING,
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
    form = step_form(step, request.user, request.POST, prefix=action)
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

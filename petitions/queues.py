"""The petition work queues of clerks, handlers and section heads, registered with core.queues."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import User
from core.queues import QueuePage, QueueRow, counted_page, queue_page, queue_register
from core.selectors import unit_ids_visible_to
from petitions.choices import EXTENSION_APPROVERS, OPEN_STATUSES, Action, Status
from petitions.item_list.reach_ids import items_in_order
from petitions.models import ExtensionRequest, Item, ItemEvent
from petitions.selectors import item_qs_visible_to, item_reach_for_user


def _item_row(item: Item, *, with_due: bool = True) -> QueueRow:
    due_on = item.obligation_due_on if with_due else None
    return QueueRow(
        url=reverse("petitions:item_detail", args=[item.pk]),
        number=item.number,
        summary=Truncator(item.summary).chars(40),
        due_on=due_on,
    )


def _items_page(
    title: str | Promise, queryset: QuerySet[Item], limit: int, *, with_due: bool = True
) -> QueuePage:
    queryset = queryset.only("id", "number", "summary", "obligation_due_on")
    count, items = counted_page(queryset, limit)
    return queue_page(title, count, [_item_row(item, with_due=with_due) for item in items])


def _responsible_in_subtree(user: User, status: str) -> QuerySet[Item]:
    return item_qs_visible_to(user).filter(status=status, responsible_unit_id__in=unit_ids_visible_to(user))


def registered_today(user: User, limit: int) -> QueuePage:
    """Items the clerk registered today, newest first."""
    items = item_qs_visible_to(user).filter(registered_by=user, registered_on=timezone.localdate())
    return _items_page(_("今日登记"), items.order_by("-id"), limit, with_due=False)


def waiting_to_forward(user: User, limit: int) -> QueuePage:
    """Registered items of the clerk's subtree not yet forwarded, oldest first, with their routing due date."""
    items = item_qs_visible_to(user).filter(
        status=Status.REGISTERED, registered_unit_id__in=unit_ids_visible_to(user)
    )
    return _items_page(_("待转送"), items.order_by("received_on", "id"), limit)


def waiting_for_acceptance(user: User, limit: int) -> QueuePage:
    """Items assigned to the subtree waiting for the acceptance decision, earliest due first."""
    items = _responsible_in_subtree(user, Status.ASSIGNED)
    return _items_page(_("待受理审查"), items.order_by("obligation_due_on", "id"), limit)


def in_handling(user: User, limit: int) -> QueuePage:
    """Accepted items of the subtree by handling due date."""
    items = _responsible_in_subtree(user, Status.ACCEPTED)
    return _items_page(_("办理中"), items.order_by("obligation_due_on", "id"), limit)


def due_this_week(user: User, limit: int) -> QueuePage:
    """Accepted items of the subtree due on or before this Sunday (overdue ones included)."""
    today = timezone.localdate()
    sunday = today + timedelta(days=6 - today.weekday())
    items = _responsible_in_subtree(user, Status.ACCEPTED).filter(obligation_due_on__lte=sunday)
    return _items_page(_("本周到期"), items.order_by("obligation_due_on", "id"), limit)


def returned_for_rework(user: User, limit: int) -> QueuePage:
    """Items returned to the subtree for rework (退回重办) and being handled again."""
    reworked = ItemEvent.objects.filter(item_id=OuterRef("pk"), action=Action.REWORK)
    items = _responsible_in_subtree(user, Status.ACCEPTED).filter(Exists(reworked))
    return _items_page(_("退回重办"), items.order_by("obligation_due_on", "id"), limit)


def overdue_items(user: User, limit: int) -> QueuePage:
    """Open items of the subtree past their earliest open obligation, most overdue first.

    Counted and paged in the reach rows of the user's unit, whose due-date index holds them in this order: the
    items themselves are overdue across the whole city, and a county's share of them was found only by reading
    them all (200 ms at a million items).
    """
    reach = item_reach_for_user(user).filter(
        obligation_due_on__lt=timezone.localdate(), status__in=sorted(OPEN_STATUSES)
    )
    # Two index-only reads: a window count (counted_page) would fetch every overdue row from the table.
    count = reach.count()
    ids = list(
        reach.order_by("obligation_due_on", "item_id").values_list("item_id", flat=True)[: max(limit, 0)]
    )
    items = items_in_order(item_qs_visible_to(user).only("id", "number", "summary", "obligation_due_on"), ids)
    return queue_page(_("超期事项"), count, [_item_row(item) for item in items])


def extensions_to_approve(user: User, limit: int) -> QueuePage:
    """Pending extension requests of items the section head's own unit handles (the unit that approves them)."""
    visible = item_qs_visible_to(user).filter(responsible_unit_id=user.unit_id, status=Status.ACCEPTED)
    requests = (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING, item__in=visible)
        .select_related("item")
        .only("id", "days", "reason", "requested_on", "item__id", "item__number", "item__obligation_due_on")
        .order_by("requested_on", "id")
    )
    count, found = counted_page(requests, limit)
    rows = [
        QueueRow(
            url=reverse("petitions:item_detail", args=[request.item_id]),
            number=request.item.number,
            summary=str(
                _("申请延长%(days)s日：%(reason)s") % {"days": request.days, "reason": request.reason}
            )[:60],
            due_on=request.item.obligation_due_on,
        )
        for request in found
    ]
    return queue_page(_("待审批延期"), count, rows)


def register_queues() -> None:
    """The petition queues, by role."""
    queue_register("petitions.registered_today", {Role.CLERK}, registered_today, order=100)
    queue_register("petitions.waiting_to_forward", {Role.CLERK}, waiting_to_forward, order=110)
    queue_register("petitions.waiting_for_acceptance", {Role.HANDLER}, waiting_for_acceptance, order=200)
    queue_register("petitions.due_this_week", {Role.HANDLER}, due_this_week, order=210)
    queue_register("petitions.in_handling", {Role.HANDLER}, in_handling, order=220)
    queue_register("petitions.returned_for_rework", {Role.HANDLER}, returned_for_rework, order=230)
    queue_register(
        "petitions.extensions_to_approve", set(EXTENSION_APPROVERS), extensions_to_approve, order=300
    )
    queue_register("petitions.overdue", {Role.SECTION_HEAD, Role.SUPERVISOR}, overdue_items, order=310)

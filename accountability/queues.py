"""The 督办单 work queues of handlers, leaders and supervisors, registered with core.queues."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accountability.choices import SupervisionStatus
from accountability.models import SupervisionOrder
from accountability.selectors import supervision_orders_for_user
from core.choices import Role
from core.models import User
from core.queues import QueuePage, QueueRow, counted_page, queue_page, queue_register
from core.selectors import unit_ids_visible_to


def _orders_page(title: str | Promise, orders: QuerySet[SupervisionOrder], limit: int) -> QueuePage:
    orders = (
        orders.select_related(None)
        .only("id", "number", "requirement", "issued_on")
        .order_by("issued_on", "id")
    )
    count, found = counted_page(orders, limit)
    rows = [
        QueueRow(
            url=reverse("accountability:supervision_detail", args=[order.pk]),
            number=order.number,
            summary=Truncator(order.requirement).chars(40),
        )
        for order in found
    ]
    return queue_page(title, count, rows)


def orders_awaiting_reply(user: User, limit: int) -> QueuePage:
    """督办单 addressed to the user's own unit and not yet answered."""
    orders = supervision_orders_for_user(user).filter(unit_id=user.unit_id, status=SupervisionStatus.ISSUED)
    return _orders_page(_("待答复督办单"), orders, limit)


def orders_naming_my_unit(user: User, limit: int) -> QueuePage:
    """督办单 naming the leader's unit that are not closed."""
    orders = (
        supervision_orders_for_user(user)
        .filter(unit_id=user.unit_id)
        .exclude(status=SupervisionStatus.CLOSED)
    )
    return _orders_page(_("本单位督办单"), orders, limit)


def orders_open(user: User, limit: int) -> QueuePage:
    """督办单 the supervisor's subtree issued that still wait for a reply."""
    orders = supervision_orders_for_user(user).filter(
        issuing_unit_id__in=unit_ids_visible_to(user), status=SupervisionStatus.ISSUED
    )
    return _orders_page(_("未答复督办单"), orders, limit)


def replies_to_close(user: User, limit: int) -> QueuePage:
    """Replied 督办单 of the supervisor's subtree waiting to be closed."""
    orders = supervision_orders_for_user(user).filter(
        issuing_unit_id__in=unit_ids_visible_to(user), status=SupervisionStatus.REPLIED
    )
    return _orders_page(_("待办结答复"), orders, limit)


def register_queues() -> None:
    """The 督办 queues, by role."""
    queue_register("accountability.orders_awaiting_reply", {Role.HANDLER}, orders_awaiting_reply, order=240)
    queue_register("accountability.orders_naming_my_unit", {Role.LEADER}, orders_naming_my_unit, order=410)
    queue_register("accountability.orders_open", {Role.SUPERVISOR}, orders_open, order=500)
    queue_register("accountability.replies_to_close", {Role.SUPERVISOR}, replies_to_close, order=510)

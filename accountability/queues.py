"""The 督办单 and 通报 work queues of handlers, leaders and supervisors, registered with core.queues."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accountability.choices import SupervisionStatus
from accountability.models import Circular, SupervisionOrder
from accountability.selectors import circulars_naming_my_unit, supervision_orders_for_user
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


CIRCULAR_QUEUE_DAYS = 30  # a 通报 stays on the leader's home page for a month after it was issued


def _circular_summary(circular: Circular, unit_id: int) -> str:
    """The 通报's title and what it says of the unit: overdue clocks, missed reports, unanswered 督办."""
    line: dict[str, int] = next((row for row in circular.rows if row.get("unit_id") == unit_id), {})
    return str(
        _("%(title)s：本单位超期%(overdue)s、漏报%(missed)s、督办未复%(unanswered)s")
        % {
            "title": Truncator(circular.title).chars(30),
            "overdue": line.get("overdue", 0),
            "missed": line.get("missed_reports", 0),
            "unanswered": line.get("unanswered_supervision", 0),
        }
    )


def circulars_naming_my_unit_recently(user: User, limit: int) -> QueuePage:
    """通报 of the last month, from the leader's unit or above, that name the leader's unit, newest first."""
    since = timezone.localdate() - timedelta(days=CIRCULAR_QUEUE_DAYS)
    circulars = circulars_naming_my_unit(user, since=since).only("id", "number", "title", "rows", "issued_at")
    count, found = counted_page(circulars, limit)
    rows = [
        QueueRow(
            url=reverse("accountability:circular_detail", args=[circular.pk]),
            number=circular.number,
            summary=_circular_summary(circular, user.unit_id),
        )
        for circular in found
    ]
    return queue_page(_("点名本单位的通报"), count, rows)


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
    queue_register(
        "accountability.circulars_naming_my_unit", {Role.LEADER}, circulars_naming_my_unit_recently, order=420
    )
    queue_register("accountability.orders_open", {Role.SUPERVISOR}, orders_open, order=500)
    queue_register("accountability.replies_to_close", {Role.SUPERVISOR}, replies_to_close, order=510)

"""Which item lists are read through the items' reach, and the ids of such a list in its order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from core.selectors import AnyUser
from petitions.models import Item
from petitions.selectors import item_reach_for_user

if TYPE_CHECKING:
    from petitions.filters import ItemFilter

# The filters whose columns the items' reach carries under the same names (ItemReach).
REACH_FILTERS = frozenset({"status", "channel", "overdue", "due_within"})
# The orders the reach pages in: by date received (its index) either way, and most pressing first, which the
# default gives only to overdue and due-soon lists (its partial index).
REACH_ORDERS = frozenset({("-received_on", "-id"), ("received_on", "id"), ("obligation_due_on", "id")})


def order_with_tie_break(order: Sequence[str]) -> tuple[str, ...]:
    """`order` with its ties broken by id in the direction of its last field, so pages never overlap."""
    if not order or order[-1].lstrip("-") == "id":
        return tuple(order)
    return (*order, "-id" if order[-1].startswith("-") else "id")


def item_reach_ids(
    user: AnyUser, filterset: ItemFilter, order: tuple[str, ...]
) -> QuerySet[Item, int] | None:
    """The ids of the list's items in `order`, read from the reach rows of the user's own unit; None when the list
    is narrowed by a filter the reach does not carry, or sorted in an order it does not page in."""
    filters = filterset.filters_set()
    if filters is None or not filters <= REACH_FILTERS or order not in REACH_ORDERS:
        return None
    reach = item_reach_for_user(user)
    if filterset.is_bound:
        reach = filterset.filter_queryset(reach)  # the same filters, on the same column names
    by_item = {"id": "item_id", "-id": "-item_id"}  # an item's id is its reach row's item_id
    return reach.order_by(*[by_item.get(name, name) for name in order]).values_list(  # type: ignore[return-value]
        "item_id", flat=True
    )


def items_in_order(items: QuerySet[Item], ids: Sequence[int]) -> list[Item]:
    """The items of `ids` read through `items` (the user's selector), in the order of `ids`."""
    found = items.in_bulk(list(ids))
    return [found[item_id] for item_id in ids if item_id in found]

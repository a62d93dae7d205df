"""Which unit an item counts for (属地单位): the database's one rule, as SQL text and as ORM expressions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, BooleanField, F, Func, Value

# The rule is the SQL function petitions_item_counting_unit of migration 0014: the item's responsible unit; for a
# repeat without one, its original's; otherwise the unit that registered it. The roll-up trigger calls it; so does
# every statement here that groups or narrows items by 属地单位. Its arguments, in order:
ARGUMENTS = ("responsible_unit_id", "original__responsible_unit_id", "registered_unit_id")

# An item `i` with its original `o` (none for an item that is not a repeat), and the unit `i` counts for.
ITEM_WITH_ORIGINAL = "petitions_item i LEFT JOIN petitions_item o ON o.id = i.original_id"
ITEM_COUNTING_UNIT = (
    "petitions_item_counting_unit(i.responsible_unit_id, o.responsible_unit_id, i.registered_unit_id)"
)


class CountingUnit(Func):
    """The unit an item counts for, as an expression on the item queryset (a LEFT JOIN to the original)."""

    function = "petitions_item_counting_unit"
    output_field = BigIntegerField()

    def __init__(self, **extra: Any) -> None:
        super().__init__(*(F(name) for name in ARGUMENTS), **extra)


class CountsFor(Func):
    """Whether an item counts for one of `unit_ids`: the item list's 属地 filter.

    `CountingUnit() IN (…)` would say the same, but a condition on a function of the item and its original gives
    the planner nothing to read an index with, so every item would be joined to its original and tested. The SQL
    function petitions_item_counts_for adds a condition on the item's own responsible unit that the rule implies;
    PostgreSQL inlines the function and reads that condition from the index on responsible_unit_id, as it did for
    the three-way OR this filter used to spell out.
    """

    function = "petitions_item_counts_for"
    output_field = BooleanField()

    def __init__(self, unit_ids: Sequence[int], **extra: Any) -> None:
        units = Value(list(unit_ids), output_field=ArrayField(BigIntegerField()))
        super().__init__(*(F(name) for name in ARGUMENTS), units, **extra)

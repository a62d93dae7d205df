"""The units that see each item (`ItemReach`), set again from the items after a bulk load turned its triggers off."""

from __future__ import annotations

from django.db import connection

REACH_TRIGGERS = (
    ("petitions_item", "petitions_item_reach_insert"),
    ("petitions_item", "petitions_item_reach_update"),
)


def item_reach_rebuild() -> int:
    """Write every item's reach from scratch; returns how many rows were written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT petitions_item_reach_rebuild()")
        (written,) = cursor.fetchone()
        return int(written)

"""The items' `obligation_due_on` (earliest due date of their open obligation clocks), set again from the clocks.

Triggers on the clock table keep the column in the writer's transaction (migration 0008); a bulk load that turns
those triggers off calls `obligation_dates_rebuild` once at the end instead.
"""

from __future__ import annotations

from django.db import connection

OBLIGATION_TRIGGERS = (
    ("accountability_deadline", "petitions_item_obligation_due_insert_delete"),
    ("accountability_deadline", "petitions_item_obligation_due_update"),
)

REBUILD_SQL = """
UPDATE petitions_item i SET obligation_due_on = due.on_date
FROM (
    SELECT i2.id, min(d.due_on) AS on_date
    FROM petitions_item i2
    LEFT JOIN accountability_deadline d
        ON d.subject_type = 'petitions.item' AND d.subject_id = i2.id AND d.status = 'open'
        AND d.kind IN (SELECT kind FROM accountability_deadlinerule WHERE is_obligation)
    GROUP BY i2.id
) due
WHERE i.id = due.id AND i.obligation_due_on IS DISTINCT FROM due.on_date
"""


def obligation_dates_rebuild() -> int:
    """Set every item's date from its clocks; returns how many items changed."""
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_SQL)
        return cursor.rowcount

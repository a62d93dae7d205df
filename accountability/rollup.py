"""The daily roll-up of clocks (unit × kind × subject type × due day × status) the measures and dashboards count from.

A trigger (migration 0006) keeps it in step with every write to the deadline table, in the writer's transaction;
the nightly task compares it with the clocks and rebuilds any day that drifted.
"""

from __future__ import annotations

from core.rollups import DailyRollUp

CLOCK_ROLLUP = DailyRollUp(
    table="accountability_deadlinedaycount",
    day_column="due_on",
    key=("unit_id", "kind", "subject_type", "due_on", "status"),
    counts=("clocks",),
    counts_select="""
        SELECT d.unit_id, d.kind, d.subject_type, d.due_on, d.status, count(*) AS clocks
        FROM accountability_deadline d
        WHERE d.due_on BETWEEN %(first)s AND %(last)s
        GROUP BY 1, 2, 3, 4, 5
    """,
    span_select="SELECT min(due_on), max(due_on) FROM accountability_deadline",
)

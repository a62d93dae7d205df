"""The daily roll-up of items (unit × day × channel × category × purpose × status) the leaders' pages count from.

A trigger keeps it in step with every write to the item table, in the writer's transaction; `rollup_rebuild`
recomputes a range of days from the items (after bulk loads) and `rollup_mismatches` compares the two, which the
nightly task uses to find and repair any drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction

# The roll-up key and counts of one item; the trigger and the rebuild both use these expressions.
COUNTS_SELECT = """
SELECT coalesce(i.responsible_unit_id, i.registered_unit_id) AS unit_id, i.received_on AS day, i.channel, i.category_id, i.purpose, i.status,
    count(*) AS items,
    sum(i.head_count) AS persons,
    count(*) FILTER (WHERE i.markers @> ARRAY['collective']::varchar[]) AS collective,
    count(*) FILTER (WHERE i.markers @> ARRAY['skip_level']::varchar[]) AS skip_level,
    count(*) FILTER (WHERE i.markers @> ARRAY['to_beijing']::varchar[]) AS to_beijing,
    count(*) FILTER (WHERE i.markers @> ARRAY['to_province']::varchar[]) AS to_province,
    count(*) FILTER (WHERE i.original_id IS NOT NULL) AS repeats
FROM petitions_item i
WHERE i.received_on BETWEEN %(first)s AND %(last)s
GROUP BY 1, 2, 3, 4, 5, 6
"""
KEY = "unit_id, day, channel, category_id, purpose, status"
COUNTS = "items, persons, collective, skip_level, to_beijing, to_province, repeats"

REBUILD_DAYS = 31  # one transaction per month of days keeps each lock short


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild rewrote."""

    days: int
    rows: int


def _item_day_span() -> tuple[date, date] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(received_on), max(received_on) FROM petitions_item")
        first, last = cursor.fetchone()
    return None if first is None else (first, last)


def rollup_rebuild(*, first: date | None = None, last: date | None = None) -> RebuildResult:
    """Recompute the roll-up of the days from `first` to `last` (all days with items by default) in monthly steps.

    Each step locks the roll-up against the trigger's writes (readers go on), deletes the step's rows and inserts
    them again from the items, so a write committed during the rebuild is never lost or counted twice.
    """
    span = _item_day_span()
    if span is None:
        return RebuildResult(0, 0)
    first, last = first or span[0], last or span[1]
    rows = 0
    step_first = first
    while step_first <= last:
        step_last = min(step_first + timedelta(days=REBUILD_DAYS - 1), last)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE petitions_itemdaycount IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                "DELETE FROM petitions_itemdaycount WHERE day BETWEEN %(first)s AND %(last)s",
                {"first": step_first, "last": step_last},
            )
            cursor.execute(
                f"INSERT INTO petitions_itemdaycount ({KEY}, {COUNTS}) {COUNTS_SELECT}",
                {"first": step_first, "last": step_last},
            )
            rows += cursor.rowcount
        step_first = step_last + timedelta(days=1)
    return RebuildResult((last - first).days + 1, rows)


def rollup_mismatches(*, first: date, last: date) -> list[date]:
    """The days between `first` and `last` on which the roll-up differs from a direct count of the items."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH direct AS ({COUNTS_SELECT}),
            stored AS (
                SELECT {KEY}, {COUNTS} FROM petitions_itemdaycount
                WHERE day BETWEEN %(first)s AND %(last)s AND items <> 0
            )
            SELECT DISTINCT coalesce(direct.day, stored.day)
            FROM direct FULL JOIN stored USING ({KEY})
            WHERE (direct.items, direct.persons, direct.collective, direct.skip_level, direct.to_beijing,
                   direct.to_province, direct.repeats)
                IS DISTINCT FROM
                  (stored.items, stored.persons, stored.collective, stored.skip_level, stored.to_beijing,
                   stored.to_province, stored.repeats)
            ORDER BY 1
            """,  # noqa: S608
            {"first": first, "last": last},
        )
        return [row[0] for row in cursor.fetchall()]


def rollup_repair(*, days_back: int, today: date) -> list[date]:
    """Rebuild each day of the last `days_back` days whose roll-up drifted from the items; returns those days."""
    drifted = rollup_mismatches(first=today - timedelta(days=days_back), last=today)
    for day in drifted:
        rollup_rebuild(first=day, last=day)
    return drifted

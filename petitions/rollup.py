"""The daily roll-up of items (unit × day × channel × category × purpose × status) the leaders' pages count from.

A trigger (migration 0004) keeps it in step with every write to the item table, in the writer's transaction; the
nightly task compares it with the items and rebuilds any day that drifted.
"""

from __future__ import annotations

from core.rollups import DailyRollUp

ITEM_ROLLUP = DailyRollUp(
    table="petitions_itemdaycount",
    day_column="day",
    key=("unit_id", "day", "channel", "category_id", "purpose", "status"),
    counts=("items", "persons", "collective", "skip_level", "to_beijing", "to_province", "repeats"),
    counts_select="""
        SELECT coalesce(i.responsible_unit_id, i.registered_unit_id) AS unit_id, i.received_on AS day, i.channel,
            i.category_id, i.purpose, i.status,
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
    """,
    span_select="SELECT min(received_on), max(received_on) FROM petitions_item",
)

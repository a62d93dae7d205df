"""The daily roll-ups of items the leaders' pages and the assessment count from.

By day received: unit × registering office × day × channel × category × purpose × status, with 件次, 人次, the four
visit markers and repeats. By day answered: unit × registering office × day × channel, with how many were
answered, evaluated, asked (evaluated or the window lapsed) and content. The unit is the item's 属地单位 (its
responsible unit; for a repeat without one, its original's; otherwise the registering unit). A trigger (migration
0004) keeps both in step with every write to the item table; the nightly task compares them with the items.
"""

from __future__ import annotations

from core.rollups import DailyRollUp

AREA = "coalesce(i.responsible_unit_id, o.responsible_unit_id, i.registered_unit_id)"
WITH_ORIGINAL = "petitions_item i LEFT JOIN petitions_item o ON o.id = i.original_id"

ITEM_ROLLUP = DailyRollUp(
    table="petitions_itemdaycount",
    day_column="day",
    key=("unit_id", "day", "registered_unit_id", "channel", "category_id", "purpose", "status"),
    counts=("items", "persons", "collective", "skip_level", "to_beijing", "to_province", "repeats"),
    counts_select=f"""
        SELECT {AREA} AS unit_id, i.received_on AS day, i.registered_unit_id, i.channel, i.category_id, i.purpose,
            i.status,
            count(*) AS items,
            sum(i.head_count) AS persons,
            count(*) FILTER (WHERE i.markers @> ARRAY['collective']::varchar[]) AS collective,
            count(*) FILTER (WHERE i.markers @> ARRAY['skip_level']::varchar[]) AS skip_level,
            count(*) FILTER (WHERE i.markers @> ARRAY['to_beijing']::varchar[]) AS to_beijing,
            count(*) FILTER (WHERE i.markers @> ARRAY['to_province']::varchar[]) AS to_province,
            count(*) FILTER (WHERE i.original_id IS NOT NULL) AS repeats
        FROM {WITH_ORIGINAL}
        WHERE i.received_on BETWEEN %(first)s AND %(last)s
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT min(received_on), max(received_on) FROM petitions_item",
)

REPLY_ROLLUP = DailyRollUp(
    table="petitions_itemreplycount",
    day_column="day",
    key=("unit_id", "day", "registered_unit_id", "channel"),
    counts=("replied", "evaluated", "asked", "content"),
    counts_select=f"""
        SELECT {AREA} AS unit_id, i.replied_on AS day, i.registered_unit_id, i.channel,
            count(*) AS replied,
            count(*) FILTER (WHERE i.evaluated_on IS NOT NULL) AS evaluated,
            count(*) FILTER (WHERE i.evaluated_on IS NOT NULL OR i.close_reason = 'review_window_lapsed') AS asked,
            count(*) FILTER (WHERE i.satisfaction IN ('satisfied', 'basically')) AS content
        FROM {WITH_ORIGINAL}
        WHERE i.replied_on BETWEEN %(first)s AND %(last)s
        GROUP BY 1, 2, 3, 4
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT min(replied_on), max(replied_on) FROM petitions_item",
)

"""The roll-ups of items the leaders' pages and the assessment count from.

By day received: unit × registering office × day × channel × category × purpose × status, with 件次, 人次, the four
visit markers and repeats. By day answered: unit × registering office × day × channel, with how many were
answered, evaluated, asked (evaluated or the window lapsed) and content. The unit is the item's 属地单位 (its
responsible unit; for a repeat without one, its original's; otherwise the registering unit). A trigger (migration
0004) keeps both in step with every write to the item table; the nightly task compares them with the items.

By month, the same counts once more for views of several months: by month received one breakdown per row (see
ItemMonthCount), by month answered with the keys of the daily table. Triggers on the daily tables (migration 0006)
carry every change into its month.
"""

from __future__ import annotations

from core.rollups import DailyRollUp
from petitions.models import Category

AREA = "coalesce(i.responsible_unit_id, o.responsible_unit_id, i.registered_unit_id)"
WITH_ORIGINAL = "petitions_item i LEFT JOIN petitions_item o ON o.id = i.original_id"
# The items whose month (received or answered, `{column}`) starts between %(first)s and %(last)s.
MONTHS_BETWEEN = (
    "i.{column} >= (date_trunc('month', %(first)s::date - 1) + interval '1 month')::date"
    " AND i.{column} < (date_trunc('month', %(last)s::date) + interval '1 month')::date"
)

ITEM_COUNTS = """
    count(*) AS items,
    sum(i.head_count) AS persons,
    count(*) FILTER (WHERE i.markers @> ARRAY['collective']::varchar[]) AS collective,
    count(*) FILTER (WHERE i.markers @> ARRAY['skip_level']::varchar[]) AS skip_level,
    count(*) FILTER (WHERE i.markers @> ARRAY['to_beijing']::varchar[]) AS to_beijing,
    count(*) FILTER (WHERE i.markers @> ARRAY['to_province']::varchar[]) AS to_province,
    count(*) FILTER (WHERE i.original_id IS NOT NULL) AS repeats
"""
REPLY_COUNTS = """
    count(*) AS replied,
    count(*) FILTER (WHERE i.evaluated_on IS NOT NULL) AS evaluated,
    count(*) FILTER (WHERE i.evaluated_on IS NOT NULL OR i.close_reason = 'review_window_lapsed') AS asked,
    count(*) FILTER (WHERE i.satisfaction IN ('satisfied', 'basically')) AS content
"""

ITEM_ROLLUP = DailyRollUp(
    table="petitions_itemdaycount",
    day_column="day",
    key=("unit_id", "day", "registered_unit_id", "channel", "category_id", "purpose", "status"),
    counts=("items", "persons", "collective", "skip_level", "to_beijing", "to_province", "repeats"),
    counts_select=f"""
        SELECT {AREA} AS unit_id, i.received_on AS day, i.registered_unit_id, i.channel, i.category_id, i.purpose,
            i.status, {ITEM_COUNTS}
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
        SELECT {AREA} AS unit_id, i.replied_on AS day, i.registered_unit_id, i.channel, {REPLY_COUNTS}
        FROM {WITH_ORIGINAL}
        WHERE i.replied_on BETWEEN %(first)s AND %(last)s
        GROUP BY 1, 2, 3, 4
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT min(replied_on), max(replied_on) FROM petitions_item",
)

ITEM_MONTH_ROLLUP = DailyRollUp(
    table="petitions_itemmonthcount",
    day_column="month",
    key=("unit_id", "month", "facet", "value"),
    counts=ITEM_ROLLUP.counts,
    counts_select=f"""
        SELECT CASE f.facet WHEN 'registered' THEN i.registered_unit_id ELSE {AREA} END AS unit_id,
            date_trunc('month', i.received_on)::date AS month, f.facet, f.value, {ITEM_COUNTS}
        FROM {WITH_ORIGINAL}
        JOIN petitions_category c ON c.id = i.category_id
        JOIN petitions_category top ON top.path = substr(c.path, 1, {Category.steplen})
        CROSS JOIN LATERAL (VALUES
            ('channel', i.channel), ('purpose', i.purpose), ('category', top.id::text), ('status', i.status),
            ('registered', i.channel)
        ) AS f (facet, value)
        WHERE {MONTHS_BETWEEN.format(column="received_on")}
        GROUP BY 1, 2, 3, 4
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT date_trunc('month', min(received_on))::date, max(received_on) FROM petitions_item",
)

REPLY_MONTH_ROLLUP = DailyRollUp(
    table="petitions_itemreplymonthcount",
    day_column="month",
    key=("unit_id", "month", "registered_unit_id", "channel"),
    counts=REPLY_ROLLUP.counts,
    counts_select=f"""
        SELECT {AREA} AS unit_id, date_trunc('month', i.replied_on)::date AS month, i.registered_unit_id, i.channel,
            {REPLY_COUNTS}
        FROM {WITH_ORIGINAL}
        WHERE {MONTHS_BETWEEN.format(column="replied_on")}
        GROUP BY 1, 2, 3, 4
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT date_trunc('month', min(replied_on))::date, max(replied_on) FROM petitions_item",
)

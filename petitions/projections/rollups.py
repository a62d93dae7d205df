"""The roll-ups of items the leaders' pages and the assessment count from.

By day received: unit × registering office × day × channel × category × purpose × status, with 件次, 人次, the four
visit markers and repeats. By day answered: unit × registering office × day × channel, with how many were
answered, evaluated, asked (evaluated or the window lapsed) and content. The unit is the item's 属地单位
(petitions/projections/counting_unit.py). A trigger (migration 0004, counting through the functions of migration
0014) keeps both in step with every write to the item table; the nightly task compares them with the items.

By month, the same counts once more for views of several months: by month received one breakdown per row (see
ItemMonthCount), by month answered with the keys of the daily table. Triggers on the daily tables (migration 0006)
carry every change into its month.
"""

from __future__ import annotations

from core.rollups import DailyRollUp
from petitions.projections.counting_unit import ITEM_COUNTING_UNIT, ITEM_WITH_ORIGINAL

# What one item adds to the roll-ups is defined once, in the database (migration 0014), and read here the way the
# trigger reads it: each item's row by day received (`r`), by day answered (`a`, none before it is answered), and
# the monthly rows (`f`) a row by day received counts in.
DAY_ROWS = f"{ITEM_WITH_ORIGINAL} CROSS JOIN LATERAL petitions_item_day_row(i, {ITEM_COUNTING_UNIT}) r"
REPLY_ROWS = f"{ITEM_WITH_ORIGINAL} CROSS JOIN LATERAL petitions_item_reply_row(i, {ITEM_COUNTING_UNIT}) a"
MONTH_ROWS = (
    f"{DAY_ROWS} CROSS JOIN LATERAL petitions_item_month_facets("
    "r.unit_id, r.registered_unit_id, r.day, r.channel, r.category_id, r.purpose, r.status) f"
)
ITEM_COUNTS = ("items", "persons", "collective", "skip_level", "to_beijing", "to_province", "repeats")
REPLY_COUNTS = ("replied", "evaluated", "asked", "content")
# The rows whose month (received or answered, `{day}`) starts between %(first)s and %(last)s.
MONTHS_BETWEEN = (
    "{day} >= (date_trunc('month', %(first)s::date - 1) + interval '1 month')::date"
    " AND {day} < (date_trunc('month', %(last)s::date) + interval '1 month')::date"
)


def _sums(alias: str, counts: tuple[str, ...]) -> str:
    return ", ".join(f"sum({alias}.{column}) AS {column}" for column in counts)


ITEM_ROLLUP = DailyRollUp(
    table="petitions_itemdaycount",
    day_column="day",
    key=("unit_id", "day", "registered_unit_id", "channel", "category_id", "purpose", "status"),
    counts=ITEM_COUNTS,
    counts_select=f"""
        SELECT r.unit_id, r.day, r.registered_unit_id, r.channel, r.category_id, r.purpose, r.status,
            {_sums("r", ITEM_COUNTS)}
        FROM {DAY_ROWS}
        WHERE r.day BETWEEN %(first)s AND %(last)s
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT min(received_on), max(received_on) FROM petitions_item",
)

REPLY_ROLLUP = DailyRollUp(
    table="petitions_itemreplycount",
    day_column="day",
    key=("unit_id", "day", "registered_unit_id", "channel"),
    counts=REPLY_COUNTS,
    counts_select=f"""
        SELECT a.unit_id, a.day, a.registered_unit_id, a.channel, {_sums("a", REPLY_COUNTS)}
        FROM {REPLY_ROWS}
        WHERE a.day BETWEEN %(first)s AND %(last)s
        GROUP BY 1, 2, 3, 4
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT min(replied_on), max(replied_on) FROM petitions_item",
)

ITEM_MONTH_ROLLUP = DailyRollUp(
    table="petitions_itemmonthcount",
    day_column="month",
    key=("unit_id", "month", "facet", "value"),
    counts=ITEM_COUNTS,
    counts_select=f"""
        SELECT f.unit_id, f.month, f.facet, f.value, {_sums("r", ITEM_COUNTS)}
        FROM {MONTH_ROWS}
        WHERE {MONTHS_BETWEEN.format(day="r.day")}
        GROUP BY 1, 2, 3, 4
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT date_trunc('month', min(received_on))::date, max(received_on) FROM petitions_item",
)

REPLY_MONTH_ROLLUP = DailyRollUp(
    table="petitions_itemreplymonthcount",
    day_column="month",
    key=("unit_id", "month", "registered_unit_id", "channel"),
    counts=REPLY_COUNTS,
    counts_select=f"""
        SELECT a.unit_id, date_trunc('month', a.day)::date AS month, a.registered_unit_id, a.channel,
            {_sums("a", REPLY_COUNTS)}
        FROM {REPLY_ROWS}
        WHERE {MONTHS_BETWEEN.format(day="a.day")}
        GROUP BY 1, 2, 3, 4
    """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
    span_select="SELECT date_trunc('month', min(replied_on))::date, max(replied_on) FROM petitions_item",
)

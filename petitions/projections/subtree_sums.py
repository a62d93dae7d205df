"""Sums of the monthly roll-up of items per unit subtree, refreshed for the months that changed.

The monthly roll-up (ItemMonthCount) counts items at the unit they belong to; a city's view of a year would still
add up every unit's rows. ItemSubtreeMonthCount holds each unit's months already summed over its subtree. Triggers
name every month whose monthly rows changed (ItemMonthChange); `subtree_months_refresh` sums those months again and
deletes their names in the same transaction. Readers take the named months from the monthly roll-up instead, so
what they show is exact whether or not the refresh has run.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from core.models import Unit

REFRESH_LOCK = 0x58460001  # one refresh at a time: a slower, older sum must never overwrite a newer one

# A unit's ancestors (itself included) are the units whose paths are its path's first 1, 2, … depth steps.
SUM_MONTH_SQL = """
INSERT INTO petitions_itemsubtreemonthcount (
    unit_id, month, facet, value, items, persons, collective, skip_level, to_beijing, to_province, repeats
)
SELECT a.id, m.month, m.facet, m.value, sum(m.items), sum(m.persons), sum(m.collective), sum(m.skip_level),
       sum(m.to_beijing), sum(m.to_province), sum(m.repeats)
FROM petitions_itemmonthcount m
JOIN core_unit u ON u.id = m.unit_id
CROSS JOIN LATERAL generate_series(1, u.depth) AS step
JOIN core_unit a ON a.path = substr(u.path, 1, step * %(steplen)s)
WHERE m.month = %(month)s AND m.facet <> 'registered'
GROUP BY 1, 2, 3, 4
HAVING sum(m.items) <> 0
ORDER BY 1, 3, 4  -- a unit's rows of the month side by side on disk
"""


def months_changed(first: date | None = None, last: date | None = None) -> list[date]:
    """The months (between `first` and `last`, when given) whose subtree sums are due again."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT month FROM petitions_itemmonthchange
            WHERE (%(first)s::date IS NULL OR month >= %(first)s) AND (%(last)s::date IS NULL OR month <= %(last)s)
            ORDER BY 1
            """,
            {"first": first, "last": last},
        )
        return [row[0] for row in cursor.fetchall()]


def subtree_months_refresh() -> list[date]:
    """Sum every changed month again, one transaction per month; returns the months summed.

    The names of a month are deleted before it is summed, so a change committed meanwhile either is in the sum or
    leaves its name behind for the next refresh; a change not yet committed always leaves its name.
    """
    refreshed = months_changed()
    for month in refreshed:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            cursor.execute("DELETE FROM petitions_itemmonthchange WHERE month = %s", [month])
            cursor.execute("DELETE FROM petitions_itemsubtreemonthcount WHERE month = %s", [month])
            cursor.execute(SUM_MONTH_SQL, {"month": month, "steplen": Unit.steplen})
    return refreshed

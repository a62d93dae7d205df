"""The petition measures of the assessment (domain rules §7), registered with accountability's measure list.

Every measure here is counted per item, so it follows the period's basis (the unit an item counts under) and its
channel filter; each is still one SQL statement for all the units asked about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accountability.measures import (
    Basis,
    Measure,
    MeasureProvider,
    Period,
    channels_register,
    grouped_counts,
    measure_register,
)
from core.models import Unit
from core.rollups import MonthSplit
from petitions.choices import ACCEPTANCE_CLOCK, HANDLING, ITEM_SUBJECT, Channel
from petitions.models import MonthFacet

# How an item's clocks reach the unit they count under. By responsible unit a clock counts for the unit it was
# opened for (the responsible unit at the time); by registering office it counts for the item's registered unit.
CLOCK_SOURCES = {
    Basis.RESPONSIBLE: """
        JOIN accountability_deadline d ON d.unit_id = u.id
        LEFT JOIN petitions_item i ON d.subject_type = %(subject)s AND i.id = d.subject_id
    """,
    Basis.REGISTERED: """
        JOIN petitions_item i ON i.registered_unit_id = u.id
        JOIN accountability_deadline d ON d.subject_type = %(subject)s AND d.subject_id = i.id
    """,
}

# The on-time measure by responsible unit over every channel, read from the daily roll-up of clocks.
ROLLED_UP_CLOCKS = """
    SELECT g.id,
        sum(r.clocks) FILTER (WHERE r.status = 'met_on_time'),
        sum(r.clocks) FILTER (WHERE r.status IN ('met_on_time', 'met_late', 'missed')
                              OR (r.status = 'open' AND r.due_on < %(today)s))
    FROM {subtree}
    JOIN accountability_deadlinedaycount r ON r.unit_id = u.id
    WHERE r.kind = %(kind)s AND r.due_on BETWEEN %(start)s AND %(end)s
    GROUP BY g.id
"""

# The roll-ups of items keep both units an item can count under, and its channel. By responsible unit an item
# counts for its 属地单位: a repeat has no responsible unit of its own, so it counts against the unit answering for
# its original; an item nobody has been assigned yet stays with the office that registered it.
ROLLED_UP_UNIT = {Basis.RESPONSIBLE: "unit_id", Basis.REGISTERED: "registered_unit_id"}
ROLLED_UP_CHANNEL_KEPT = "(%(channels)s::text[] IS NULL OR r.channel = ANY(%(channels)s::text[]))"

CHANNEL_KEPT = "(%(channels)s::text[] IS NULL OR i.channel = ANY(%(channels)s::text[]))"


def _scoped(sql: str, period: Period) -> str:
    """Fill in `{clocks}` and `{channel}` for the period's basis (constants of this module only)."""
    return sql.replace("{clocks}", CLOCK_SOURCES[Basis(period.basis)]).replace("{channel}", CHANNEL_KEPT)


def _params(period: Period, **extra: Any) -> dict[str, Any]:
    return {
        "subject": ITEM_SUBJECT,
        "start": period.start,
        "end": period.end,
        "today": period.today,
        "channels": period.channel_filter,
        **extra,
    }


def item_clock_measure(code: str, label: str, kind: str, formula: str) -> MeasureProvider:
    """On time ÷ (on time + late + missed + still open past due), over the items' `kind` clocks due in the period."""

    def provide(units: Sequence[Unit], period: Period) -> dict[int, list[Measure]]:
        if period.basis == Basis.RESPONSIBLE and period.channel_filter is None:
            # Every clock counts for its own unit: the daily roll-up of clocks has the same numbers, far fewer rows.
            sql = ROLLED_UP_CLOCKS
        else:
            sql = _scoped(
                """
                SELECT g.id,
                    count(*) FILTER (WHERE d.status = 'met_on_time'),
                    count(*) FILTER (WHERE d.status IN ('met_on_time', 'met_late', 'missed')
                                     OR (d.status = 'open' AND d.due_on < %(today)s))
                FROM {subtree}
                {clocks}
                WHERE d.kind = %(kind)s AND d.due_on BETWEEN %(start)s AND %(end)s AND {channel}
                GROUP BY g.id
                """,
                period,
            )
        counts = grouped_counts(sql, units, _params(period, kind=kind))
        result = {}
        for unit in units:
            on_time, due = counts.get(unit.pk, (0, 0))
            result[unit.pk] = [Measure(code, label, on_time, due, formula=formula, item_based=True)]
        return result

    return provide


# Items answered (for the evaluation measures) and received (for the repeat rate) in the period, per unit and
# channel: whole months from the monthly roll-ups, the days before and after them from the daily ones.
ANSWERED = """
    SELECT {unit} AS unit_id, channel, evaluated, asked, content FROM petitions_itemreplycount
    WHERE day BETWEEN %(head_first)s AND %(head_last)s OR day BETWEEN %(tail_first)s AND %(tail_last)s
    UNION ALL
    SELECT {unit}, channel, evaluated, asked, content FROM petitions_itemreplymonthcount
    WHERE month BETWEEN %(months_first)s AND %(months_last)s
"""
RECEIVED = """
    SELECT {unit} AS unit_id, channel, repeats, items FROM petitions_itemdaycount
    WHERE day BETWEEN %(head_first)s AND %(head_last)s OR day BETWEEN %(tail_first)s AND %(tail_last)s
    UNION ALL
    SELECT unit_id, value, repeats, items FROM petitions_itemmonthcount
    WHERE facet = %(facet)s AND month BETWEEN %(months_first)s AND %(months_last)s
"""
# The facet of the monthly roll-up that counts items by channel at the unit of each basis.
RECEIVED_FACET = {Basis.RESPONSIBLE: MonthFacet.CHANNEL, Basis.REGISTERED: MonthFacet.REGISTERED}


def evaluation_measures(units: Sequence[Unit], period: Period) -> dict[int, list[Measure]]:
    """参评率 and 满意率 of the items replied to in the period, 重复信访率 of the items received in it.

    All come from the roll-ups of items, which carry the 属地单位 and the registering office of every item.
    """
    basis = Basis(period.basis)
    params = _params(period, **MonthSplit.of(period.start, period.end).params(), facet=RECEIVED_FACET[basis])
    evaluated = grouped_counts(
        f"""
        SELECT g.id, sum(r.evaluated), sum(r.asked), sum(r.content)
        FROM {{subtree}}
        JOIN ({ANSWERED.format(unit=ROLLED_UP_UNIT[basis])}) r ON r.unit_id = u.id
        WHERE {ROLLED_UP_CHANNEL_KEPT}
        GROUP BY g.id
        """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
        units,
        params,
    )
    repeats = grouped_counts(
        f"""
        SELECT g.id, sum(r.repeats), sum(r.items)
        FROM {{subtree}}
        JOIN ({RECEIVED.format(unit=ROLLED_UP_UNIT[basis])}) r ON r.unit_id = u.id
        WHERE {ROLLED_UP_CHANNEL_KEPT}
        GROUP BY g.id
        """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
        units,
        params,
    )
    result: dict[int, list[Measure]] = {}
    for unit in units:
        took_part, asked, content = evaluated.get(unit.pk, (0, 0, 0))
        repeated, received = repeats.get(unit.pk, (0, 0))
        result[unit.pk] = [
            Measure(
                "participation",
                "参评率",
                took_part,
                asked,
                formula="已评价 ÷（已评价 + 评价期满未评价）",
                item_based=True,
            ),
            Measure(
                "satisfaction",
                "满意率",
                content,
                took_part,
                formula="（满意 + 基本满意）÷ 已评价",
                item_based=True,
            ),
            Measure("repeat", "重复信访率", repeated, received, formula="重复件 ÷ 信访件", item_based=True),
        ]
    return result


def register_measures() -> None:
    """及时受理率 and 按期办结率 on the item clocks, then the evaluation and repeat measures, and the channels."""
    channels_register(Channel.choices)
    measure_register(
        "petitions.acceptance",
        item_clock_measure("timely_acceptance", "及时受理率", ACCEPTANCE_CLOCK, "按期受理 ÷ 应受理"),
        order=10,
    )
    measure_register(
        "petitions.handling",
        item_clock_measure(
            "on_time_closing", "按期办结率", HANDLING, "按期办结 ÷（按期办结 + 超期办结 + 超期未办结）"
        ),
        order=20,
    )
    measure_register("petitions.evaluation", evaluation_measures, order=30)

"""The petition measures of the assessment (domain rules §7), registered with accountability's measure list."""

from __future__ import annotations

from collections.abc import Sequence

from accountability.measures import (
    Measure,
    Period,
    deadline_on_time_measure,
    grouped_counts,
    measure_register,
)
from core.models import Unit
from petitions.choices import ACCEPTANCE, HANDLING, ITEM_SUBJECT, REVIEW_WINDOW, Satisfaction


def evaluation_measures(units: Sequence[Unit], period: Period) -> dict[int, list[Measure]]:
    """参评率 and 满意率 of the items the subtree answered, 重复信访率 of the items it registered."""
    evaluated = grouped_counts(
        """
        SELECT g.id,
            count(*) FILTER (WHERE i.evaluated_on IS NOT NULL),
            count(*) FILTER (WHERE i.evaluated_on IS NOT NULL OR EXISTS (
                SELECT 1 FROM accountability_deadline w
                WHERE w.subject_type = %(subject)s AND w.subject_id = i.id
                  AND w.kind = %(window)s AND w.status = 'lapsed')),
            count(*) FILTER (WHERE i.satisfaction IN %(content)s)
        FROM {subtree}
        JOIN petitions_item i ON i.responsible_unit_id = u.id
        WHERE i.replied_on BETWEEN %(start)s AND %(end)s
        GROUP BY g.id
        """,
        units,
        {
            "subject": ITEM_SUBJECT,
            "window": REVIEW_WINDOW,
            "content": (Satisfaction.SATISFIED, Satisfaction.BASICALLY),
            "start": period.start,
            "end": period.end,
        },
    )
    repeats = grouped_counts(
        """
        SELECT g.id, count(*) FILTER (WHERE i.original_id IS NOT NULL), count(*)
        FROM {subtree}
        JOIN petitions_item i ON i.registered_unit_id = u.id
        WHERE i.received_on BETWEEN %(start)s AND %(end)s
        GROUP BY g.id
        """,
        units,
        {"start": period.start, "end": period.end},
    )
    result: dict[int, list[Measure]] = {}
    for unit in units:
        took_part, asked, content = evaluated.get(unit.pk, (0, 0, 0))
        repeated, registered = repeats.get(unit.pk, (0, 0))
        result[unit.pk] = [
            Measure(
                "participation", "参评率", took_part, asked, formula="已评价 ÷（已评价 + 评价期满未评价）"
            ),
            Measure("satisfaction", "满意率", content, took_part, formula="（满意 + 基本满意）÷ 已评价"),
            Measure("repeat", "重复信访率", repeated, registered, formula="重复件 ÷ 登记件"),
        ]
    return result


def register_measures() -> None:
    """及时受理率 and 按期办结率 on the petition clocks, then the evaluation and repeat measures."""
    measure_register(
        "petitions.acceptance",
        deadline_on_time_measure("timely_acceptance", "及时受理率", [ACCEPTANCE], "按期受理 ÷ 应受理"),
        order=10,
    )
    measure_register(
        "petitions.handling",
        deadline_on_time_measure(
            "on_time_closing", "按期办结率", [HANDLING], "按期办结 ÷（按期办结 + 超期办结 + 超期未办结）"
        ),
        order=20,
    )
    measure_register("petitions.evaluation", evaluation_measures, order=30)

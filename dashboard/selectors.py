"""Reads of the leaders' pages, always starting from what the user's unit subtree allows."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accountability.choices import LadderStep
from core.choices import Role
from core.models import Unit, User
from core.selectors import AnyUser, unit_qs_visible_to
from dashboard.models import WeeklyBulletin
from ledger.models import ScreeningRound
from petitions.choices import ITEM_SUBJECT
from petitions.projections.counting_unit import ITEM_COUNTING_UNIT, ITEM_WITH_ORIGINAL

# Every unit of the bulletin unit's subtree, mapped to the row it is counted in: the child whose subtree holds
# it, or the bulletin unit itself (its own row, 本级). substr() of the bulletin unit's own path is that path.
_GROUPS = """
WITH grp AS (
    SELECT u.id AS unit_id, c.id AS group_id
    FROM core_unit u JOIN core_unit c ON c.path = substr(u.path, 1, %(child_len)s)
    WHERE u.path LIKE %(prefix)s
)
"""

# Items by the unit they belong to on the leaders' pages (属地单位, petitions/projections/counting_unit.py), as the
# item list's 属地 filter (petitions.filters.ItemFilter.filter_area) selects them.
ITEM_COLUMNS = ("new_count", "new_people", "closed_count", "closed_people")
_ITEMS_SQL = f"""
SELECT g.group_id,
    count(*) FILTER (WHERE i.received_on BETWEEN %(start)s AND %(end)s),
    coalesce(sum(i.head_count) FILTER (WHERE i.received_on BETWEEN %(start)s AND %(end)s), 0),
    count(*) FILTER (WHERE i.closed_on BETWEEN %(start)s AND %(end)s),
    coalesce(sum(i.head_count) FILTER (WHERE i.closed_on BETWEEN %(start)s AND %(end)s), 0)
FROM {ITEM_WITH_ORIGINAL}
JOIN grp g ON g.unit_id = {ITEM_COUNTING_UNIT}
WHERE i.received_on BETWEEN %(start)s AND %(end)s OR i.closed_on BETWEEN %(start)s AND %(end)s
GROUP BY ROLLUP (g.group_id)
"""  # noqa: S608  # nosec B608  # constants only; values are parameters

# An obligation clock is overdue on day D when it is still open and its due date is before D. At the close of the
# week (D = the Monday after it) that is due_on <= week end; it turned overdue during the week when it was not
# overdue on its Monday (due_on >= week start).
CLOCK_COLUMNS = ("clocks_overdue", "clocks_new")
_CLOCKS_SQL = """
SELECT g.group_id, count(*), count(*) FILTER (WHERE d.due_on >= %(start)s)
FROM accountability_deadline d
JOIN accountability_deadlinerule r ON r.kind = d.kind AND r.is_obligation
JOIN grp g ON g.unit_id = d.unit_id
WHERE d.status = 'open' AND d.due_on <= %(end)s
GROUP BY ROLLUP (g.group_id)
"""

# Items with an overdue obligation clock, by 属地: what the item list shows with ?area=…&overdue=true on the Monday.
OVERDUE_ITEM_COLUMNS = ("items_overdue",)
_OVERDUE_ITEMS_SQL = f"""
SELECT g.group_id, count(*)
FROM {ITEM_WITH_ORIGINAL}
JOIN grp g ON g.unit_id = {ITEM_COUNTING_UNIT}
WHERE i.id IN (
    SELECT d.subject_id FROM accountability_deadline d
    JOIN accountability_deadlinerule r ON r.kind = d.kind AND r.is_obligation
    WHERE d.subject_type = %(item_subject)s AND d.status = 'open' AND d.due_on <= %(end)s
)
GROUP BY ROLLUP (g.group_id)
"""  # noqa: S608  # nosec B608  # constants only; values are parameters

# Key cases (by responsible unit) put on the ledger, reported on or changing status during the week. A status
# change is a progress report that moved it, or a strike-off decision (approved: 已销号; refused: back to 化解中).
_CASES_CHANGED = """
, progress AS (
    SELECT case_id, count(*) AS reports, count(*) FILTER (WHERE status_after <> status_before) AS moves
    FROM ledger_progressreport WHERE reported_on BETWEEN %(start)s AND %(end)s GROUP BY case_id
), decisions AS (
    SELECT case_id, count(*) AS decided FROM ledger_strikeoffrequest
    WHERE decided_on BETWEEN %(start)s AND %(end)s AND state IN ('approved', 'refused') GROUP BY case_id
), changed AS (
    SELECT k.id, g.group_id, k.opened_on BETWEEN %(start)s AND %(end)s AS is_new,
        coalesce(p.reports, 0) AS reports, coalesce(p.moves, 0) + coalesce(s.decided, 0) AS moves
    FROM ledger_keycase k
    JOIN grp g ON g.unit_id = k.responsible_unit_id
    LEFT JOIN progress p ON p.case_id = k.id
    LEFT JOIN decisions s ON s.case_id = k.id
    WHERE k.opened_on BETWEEN %(start)s AND %(end)s OR p.case_id IS NOT NULL OR s.case_id IS NOT NULL
)
"""
CASE_COLUMNS = ("cases_new", "cases_reported", "cases_moved")
_CASE_COUNTS_SQL = """
SELECT group_id, count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE reports > 0),
    count(*) FILTER (WHERE moves > 0)
FROM changed GROUP BY ROLLUP (group_id)
"""
CASE_LIST_LIMIT = 200
_CASE_LIST_SQL = """
SELECT k.id, k.number, k.title, ru.name, o.full_name, k.status, k.risk_level, c.is_new, c.reports, c.moves
FROM changed c
JOIN ledger_keycase k ON k.id = c.id
JOIN core_unit ru ON ru.id = k.responsible_unit_id
JOIN core_user o ON o.id = k.owner_id
ORDER BY ru.path, k.number
LIMIT %(limit)s
"""

# Reports due in the rounds that start in the week, by the unit that owes them, as they stand when generated.
SCREENING_COLUMNS = ("reports_due", "reports_on_time", "reports_late", "reports_missing")
_SCREENING_SQL = """
SELECT g.group_id, count(*), count(*) FILTER (WHERE rp.state = 'filed'),
    count(*) FILTER (WHERE rp.state = 'filed_late'), count(*) FILTER (WHERE rp.state = 'pending')
FROM ledger_screeningreport rp
JOIN ledger_screeninground rd ON rd.id = rp.round_id
JOIN grp g ON g.unit_id = rp.unit_id
WHERE rd.period_start BETWEEN %(start)s AND %(end)s
GROUP BY ROLLUP (g.group_id)
"""

ESCALATION_COLUMNS = tuple(LadderStep.values)  # the order of the FILTER columns below
_ESCALATIONS_SQL = """
SELECT g.group_id,
    count(*) FILTER (WHERE s.step = 'warning'), count(*) FILTER (WHERE s.step = 'overdue'),
    count(*) FILTER (WHERE s.step = 'supervision'), count(*) FILTER (WHERE s.step = 'circular'),
    count(*) FILTER (WHERE s.step = 'summons')
FROM accountability_escalation e
JOIN accountability_escalationstep s ON s.id = e.step_id
JOIN grp g ON g.unit_id = e.unit_id
WHERE e.reached_on BETWEEN %(start)s AND %(end)s
GROUP BY ROLLUP (g.group_id)
"""

ORDER_COLUMNS = ("orders_issued",)
_ORDERS_SQL = """
SELECT g.group_id, count(*)
FROM accountability_supervisionorder o
JOIN grp g ON g.unit_id = o.unit_id
WHERE o.issued_on BETWEEN %(start)s AND %(end)s
GROUP BY ROLLUP (g.group_id)
"""


def _grouped(sql: str, columns: tuple[str, ...], params: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Run one grouped statement; rows keyed by the group's unit id as text, the ROLLUP total under "total"."""
    with connection.cursor() as cursor:
        cursor.execute(_GROUPS + sql, params)
        found = {}
        for group_id, *values in cursor.fetchall():
            key = "total" if group_id is None else str(group_id)
            found[key] = {column: int(value or 0) for column, value in zip(columns, values, strict=True)}
    return found


def _rows(found: dict[str, dict[str, int]], groups: list[dict[str, Any]], columns: tuple[str, ...]) -> dict:
    zero = dict.fromkeys(columns, 0)
    return {
        "rows": [{"unit_id": group["id"], **found.get(str(group["id"]), zero)} for group in groups],
        "total": found.get("total", zero),
    }


def bulletin_groups(unit: Unit) -> list[dict[str, Any]]:
    """The rows of a bulletin: each direct sub-unit in tree order, then the unit itself (本级)."""
    children = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    rows = [{"id": child.pk, "name": child.name, "code": child.code, "own": False} for child in children]
    return [*rows, {"id": unit.pk, "name": unit.name, "code": unit.code, "own": True}]


def bulletin_compute(*, unit: Unit, start: date, end: date) -> dict[str, Any]:
    """Every number of the bulletin of `unit`'s subtree for the week `start`–`end`: one statement per table."""
    groups = bulletin_groups(unit)
    params = {
        "prefix": unit.path + "%",
        "child_len": len(unit.path) + Unit.steplen,
        "start": start,
        "end": end,
        "item_subject": ITEM_SUBJECT,
        "limit": CASE_LIST_LIMIT,
    }
    clocks = _grouped(_CLOCKS_SQL, CLOCK_COLUMNS, params)
    overdue_items = _grouped(_OVERDUE_ITEMS_SQL, OVERDUE_ITEM_COLUMNS, params)
    overdue = {
        key: {
            **clocks.get(key, dict.fromkeys(CLOCK_COLUMNS, 0)),
            **overdue_items.get(key, {"items_overdue": 0}),
        }
        for key in {*clocks, *overdue_items}
    }
    escalations = _grouped(_ESCALATIONS_SQL, ESCALATION_COLUMNS, params)
    orders = _grouped(_ORDERS_SQL, ORDER_COLUMNS, params)
    ladder = {
        key: {
            **escalations.get(key, dict.fromkeys(ESCALATION_COLUMNS, 0)),
            **orders.get(key, {"orders_issued": 0}),
        }
        for key in {*escalations, *orders}
    }
    with connection.cursor() as cursor:
        cursor.execute(_GROUPS + _CASES_CHANGED + _CASE_LIST_SQL, params)
        cases = [
            {
                "id": row[0],
                "number": row[1],
                "title": row[2],
                "responsible_unit": row[3],
                "owner": row[4],
                "status": row[5],
                "risk_level": row[6],
                "is_new": bool(row[7]),
                "reports": int(row[8]),
                "moves": int(row[9]),
            }
            for row in cursor.fetchall()
        ]
    rounds = ScreeningRound.objects.filter(period_start__range=(start, end)).order_by(
        "period_start", "frequency"
    )
    return {
        "version": 1,
        "unit": {"id": unit.pk, "name": unit.name, "code": unit.code},
        "week": {"start": start.isoformat(), "end": end.isoformat()},
        "groups": groups,
        "items": _rows(_grouped(_ITEMS_SQL, ITEM_COLUMNS, params), groups, ITEM_COLUMNS),
        "overdue": _rows(overdue, groups, CLOCK_COLUMNS + OVERDUE_ITEM_COLUMNS),
        "key_cases": {
            **_rows(_grouped(_CASES_CHANGED + _CASE_COUNTS_SQL, CASE_COLUMNS, params), groups, CASE_COLUMNS),
            "cases": cases,
            "limit": CASE_LIST_LIMIT,
        },
        "screening": {
            **_rows(_grouped(_SCREENING_SQL, SCREENING_COLUMNS, params), groups, SCREENING_COLUMNS),
            "rounds": [
                {
                    "frequency": round_.frequency,
                    "label": str(round_.get_frequency_display()),
                    "period_start": round_.period_start.isoformat(),
                    "period_end": round_.period_end.isoformat(),
                }
                for round_ in rounds
            ],
        },
        "escalations": _rows(ladder, groups, ESCALATION_COLUMNS + ORDER_COLUMNS),
    }


def bulletin_units_missing(*, week_start: date, root: Unit | None = None) -> QuerySet[Unit]:
    """Active units with sub-units (in `root`'s subtree when given) that have no bulletin for the week yet."""
    has_child = Unit.objects.filter(path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1)
    units = Unit.objects.filter(Exists(has_child), is_active=True)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    done = WeeklyBulletin.objects.filter(week_start=week_start).values("unit_id")
    return units.exclude(pk__in=done).order_by("path")


def bulletins_for_user(user: AnyUser) -> QuerySet[WeeklyBulletin]:
    """Bulletins of units in the user's subtree, newest week first."""
    return (
        WeeklyBulletin.objects.filter(unit__in=unit_qs_visible_to(user))
        .select_related("unit", "generated_by")
        .order_by("-week_start", "unit__path")
    )


def bulletin_get_for_user(user: AnyUser, bulletin_id: int) -> WeeklyBulletin:
    """One bulletin of a unit in the user's subtree, or 404."""
    found = bulletins_for_user(user).filter(pk=bulletin_id).first()
    if found is None:
        raise Http404
    return found


def bulletin_user_may_generate(user: User) -> bool:
    """Leaders and supervisors may generate last week's bulletins of their subtree at once."""
    return user.has_role(Role.LEADER, Role.SUPERVISOR)

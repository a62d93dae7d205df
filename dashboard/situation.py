"""The numbers of the leader dashboard for one unit subtree and period, read in a few set-based statements.

Item counts come from the roll-ups of items (whole months from petitions_itemmonthcount, the days around them from
petitions_itemdaycount), the current workload from the open clocks, key cases and reports from the ledger. Every
count keeps the item-list filters that reproduce it (`Figure.query`), so the page links each number to the list
the clerks use and the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Q

from accountability.measures import Measure, Period, measures_for
from core.models import Unit
from core.rollups import MonthSplit
from ledger.choices import CaseStatus, ReportState
from ledger.models import DailyReport, KeyCase, ScreeningReport
from ledger.selectors import periods_running
from petitions.choices import ITEM_SUBJECT, OPEN_STATUSES, Channel, Marker, Purpose, Status
from petitions.models import Category
from petitions.projections.subtree_sums import months_changed

DUE_SOON_DAYS = 3  # "due soon" on the dashboard: an open clock due today or within the next three days


@dataclass(frozen=True)
class Figure:
    """One number and the item-list filters that list the items behind it (empty when no list applies)."""

    label: str
    value: int
    previous: int | None = None
    query: tuple[tuple[str, str], ...] = ()

    @property
    def query_string(self) -> str:
        """The item-list query that lists the items behind this number."""
        return urlencode(self.query)

    @property
    def change(self) -> float | None:
        """Year-on-year change in percent (同比), or None without a base."""
        if self.previous is None or self.previous == 0:
            return None
        return round(100 * (self.value - self.previous) / self.previous, 1)


@dataclass(frozen=True)
class ChildRow:
    """A unit one level down: what it received, its workload now and its on-time closing rate."""

    unit: Unit
    received: Figure
    overdue: Figure
    on_time: Measure | None


@dataclass
class Situation:
    """Everything the dashboard shows for one unit subtree and period."""

    unit: Unit
    period: Period
    previous_start: date
    previous_end: date
    trend_unit: str
    totals: list[Figure] = field(default_factory=list)
    by_channel: list[Figure] = field(default_factory=list)
    by_category: list[Figure] = field(default_factory=list)
    by_purpose: list[Figure] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)
    workload: list[Figure] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    own: ChildRow | None = None  # 本级: what belongs to the unit itself rather than to a unit below it
    measures: list[Measure] = field(default_factory=list)
    cases_by_status: list[Figure] = field(default_factory=list)
    cases_by_owner: list[Figure] = field(default_factory=list)
    screening: list[Figure] = field(default_factory=list)
    sensitive: dict[str, Any] | None = None


def same_days_last_year(day: date) -> date:
    """The same calendar day a year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# The two years the dashboard compares, each as the whole months inside it and the days before and after them
# (see core.rollups.MonthSplit). Last year's days move forward a year so both years fall into the same trend buckets.
YEARS = """
units AS (
    SELECT id, substr(path, 1, %(child_length)s) AS child_path FROM core_unit WHERE path LIKE %(prefix)s
),
years AS (
    SELECT true AS current, interval '0' AS shift,
           %(months_first)s::date AS months_first, %(months_last)s::date AS months_last,
           %(head_first)s::date AS head_first, %(head_last)s::date AS head_last,
           %(tail_first)s::date AS tail_first, %(tail_last)s::date AS tail_last
    UNION ALL
    SELECT false, interval '1 year', %(previous_months_first)s, %(previous_months_last)s,
           %(previous_head_first)s, %(previous_head_last)s, %(previous_tail_first)s, %(previous_tail_last)s
)
"""

COUNTS = ("items", "persons", "collective", "skip_level", "to_beijing", "to_province", "repeats")
SUMS = ", ".join(f"sum({count}) AS {count}" for count in COUNTS)

# The daily roll-up rows on the days outside whole months: before and after them, in this period and the same period
# last year. Each range is written into the query as its own dates, so PostgreSQL estimates it from the column's
# statistics and reads it as a range of the key's (unit, day) per unit; ranges taken from a joined list of dates
# looked large to the planner, which then read the whole table (a county's year: 125–165 ms, now 11–14 ms).
DAY_RANGES = """
SELECT true AS current, interval '0' AS shift, d.* FROM petitions_itemdaycount d
WHERE d.day BETWEEN %(head_first)s AND %(head_last)s
UNION ALL
SELECT true, interval '0', d.* FROM petitions_itemdaycount d
WHERE d.day BETWEEN %(tail_first)s AND %(tail_last)s
UNION ALL
SELECT false, interval '1 year', d.* FROM petitions_itemdaycount d
WHERE d.day BETWEEN %(previous_head_first)s AND %(previous_head_last)s
UNION ALL
SELECT false, interval '1 year', d.* FROM petitions_itemdaycount d
WHERE d.day BETWEEN %(previous_tail_first)s AND %(previous_tail_last)s
"""

# One pass over those rows of the subtree, every breakdown at once.
ROLLUP_SQL = f"""
WITH {YEARS},
categories AS (SELECT id, substr(path, 1, %(category_steplen)s) AS top_category FROM petitions_category),
rows AS (
    SELECT r.current, r.channel, r.purpose, r.status, r.items, r.persons, r.collective, r.skip_level,
           r.to_beijing, r.to_province, r.repeats, c.top_category, u.child_path,
           date_trunc(%(trend_unit)s, r.day + r.shift)::date AS bucket
    FROM ({DAY_RANGES}) r
    JOIN units u ON u.id = r.unit_id
    JOIN categories c ON c.id = r.category_id
    WHERE r.items <> 0
)
SELECT GROUPING(channel, purpose, top_category, bucket, child_path, status) AS grouping_id,
       current, channel, purpose, top_category, bucket, child_path, status, {SUMS}
FROM rows
GROUP BY GROUPING SETS (
    (current), (current, channel), (current, purpose), (current, top_category), (current, bucket),
    (current, child_path), (current, status)
)
"""  # noqa: S608  # nosec B608  # constants of this module only; values are parameters

# The whole months, summed per subtree ahead of time (petitions.projections.subtree_sums): the viewed unit's own
# rows, one breakdown per row (its facet), by value, by trend bucket and in all, and its units one level down in all.
# Every item has one row per facet, so the channel facet's sums are the totals. Months changed since they were summed
# are left out here and read by MONTHLY_SQL.
SUBTREE_SQL = f"""
WITH {YEARS},
viewed AS (
    SELECT id, id = %(unit)s AS own, substr(path, 1, %(child_length)s) AS child_path FROM core_unit
    WHERE id = %(unit)s OR (path LIKE %(prefix)s AND depth = %(child_depth)s)
),
rows AS (
    SELECT y.current, v.own, s.facet, s.value, v.child_path, date_trunc('month', s.month + y.shift)::date AS bucket,
           s.items, s.persons, s.collective, s.skip_level, s.to_beijing, s.to_province, s.repeats
    FROM years y
    CROSS JOIN viewed v
    JOIN petitions_itemsubtreemonthcount s ON s.unit_id = v.id
        AND s.month BETWEEN y.months_first AND y.months_last AND NOT s.month = ANY(%(changed_months)s::date[])
        AND (v.own OR s.facet = 'channel')
)
SELECT 3, current, facet, coalesce(c.path, value), NULL::date, NULL, {SUMS} FROM rows
LEFT JOIN petitions_category c ON c.id = CASE WHEN facet = 'category' THEN value::bigint END
WHERE own GROUP BY current, facet, coalesce(c.path, value)
UNION ALL
SELECT 5, current, facet, NULL, bucket, NULL, {SUMS} FROM rows
WHERE own AND facet = 'channel' GROUP BY current, facet, bucket
UNION ALL
SELECT 6, current, facet, NULL, NULL, child_path, {SUMS} FROM rows
WHERE NOT own AND facet = 'channel' GROUP BY current, facet, child_path
UNION ALL
SELECT 7, current, facet, NULL, NULL, NULL, {SUMS} FROM rows WHERE own AND facet = 'channel' GROUP BY current, facet
"""  # noqa: S608  # nosec B608  # constants of this module only; values are parameters

# The whole months changed since SUBTREE_SQL's sums, from the monthly roll-up of every unit of the subtree: the
# same breakdowns in the same shape (GROUPING() bits over value, bucket and unit one level down).
MONTHLY_SQL = f"""
WITH {YEARS},
rows AS (
    SELECT y.current, m.facet, m.value, u.child_path, date_trunc('month', m.month + y.shift)::date AS bucket,
           {SUMS}
    FROM years y
    CROSS JOIN units u
    JOIN petitions_itemmonthcount m ON m.unit_id = u.id
        AND m.month BETWEEN y.months_first AND y.months_last AND m.month = ANY(%(changed_months)s::date[])
    WHERE m.facet <> 'registered'
    GROUP BY 1, 2, 3, 4, 5
),
named AS (
    SELECT r.*, coalesce(c.path, r.value) AS name FROM rows r
    LEFT JOIN petitions_category c ON c.id = CASE WHEN r.facet = 'category' THEN r.value::bigint END
)
SELECT GROUPING(name, bucket, child_path) AS grouping_id, current, facet, name, bucket, child_path, {SUMS}
FROM named
GROUP BY GROUPING SETS ((current, facet, name), (current, facet, bucket), (current, facet, child_path), (current, facet))
"""  # noqa: S608  # nosec B608  # constants of this module only; values are parameters

# Open obligation clocks of items held by units of the subtree (the clock's own unit), per child unit: overdue now,
# due within the next days, all; read from the daily roll-up of clocks.
WORKLOAD_SQL = """
SELECT substr(u.path, 1, %(child_length)s) AS child_path,
       coalesce(sum(c.clocks) FILTER (WHERE c.due_on < %(today)s), 0),
       coalesce(sum(c.clocks) FILTER (WHERE c.due_on >= %(today)s AND c.due_on <= %(soon)s), 0),
       coalesce(sum(c.clocks), 0)
FROM accountability_deadlinedaycount c
JOIN accountability_deadlinerule rule ON rule.kind = c.kind AND rule.is_obligation
JOIN core_unit u ON u.id = c.unit_id
WHERE c.status = 'open' AND c.subject_type = %(subject)s AND c.clocks <> 0 AND u.path LIKE %(prefix)s
GROUP BY ROLLUP (1)
"""

# The breakdown columns of ROLLUP_SQL, in the order of its GROUPING() bits.
_ORDER = ["channel", "purpose", "top_category", "bucket", "child_path", "status"]
# What each facet of the monthly roll-up is called among the breakdowns; the channel facet also gives the totals,
# the trend and the units one level down.
_FACETS = {"channel": "channel", "purpose": "purpose", "category": "top_category", "status": "status"}
_MONTHLY_GROUPING = {0b011: None, 0b101: "bucket", 0b110: "child_path", 0b111: "total"}


def _grouped_by(grouping_id: int) -> str | None:
    """Which breakdown a ROLLUP_SQL row belongs to (None: the totals), from its GROUPING() bits."""
    for position, name in enumerate(_ORDER):
        if not grouping_id & (1 << (len(_ORDER) - 1 - position)):
            return name
    return None


def situation_sql_params(unit: Unit, period: Period, *, trend_unit: str) -> dict[str, Any]:
    """The parameters of the statements above for `unit`'s subtree and `period`."""
    previous_start, previous_end = same_days_last_year(period.start), same_days_last_year(period.end)
    by_month = trend_unit == "month"
    this_year = MonthSplit.of(period.start, period.end, whole_months=by_month)
    last_year = MonthSplit.of(previous_start, previous_end, whole_months=by_month)
    whole = [split for split in (this_year, last_year) if split.months_first <= split.months_last]
    return {
        **this_year.params(),
        **last_year.params("previous_"),
        "changed_months": (
            months_changed(min(s.months_first for s in whole), max(s.months_last for s in whole))
            if whole
            else []
        ),
        "unit": unit.pk,
        "child_depth": unit.depth + 1,
        "prefix": unit.path + "%",
        "child_length": len(unit.path) + Unit.steplen,
        "category_steplen": Category.steplen,
        "trend_unit": trend_unit,
        "today": period.today,
        "soon": period.today + timedelta(days=DUE_SOON_DAYS),
        "subject": ITEM_SUBJECT,
    }


def has_whole_months(params: dict[str, Any]) -> bool:
    """Whether either year of the parameters has whole months to read from the monthly roll-up."""
    return any(params[f"{year}months_first"] <= params[f"{year}months_last"] for year in ("", "previous_"))


class Breakdowns:
    """The sums of the statements above by breakdown and key, this period and last year's side by side."""

    def __init__(self) -> None:
        self._sums: dict[str | None, dict[Any, dict[bool, tuple[int, ...]]]] = {}

    def add_daily(self, rows: list[tuple[Any, ...]]) -> None:
        """Add ROLLUP_SQL's rows."""
        for row in rows:
            grouping_id, current, *keys = row[:8]
            breakdown = _grouped_by(grouping_id)
            self._add(breakdown, keys[_ORDER.index(breakdown)] if breakdown else None, current, row[8:])

    def add_monthly(self, rows: list[tuple[Any, ...]]) -> None:
        """Add the rows of SUBTREE_SQL or MONTHLY_SQL."""
        for grouping_id, current, facet, value, bucket, child_path, *sums in rows:
            grouped = _MONTHLY_GROUPING[grouping_id]
            if grouped is None:
                self._add(_FACETS[facet], value, current, sums)
            elif facet == "channel":
                key = {"bucket": bucket, "child_path": child_path, "total": None}[grouped]
                self._add(None if grouped == "total" else grouped, key, current, sums)

    def _add(self, breakdown: str | None, key: Any, current: bool, sums: Any) -> None:
        years = self._sums.setdefault(breakdown, {}).setdefault(key, {})
        before = years.get(bool(current), (0,) * len(sums))
        years[bool(current)] = tuple(old + int(value or 0) for old, value in zip(before, sums, strict=True))

    def pair(self, breakdown: str | None, key: Any, index: int = 0) -> tuple[int, int]:
        """(this period, same days last year) of count `index` (0 件次, 1 人次, … 6 repeats)."""
        years = self._sums.get(breakdown, {}).get(key, {})
        return years.get(True, (0,) * 7)[index], years.get(False, (0,) * 7)[index]

    def keys(self, breakdown: str) -> list[Any]:
        """The keys a breakdown has rows for, sorted."""
        return sorted(key for key in self._sums.get(breakdown, {}) if key is not None)


# The totals row of the dashboard: label, count index in ROLLUP_SQL, and the list filters that select those items.
TOTALS: list[tuple[str, int, tuple[tuple[str, str], ...]]] = [
    ("件次", 0, ()),
    ("人次", 1, ()),
    ("集体访", 2, (("markers", Marker.COLLECTIVE),)),
    ("越级访", 3, (("markers", Marker.SKIP_LEVEL),)),
    ("进京访", 4, (("markers", Marker.TO_BEIJING),)),
    ("赴省访", 5, (("markers", Marker.TO_PROVINCE),)),
    ("重复件", 6, (("repeat", "true"),)),
]


def situation_for(unit: Unit, period: Period, *, trend_unit: str) -> Situation:
    """The dashboard of `unit`'s subtree (the caller got `unit` from a scoped selector) for `period`."""
    found = Situation(
        unit, period, same_days_last_year(period.start), same_days_last_year(period.end), trend_unit
    )
    params = situation_sql_params(unit, period, trend_unit=trend_unit)
    breakdowns = Breakdowns()
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_SQL, params)
        breakdowns.add_daily(cursor.fetchall())
        if has_whole_months(params):
            cursor.execute(SUBTREE_SQL, params)
            breakdowns.add_monthly(cursor.fetchall())
        if params["changed_months"]:
            cursor.execute(MONTHLY_SQL, params)
            breakdowns.add_monthly(cursor.fetchall())
        cursor.execute(WORKLOAD_SQL, params)
        workload = {row[0]: row[1:] for row in cursor.fetchall()}
    _item_figures(found, breakdowns)
    _workload_and_children(found, breakdowns, workload)
    _ledger_figures(found, unit, period)
    return found


def _item_figures(found: Situation, breakdowns: Breakdowns) -> None:
    """Totals, the breakdowns by channel, purpose and first-level category, the trend, and the period's items by
    whether they are still in progress."""
    unit, period = found.unit, found.period
    base = (
        ("area", str(unit.pk)),
        ("received_after", f"{period.start:%Y-%m-%d}"),
        ("received_before", f"{period.end:%Y-%m-%d}"),
    )
    for label, index, extra in TOTALS:
        value, previous = breakdowns.pair(None, None, index)
        found.totals.append(Figure(label, value, previous, base + extra if label != "人次" else ()))
    for code, name in Channel.choices:
        value, previous = breakdowns.pair("channel", code)
        if value or previous:
            found.by_channel.append(Figure(str(name), value, previous, (*base, ("channel", code))))
    for code, name in Purpose.choices:
        value, previous = breakdowns.pair("purpose", code)
        if value or previous:
            found.by_purpose.append(Figure(str(name), value, previous, (*base, ("purpose", code))))
    for category in Category.objects.filter(depth=1).order_by("path"):
        value, previous = breakdowns.pair("top_category", category.path)
        if value or previous:
            found.by_category.append(
                Figure(category.name, value, previous, (*base, ("category", str(category.pk))))
            )
    found.by_category.sort(key=lambda figure: -figure.value)
    for bucket in breakdowns.keys("bucket"):
        value, previous = breakdowns.pair("bucket", bucket)
        label = f"{bucket:%Y-%m}" if found.trend_unit == "month" else f"{bucket:%m-%d}"
        found.trend.append((label, value, previous))
    in_progress = sum(breakdowns.pair("status", code)[0] for code in OPEN_STATUSES)
    found.workload = [
        Figure(
            "期内登记仍在办", in_progress, None, base + tuple(("status", c) for c in sorted(OPEN_STATUSES))
        ),
        Figure(
            "期内登记已办结",
            breakdowns.pair("status", Status.CLOSED)[0],
            None,
            (*base, ("status", Status.CLOSED)),
        ),
    ]


def _workload_and_children(
    found: Situation, breakdowns: Breakdowns, workload: dict[str | None, tuple[int, ...]]
) -> None:
    """Clocks overdue and due soon now, the measures, and the units one level down ranked by overdue clocks."""
    unit, period = found.unit, found.period
    overdue, due_soon, _open = workload.get(None, (0, 0, 0))
    clocks = (("clock_unit", str(unit.pk)),)
    found.workload += [
        Figure("当前超期", overdue, None, (*clocks, ("overdue", "true"))),
        Figure(f"{DUE_SOON_DAYS}日内到期", due_soon, None, (*clocks, ("due_within", str(DUE_SOON_DAYS)))),
    ]
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    measures = measures_for([unit, *children], period)
    found.measures = measures[unit.pk]
    dates = (("received_after", f"{period.start:%Y-%m-%d}"), ("received_before", f"{period.end:%Y-%m-%d}"))
    for child in children:
        received, received_before = breakdowns.pair("child_path", child.path)
        found.children.append(
            ChildRow(
                child,
                Figure("件次", received, received_before, (("area", str(child.pk)), *dates)),
                Figure(
                    "当前超期",
                    workload.get(child.path, (0, 0, 0))[0],
                    None,
                    (("clock_unit", str(child.pk)), ("overdue", "true")),
                ),
                next((m for m in measures[child.pk] if m.code == "on_time_closing"), None),
            )
        )
    found.children.sort(key=lambda row: (-row.overdue.value, row.unit.path))
    if children:
        received, received_before = breakdowns.pair(None, None)
        found.own = ChildRow(
            unit,
            Figure(
                "件次",
                received - sum(row.received.value for row in found.children),
                received_before - sum(row.received.previous or 0 for row in found.children),
            ),
            Figure("当前超期", overdue - sum(row.overdue.value for row in found.children)),
            None,
        )


def _ledger_figures(found: Situation, unit: Unit, period: Period) -> None:
    """Key cases by status and owning leader, screening reports of the period, and the sensitive-period mode."""
    in_subtree = unit.subtree_q("office__") | unit.subtree_q("responsible_unit__")
    cases = KeyCase.objects.filter(in_subtree)
    by_status = dict(cases.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    found.cases_by_status = [
        Figure(str(label), by_status.get(code, 0)) for code, label in CaseStatus.choices if code in by_status
    ]
    owners = (
        cases.exclude(status=CaseStatus.STRUCK_OFF)
        .values("owner__full_name")
        .annotate(n=Count("id"))
        .order_by("-n", "owner__full_name")[:10]
    )
    found.cases_by_owner = [Figure(row["owner__full_name"], row["n"]) for row in owners]
    reports = ScreeningReport.objects.filter(
        unit.subtree_q("unit__"), round__period_end__range=(period.start, period.end)
    ).aggregate(
        filed=Count("id", filter=Q(state=ReportState.FILED)),
        late=Count("id", filter=Q(state=ReportState.FILED_LATE)),
        missing=Count("id", filter=Q(state=ReportState.PENDING, round__period_end__lt=period.today)),
        waiting=Count("id", filter=Q(state=ReportState.PENDING, round__period_end__gte=period.today)),
    )
    found.screening = [
        Figure("按时报送", reports["filed"]),
        Figure("逾期报送", reports["late"]),
        Figure("逾期未报", reports["missing"]),
        Figure("尚未到期", reports["waiting"]),
    ]
    running = list(periods_running(period.today))
    if running:
        daily = DailyReport.objects.filter(unit.subtree_q("unit__"), day=period.today, period__in=running)
        counts = daily.aggregate(
            filed=Count("id", filter=~Q(state=ReportState.PENDING)),
            missing=Count("id", filter=Q(state=ReportState.PENDING)),
        )
        since = min(sensitive.starts_on for sensitive in running)
        found.sensitive = {
            "periods": running,
            "filed": counts["filed"],
            "missing": counts["missing"],
            "received": Figure(
                "期间信访量",
                received_between(unit, since, period.today),
                None,
                (
                    ("area", str(unit.pk)),
                    ("received_after", f"{since:%Y-%m-%d}"),
                    ("received_before", f"{period.today:%Y-%m-%d}"),
                ),
            ),
        }


def clocks_due_now(unit: Unit, today: date, *, within_days: int = 0) -> tuple[int, int]:
    """The subtree's open obligation clocks of items overdue on `today`, and due from `today` to `within_days`
    later: WORKLOAD_SQL's total line, the dashboard's 当前超期, read from the daily roll-up of clocks."""
    params = {
        "child_length": len(unit.path) + Unit.steplen,
        "prefix": unit.path + "%",
        "today": today,
        "soon": today + timedelta(days=within_days),
        "subject": ITEM_SUBJECT,
    }
    with connection.cursor() as cursor:
        cursor.execute(WORKLOAD_SQL, params)
        totals = {row[0]: row[1:] for row in cursor.fetchall()}.get(None, (0, 0, 0))
    return int(totals[0]), int(totals[1])


def received_between(unit: Unit, first: date, last: date) -> int:
    """Items of the subtree received from `first` to `last`, from the daily roll-up."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT coalesce(sum(r.items), 0) FROM core_unit u
            JOIN petitions_itemdaycount r ON r.unit_id = u.id AND r.day BETWEEN %(first)s AND %(last)s
            WHERE u.path LIKE %(prefix)s
            """,
            {"first": first, "last": last, "prefix": unit.path + "%"},
        )
        return int(cursor.fetchone()[0])

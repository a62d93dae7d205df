"""Assessment measures (考核): numerator and denominator per unit subtree and period, each computed in SQL.

Apps register providers; each answers for a list of units at once (every unit counting its whole subtree), so a
ranking of all counties is one query per measure, not one per unit. The period also says how items are split
(which unit an item counts under, which channels are kept); the app that owns the items applies that in its SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import Unit


@dataclass(frozen=True)
class Measure:
    """One measure of one unit subtree: what is counted above and below the line."""

    code: str
    label: str
    numerator: int
    denominator: int
    formula: str
    is_rate: bool = True
    # Counted per item, so it follows the period's basis and channel filter (clocks and orders of no item do not).
    item_based: bool = False

    @property
    def rate(self) -> float | None:
        """numerator ÷ denominator as a percentage, or None when nothing was due."""
        if not self.is_rate or self.denominator == 0:
            return None
        return round(100 * self.numerator / self.denominator, 2)


class Basis(models.TextChoices):
    """Which unit an item counts under: the unit answering for it, or the office that registered it."""

    RESPONSIBLE = "responsible", _("按责任单位")
    REGISTERED = "registered", _("按登记单位")


@dataclass(frozen=True)
class Period:
    """The days a measure looks at, the day it is computed on (what is overdue now), and how items are split.

    `basis` is the unit an item counts under; `channels` keeps only items that came in by those channels (empty:
    every channel). Both apply to the item-based measures only.
    """

    start: date
    end: date
    today: date
    basis: str = Basis.RESPONSIBLE
    channels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.basis not in Basis.values:
            raise ValueError(f"unknown basis {self.basis!r}")
        unknown = set(self.channels) - set(_channels)
        if _channels and unknown:
            raise ValueError(f"unknown channels {sorted(unknown)!r}")

    @property
    def channel_filter(self) -> list[str] | None:
        """The channels as an SQL parameter (`text[]`): None keeps every channel."""
        return list(self.channels) or None

    @property
    def scope_label(self) -> str:
        """The basis and the channels in words, for titles: “按登记单位，走访、来信” or “按责任单位，全部信访形式”."""
        channels = "、".join(str(_channels[code]) for code in self.channels) or gettext("全部信访形式")
        return gettext("%(basis)s，%(channels)s") % {"basis": Basis(self.basis).label, "channels": channels}


# Channel codes and labels, registered by the app that owns the items (accountability does not know them).
_channels: dict[str, str | Promise] = {}


def channels_register(choices: Iterable[tuple[str, str | Promise]]) -> None:
    """Set the channels the assessment may be filtered by, in display order."""
    _channels.clear()
    _channels.update(choices)


def channel_choices() -> list[tuple[str, str | Promise]]:
    """The registered channels as form choices."""
    return list(_channels.items())


MeasureProvider = Callable[[Sequence[Unit], Period], dict[int, list[Measure]]]
_providers: dict[str, tuple[int, MeasureProvider]] = {}


def measure_register(name: str, provider: MeasureProvider, *, order: int = 100) -> None:
    """Add (or replace, by name) a provider of measures; pages list providers by `order`."""
    _providers[name] = (order, provider)


def measures_of(name: str, units: Sequence[Unit], period: Period) -> dict[int, list[Measure]]:
    """One registered provider's measures (e.g. "petitions.handling") for each unit's subtree: a page that shows
    one measure reads only its statement."""
    return _providers[name][1](units, period)


def measures_for(units: Sequence[Unit], period: Period) -> dict[int, list[Measure]]:
    """Every registered measure for each unit's subtree, in registration order."""
    found: dict[int, list[Measure]] = {unit.pk: [] for unit in units}
    for _order, provider in sorted(_providers.values(), key=lambda entry: entry[0]):
        for unit_id, measures in provider(units, period).items():
            found[unit_id] += measures
    return found


def grouped_counts(sql: str, units: Sequence[Unit], params: dict[str, Any]) -> dict[int, tuple[int, ...]]:
    """Run `sql`, which groups by `g.id` over `groups g` (the units) joined to `u` (every unit of g's subtree).

    The statement starts `WITH groups AS (...)`; `{subtree}` in it expands to the join of g to its subtree units.
    Each unit is read once, under the deepest of `units` above it (a city and its counties do not read the
    counties twice); the sums of units nested in another are then added to it. Every statement here counts or
    sums, so the parts add up to the whole.
    """
    params = {**params, "group_ids": [unit.pk for unit in units]}
    # Both parts are constants of this codebase; values only ever travel as parameters.
    statement = (
        "WITH groups AS (SELECT id, path FROM core_unit WHERE id = ANY(%(group_ids)s)), "  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
        "nearest AS (SELECT DISTINCT ON (u.id) g.id, u.id AS unit_id FROM groups g "
        "JOIN core_unit u ON u.path LIKE g.path || '%%' ORDER BY u.id, length(g.path) DESC) "
        + sql.replace("{subtree}", "nearest g JOIN core_unit u ON u.id = g.unit_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        own = {row[0]: tuple(int(value or 0) for value in row[1:]) for row in cursor.fetchall()}
    paths = {unit.pk: unit.path for unit in units}
    found = {}
    for unit_id, path in paths.items():
        parts = [counts for other_id, counts in own.items() if paths[other_id].startswith(path)]
        if parts:
            found[unit_id] = tuple(sum(column) for column in zip(*parts, strict=True))
    return found


def supervision_measures(units: Sequence[Unit], period: Period) -> dict[int, list[Measure]]:
    """Overdue clocks of every obligation (due in the period, late or still open past due) and 督办 received."""
    overdue = grouped_counts(
        """
        SELECT g.id, sum(c.clocks) FILTER (WHERE c.status IN ('met_late', 'missed')
                                           OR (c.status = 'open' AND c.due_on < %(today)s)),
               sum(c.clocks)
        FROM {subtree}
        JOIN accountability_deadlinedaycount c ON c.unit_id = u.id
        JOIN accountability_deadlinerule r ON r.kind = c.kind AND r.is_obligation
        WHERE c.due_on BETWEEN %(start)s AND %(end)s AND c.status <> 'cancelled'
        GROUP BY g.id
        """,
        units,
        {"start": period.start, "end": period.end, "today": period.today},
    )
    orders = grouped_counts(
        """
        SELECT g.id, count(*) FROM {subtree}
        JOIN accountability_supervisionorder o ON o.unit_id = u.id
        WHERE o.issued_on BETWEEN %(start)s AND %(end)s
        GROUP BY g.id
        """,
        units,
        {"start": period.start, "end": period.end},
    )
    result = {}
    for unit in units:
        late, due = overdue.get(unit.pk, (0, 0))
        received = orders.get(unit.pk, (0,))[0]
        result[unit.pk] = [
            Measure("overdue", "超期件数", late, due, formula="超期（含超期办结）÷ 期内到期时限"),
            Measure("supervised", "督办件数", received, 0, formula="期内收到的督办单", is_rate=False),
        ]
    return result

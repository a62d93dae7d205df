"""Daily roll-up tables: counts kept by a trigger in the writer's transaction, rebuilt and checked from the source.

An app describes its roll-up once (`DailyRollUp`): the table, its key and count columns, and the SELECT that counts
the source rows of a range of days. The same description rebuilds a range of days after a bulk load, lists the
days on which the stored counts differ from a direct count, and repairs those days. A monthly roll-up is described
the same way, its day column holding the first day of each month.

A view of several months reads the whole months inside its range from a monthly roll-up and only the days before
and after them from the daily one (`MonthSplit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction

REBUILD_DAYS = 31  # one transaction per month of days keeps each lock short


@dataclass(frozen=True)
class MonthSplit:
    """A range of days as the whole months inside it and the days before and after them.

    Empty parts have a first day after their last, so `BETWEEN` selects nothing from them.
    """

    months_first: date
    months_last: date
    head_first: date
    head_last: date
    tail_first: date
    tail_last: date

    @classmethod
    def of(cls, first: date, last: date, *, whole_months: bool = True) -> MonthSplit:
        """Split `first`..`last`; with `whole_months` off every day stays in the head (a view by week or day)."""
        following = last + timedelta(days=1)
        months_first = first if first.day == 1 else _next_month(first)
        months_end = following if following.day == 1 else following.replace(day=1)
        if not whole_months or months_first >= months_end:
            return cls(following, last, first, last, following, last)
        months_last = (months_end - timedelta(days=1)).replace(day=1)
        return cls(months_first, months_last, first, months_first - timedelta(days=1), months_end, last)

    def params(self, prefix: str = "") -> dict[str, date]:
        """The bounds as statement parameters: `months_first`, `head_last`, … after `prefix`."""
        return {f"{prefix}{name}": value for name, value in vars(self).items()}


def _next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild rewrote."""

    days: int
    rows: int


@dataclass(frozen=True)
class DailyRollUp:
    """A roll-up table keyed by a day column, and the statement that counts its source for `%(first)s..%(last)s`.

    All parts are constants of this codebase; values only ever travel as parameters.
    """

    table: str
    day_column: str
    key: tuple[str, ...]
    counts: tuple[str, ...]
    counts_select: str
    span_select: str  # SELECT min(day), max(day) of the source

    def rebuild(self, *, first: date | None = None, last: date | None = None) -> RebuildResult:
        """Recompute the days from `first` to `last` (every day of the source by default) in monthly steps.

        Each step locks the roll-up against the trigger's writes (readers go on), deletes the step's rows and
        inserts them again from the source, so a write committed during the rebuild is never lost or counted twice.
        """
        with connection.cursor() as cursor:
            cursor.execute(self.span_select)
            low, high = cursor.fetchone()
        first, last = first or low, last or high
        if first is None or last is None:
            return RebuildResult(0, 0)
        columns = ", ".join(self.key + self.counts)
        rows = 0
        step_first = first
        while step_first <= last:
            step_last = min(step_first + timedelta(days=REBUILD_DAYS - 1), last)
            bounds = {"first": step_first, "last": step_last}
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute(
                    f"DELETE FROM {self.table} WHERE {self.day_column} BETWEEN %(first)s AND %(last)s",  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
                    bounds,
                )
                cursor.execute(f"INSERT INTO {self.table} ({columns}) {self.counts_select}", bounds)
                rows += cursor.rowcount
            step_first = step_last + timedelta(days=1)
        return RebuildResult((last - first).days + 1, rows)

    def mismatches(self, *, first: date, last: date) -> list[date]:
        """The days between `first` and `last` on which the roll-up differs from a direct count of the source."""
        key = ", ".join(self.key)
        direct = ", ".join(f"direct.{column}" for column in self.counts)
        stored = ", ".join(f"stored.{column}" for column in self.counts)
        nonzero = " OR ".join(f"{column} <> 0" for column in self.counts)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH direct AS ({self.counts_select}),
                stored AS (
                    SELECT {key}, {", ".join(self.counts)} FROM {self.table}
                    WHERE {self.day_column} BETWEEN %(first)s AND %(last)s AND ({nonzero})
                )
                SELECT DISTINCT coalesce(direct.{self.day_column}, stored.{self.day_column})
                FROM direct FULL JOIN stored USING ({key})
                WHERE ({direct}) IS DISTINCT FROM ({stored})
                ORDER BY 1
                """,  # noqa: S608  # nosec B608  # constants of this module only; values are parameters
                {"first": first, "last": last},
            )
            return [row[0] for row in cursor.fetchall()]

    def repair(self, *, days_back: int, today: date) -> list[date]:
        """Rebuild each day of the last `days_back` days whose roll-up drifted from the source; returns those days."""
        drifted = self.mismatches(first=today - timedelta(days=days_back), last=today)
        for day in drifted:
            self.rebuild(first=day, last=day)
        return drifted


_registry: dict[str, DailyRollUp] = {}


def rollup_register(name: str, rollup: DailyRollUp) -> None:
    """Make a roll-up known to the nightly repair and the rebuild command (apps call this in ready())."""
    _registry[name] = rollup


def rollups_registered() -> dict[str, DailyRollUp]:
    """Every registered roll-up by name."""
    return dict(_registry)

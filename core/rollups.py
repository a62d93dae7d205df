"""Daily roll-up tables: counts kept by a trigger in the writer's transaction, rebuilt and checked from the source.

An app describes its roll-up once (`DailyRollUp`): the table, its key and count columns, and the SELECT that counts
the source rows of a range of days. The same description rebuilds a range of days after a bulk load, lists the
days on which the stored counts differ from a direct count, and repairs those days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction

REBUILD_DAYS = 31  # one transaction per month of days keeps each lock short


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

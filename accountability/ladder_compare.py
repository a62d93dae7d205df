"""Compare the ladder a sweep left in one database with what a clean sweep left in another: rungs, notifications
and 督办单 missing, duplicated or extra. Deadline ids match because both databases are copies of one seed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

RUNG_KEYS_SQL = "SELECT deadline_id, step_id, due_on FROM accountability_escalation"
NOTIFICATION_KEYS_SQL = """
SELECT e.deadline_id, e.step_id, e.due_on, n.recipient_id
FROM accountability_notification n JOIN accountability_escalation e ON e.id = n.escalation_id
"""
ORDER_KEYS_SQL = """
SELECT e.deadline_id, e.step_id, e.due_on
FROM accountability_supervisionorder o JOIN accountability_escalation e ON e.id = o.escalation_id
"""


@dataclass(frozen=True)
class LadderDifference:
    """How one database's ladder differs from the clean one, per kind of row."""

    clean_rows: int
    missing: int
    duplicated: int
    extra: int

    @property
    def equal(self) -> bool:
        return self.missing == self.duplicated == self.extra == 0


def _keys(connection: Any, sql: str) -> Counter[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return Counter(tuple(row) for row in cursor.fetchall())


def ladder_difference(clean: Any, other: Any) -> dict[str, LadderDifference]:
    """Rungs, notifications and orders of `other` against `clean` (two DB-API connections)."""
    result = {}
    for name, sql in (
        ("rungs", RUNG_KEYS_SQL),
        ("notifications", NOTIFICATION_KEYS_SQL),
        ("orders", ORDER_KEYS_SQL),
    ):
        expected, found = _keys(clean, sql), _keys(other, sql)
        result[name] = LadderDifference(
            clean_rows=sum(expected.values()),
            missing=sum(1 for key in expected if key not in found),
            duplicated=sum(count - 1 for count in found.values() if count > 1),
            extra=sum(1 for key in found if key not in expected),
        )
    return result

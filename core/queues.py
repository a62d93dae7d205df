"""Work queues on the home page: each app registers its queues with the roles that see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import Count, QuerySet, Window
from django.utils import timezone
from django.utils.functional import Promise

from core.models import User
from core.selectors import calendar_snapshot
from core.workcalendar import count_working_days

QUEUE_PAGE = 5


@dataclass(frozen=True)
class QueueRow:
    """One line of a queue: where it links, its number, a summary and, when it has one, its due date."""

    url: str
    number: str
    summary: str
    due_on: date | None = None
    days_left: int | None = None


@dataclass(frozen=True)
class QueuePage:
    """What a provider returns: the title, how many there are in all and the first rows."""

    title: str | Promise
    count: int
    rows: list[QueueRow] = field(default_factory=list)


Provider = Callable[[User, int], QueuePage]


@dataclass(frozen=True)
class QueueSpec:
    """A registered queue: its name, the roles that see it, its provider and its place on the page."""

    name: str
    roles: frozenset[str]
    provider: Provider
    order: int


_registry: dict[str, QueueSpec] = {}


def queue_register(
    name: str, roles: frozenset[str] | set[str], provider: Provider, *, order: int = 500
) -> None:
    """Add (or replace, by name) a queue shown to users holding one of `roles`."""
    _registry[name] = QueueSpec(name, frozenset(roles), provider, order)


def queue_specs_for(user: User) -> list[QueueSpec]:
    """The registered queues the user's roles see, in page order."""
    if not user.is_authenticated or not user.is_active:
        return []
    held = set(user.roles)
    return sorted((spec for spec in _registry.values() if spec.roles & held), key=lambda s: (s.order, s.name))


def queues_for(user: User, *, limit: int = QUEUE_PAGE) -> list[tuple[str, QueuePage]]:
    """Each of the user's queues by name, with its count and first `limit` rows."""
    return [(spec.name, spec.provider(user, limit)) for spec in queue_specs_for(user)]


def counted_page(queryset: QuerySet, limit: int) -> tuple[int, list]:
    """The first `limit` rows and the total in one query (COUNT(*) OVER () on each row)."""
    rows = list(queryset.annotate(queue_total=Window(Count("pk")))[:limit])
    return (rows[0].queue_total if rows else 0), rows


def queue_page(title: str | Promise, count: int, rows: list[QueueRow]) -> QueuePage:
    """A page whose dated rows carry their working days left (negative when overdue), the calendar read once."""
    if any(row.due_on is not None for row in rows):
        calendar, today = calendar_snapshot(), timezone.localdate()
        rows = [
            row
            if row.due_on is None
            else replace(row, days_left=count_working_days(after=today, until=row.due_on, calendar=calendar))
            for row in rows
        ]
    return QueuePage(title, count, rows)

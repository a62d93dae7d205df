"""Work queues on the home page: each app registers its queues with the roles that see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import Count, QuerySet, Window
from django.utils import timezone
from django.utils.functional import Promise

from core.models import User
from core.selectors import calendar_snapshot, unit_ids_shared
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
class QueueFigure:
    """One number of a figures card (e.g. 今日新件), shown as text, with the list that shows what it counts."""

    label: str | Promise
    value: str
    url: str = ""


@dataclass(frozen=True)
class QueuePage:
    """What a provider returns: the title, how many there are in all and the first rows (or, for a card of the
    day's numbers, its figures)."""

    title: str | Promise
    count: int
    rows: list[QueueRow] = field(default_factory=list)
    figures: list[QueueFigure] = field(default_factory=list)


Provider = Callable[[User, int], QueuePage]


@dataclass(frozen=True)
class QueueSpec:
    """A registered queue: its name, the roles that see it, its provider, its place on the page, and whether
    the menu counts it (a card of figures is not a to-do list)."""

    name: str
    roles: frozenset[str]
    provider: Provider
    order: int
    in_menu: bool = True


_registry: dict[str, QueueSpec] = {}


def queue_register(
    name: str,
    roles: frozenset[str] | set[str],
    provider: Provider,
    *,
    order: int = 500,
    in_menu: bool = True,
) -> None:
    """Add (or replace, by name) a queue shown to users holding one of `roles`.

    A provider the menu counts (`in_menu`), called with `limit` 0, must return the count alone in one query (see
    `counted_page`): every page's menu asks for it.
    """
    _registry[name] = QueueSpec(name, frozenset(roles), provider, order, in_menu)


def queue_specs_for(user: User) -> list[QueueSpec]:
    """The registered queues the user's roles see, in page order."""
    if not user.is_authenticated or not user.is_active:
        return []
    held = set(user.roles)
    return sorted((spec for spec in _registry.values() if spec.roles & held), key=lambda s: (s.order, s.name))


def queues_for(user: User, *, limit: int = QUEUE_PAGE) -> list[tuple[str, QueuePage]]:
    """Each of the user's queues by name, with its count and first `limit` rows (the user's subtree read once)."""
    with unit_ids_shared():
        return [(spec.name, spec.provider(user, limit)) for spec in queue_specs_for(user)]


@dataclass(frozen=True)
class QueueCount:
    """A queue as the menu shows it: its name (the card's anchor on 工作台), title and count."""

    name: str
    title: str | Promise
    count: int


@dataclass(frozen=True)
class QueueMenu:
    """The menu's counts: each of the user's queues with something in it, and their sum beside 工作台."""

    queues: list[QueueCount]

    @property
    def total(self) -> int:
        """All the user's queued work, the badge beside 工作台."""
        return sum(queue.count for queue in self.queues)


def queue_menu_from(pages: list[tuple[str, QueuePage]]) -> QueueMenu:
    """The menu's counts taken from pages already read (工作台 itself: the menu then shows the cards' numbers)."""
    counted = {spec.name for spec in _registry.values() if spec.in_menu}
    return QueueMenu([QueueCount(name, page.title, page.count) for name, page in pages if name in counted])


def queue_menu_for(user: User) -> QueueMenu:
    """The menu's counts for every other page: one COUNT per queue of the user's roles, no rows read (and the
    user's subtree read once for all of them)."""
    with unit_ids_shared():
        pages = [(spec.name, spec.provider(user, 0)) for spec in queue_specs_for(user) if spec.in_menu]
    return queue_menu_from(pages)


def counted_page(queryset: QuerySet, limit: int) -> tuple[int, list]:
    """The first `limit` rows and the total in one query (COUNT(*) OVER () on each row); with `limit` 0 the count
    alone (a plain COUNT, unordered), as the menu asks for it."""
    if limit <= 0:
        return queryset.order_by().count(), []
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

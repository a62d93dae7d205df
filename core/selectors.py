"""Reads of core data, always starting from what the user may see (their unit's subtree)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone

from core.choices import CalendarDayKind, Role
from core.models import (
    AuditEvent,
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    Division,
    Unit,
    User,
    UserSession,
)
from core.workcalendar import CalendarSnapshot

AnyUser = User | AnonymousUser


def unit_qs_visible_to(user: AnyUser) -> QuerySet[Unit]:
    """The user's unit and every unit below it; nothing for anonymous or disabled users."""
    if not isinstance(user, User) or not user.is_active:
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=user.unit.path)


def unit_qs_with_parent_id(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate each unit with its parent's id, in the same query."""
    parent = Unit.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
    ).values("id")[:1]
    return units.annotate(parent_id=Subquery(parent))


def unit_root_by_code(code: str) -> Unit | None:
    """The root unit with `code`, for installation commands that run before anyone signs in."""
    return Unit.objects.get_root_nodes().filter(code=code).first()


def unit_ids_visible_to(user: AnyUser) -> QuerySet[Unit, dict[str, int]]:
    """The ids of `unit_qs_visible_to`, for use as a subquery (`unit_id__in=`)."""
    return unit_qs_visible_to(user).values("id")


# Inside `unit_ids_shared()`, each user's subtree ids are read once (the work queues of one page share them).
_unit_ids_read: ContextVar[dict[tuple[int, str], list[int]] | None] = ContextVar(
    "unit_ids_read", default=None
)


@contextmanager
def unit_ids_shared() -> Iterator[None]:
    """Within the block, `unit_id_list_visible_to` reads each user's subtree ids once."""
    token = _unit_ids_read.set({})
    try:
        yield
    finally:
        _unit_ids_read.reset(token)


def unit_id_list_visible_to(user: AnyUser) -> list[int]:
    """Ids of the user's unit subtree as a list (a few hundred at most), for index-friendly IN filters; read once
    per `unit_ids_shared()` block."""
    read = _unit_ids_read.get()
    if read is None or not isinstance(user, User) or not user.is_active:
        return list(unit_qs_visible_to(user).values_list("id", flat=True))
    key = (user.pk, user.unit.path)
    if key not in read:
        read[key] = list(unit_qs_visible_to(user).values_list("id", flat=True))
    return list(read[key])


def user_qs_visible_to(user: AnyUser) -> QuerySet[User]:
    """Accounts in the user's unit subtree."""
    if not isinstance(user, User) or not user.is_active:
        return User.objects.none()
    return User.objects.filter(unit__path__startswith=user.unit.path).select_related("unit")


def audit_event_qs_visible_to(user: AnyUser) -> QuerySet[AuditEvent]:
    """Audit rows for the audit admin only: actions by people in their subtree, plus system actions at the root."""
    if not isinstance(user, User) or not user.has_role(Role.AUDIT_ADMIN):
        return AuditEvent.objects.none()
    in_subtree = AuditEvent.objects.filter(actor_unit__path__startswith=user.unit.path)
    if user.unit.is_root():
        in_subtree = AuditEvent.objects.filter(actor_unit__isnull=True) | in_subtree
    return in_subtree.select_related("actor_unit")


def calendar_version_current() -> int:
    """The id of the latest calendar revision (0 before any)."""
    return CalendarRevision.objects.aggregate(version=Max("id"))["version"] or 0


_snapshot_cache: dict[int, CalendarSnapshot] = {}


def calendar_snapshot() -> CalendarSnapshot:
    """The current calendar, loaded once per version and process; one cheap query when unchanged."""
    version = calendar_version_current()
    cached = _snapshot_cache.get(version)
    if cached is not None:
        return cached
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (workdays if kind == CalendarDayKind.WORKDAY else holidays).add(day)
    snapshot = CalendarSnapshot(
        version=version,
        covered_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
    )
    _snapshot_cache.clear()
    _snapshot_cache[version] = snapshot
    return snapshot


def calendar_years_missing_soon(*, today: date | None = None, warning_days: int) -> list[int]:
    """This year if it has no schedule, and next year once it is within `warning_days` of starting."""
    today = today or timezone.localdate()
    wanted = [today.year]
    if (date(today.year + 1, 1, 1) - today).days <= warning_days:
        wanted.append(today.year + 1)
    covered = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in covered]


def calendar_days_between(*, first: date, last: date) -> QuerySet[CalendarDay]:
    """Holidays and make-up days from `first` to `last` inclusive (public reference data)."""
    return CalendarDay.objects.filter(date__gte=first, date__lte=last).order_by("date")


def calendar_year_qs() -> QuerySet[CalendarYear]:
    """Every year with a holiday schedule, newest first, with its count of exceptional days."""
    return CalendarYear.objects.annotate(day_count=Count("days")).order_by("-year")


def division_qs() -> QuerySet[Division]:
    """Every active administrative division (public reference data, the same for every user)."""
    return Division.objects.filter(is_active=True)


def division_get(code: str) -> Division | None:
    """The active division with `code`, or None."""
    code = (code or "").strip()
    if not code:
        return None
    return division_qs().filter(code=code).first()


def division_children(parent_code: str | None) -> QuerySet[Division]:
    """Active divisions directly below `parent_code`, ordered by code; None gives the top level (省级)."""
    if parent_code is None:
        return division_qs().filter(parent__isnull=True).order_by("code")
    return division_qs().filter(parent_id=parent_code).order_by("code")


_DIVISION_PATH_SQL = """
WITH RECURSIVE chain AS (
    SELECT code, name, level, parent_id, is_active, 0 AS up FROM core_division WHERE code = %s
    UNION ALL
    SELECT d.code, d.name, d.level, d.parent_id, d.is_active, chain.up + 1
    FROM core_division d JOIN chain ON d.code = chain.parent_id
    WHERE chain.up < 8
)
SELECT code, name, level, parent_id, is_active FROM chain ORDER BY up DESC
"""


def division_path(code: str) -> list[Division]:
    """The division and its ancestors from the province down to it, in one query; [] for an unknown code."""
    code = (code or "").strip()
    if not code:
        return []
    return list(Division.objects.raw(_DIVISION_PATH_SQL, [code]))


def division_search(term: str, limit: int | None = 20) -> QuerySet[Division]:
    """Active divisions whose name contains `term` or whose code starts with it, by level then code."""
    term = (term or "").strip()
    if not term:
        return Division.objects.none()
    found = (
        division_qs()
        .filter(Q(name__icontains=term) | Q(code__startswith=term))
        .select_related("parent")
        .order_by("level", "code")
    )
    return found[:limit] if limit is not None else found


def unit_division_code_nearest(user: AnyUser) -> str:
    """The division code of the user's unit, or of the closest unit above it that has one ("" if none)."""
    if not isinstance(user, User) or not user.is_active:
        return ""
    path = user.unit.path
    own_chain = [path[:end] for end in range(Unit.steplen, len(path) + 1, Unit.steplen)]
    code = (
        Unit.objects.filter(path__in=own_chain)
        .exclude(division_code="")
        .order_by("-depth")
        .values_list("division_code", flat=True)
        .first()
    )
    return code or ""


def user_session_qs_for(user: User) -> QuerySet[UserSession]:
    """The user's own sessions that are still signed in, most recently used first."""
    live = Session.objects.filter(expire_date__gte=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen_at", "-pk")

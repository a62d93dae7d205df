"""Reads of petition items, always starting from what the user's unit subtree allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeGuard

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from accountability.selectors import (
    DeadlineView,
    deadline_views,
    deadlines_of_subject,
    deadlines_open_for_subjects,
)
from accountability.subjects import SubjectSummary
from core.choices import ADMIN_ROLES
from core.models import Unit, User
from core.pii import lookup_hash
from core.selectors import AnyUser, unit_id_list_visible_to, unit_qs_visible_to
from core.text import first_line
from petitions.choices import ITEM_SUBJECT, ROUTING, DocumentKind, Status
from petitions.models import Category, ExtensionRequest, Item, ItemEvent, ItemPetitioner, ItemReach


def visible_unit_ids(user: AnyUser) -> list[int]:
    """Ids of the user's unit subtree (a few hundred at most), for index-friendly IN filters."""
    return unit_id_list_visible_to(user)


def _reads_items(user: AnyUser) -> TypeGuard[User]:
    """Signed in, active, and not one of the three admin roles (三员), who never read petition content."""
    return isinstance(user, User) and user.is_active and not set(user.roles) & ADMIN_ROLES


def item_qs_visible_to(user: AnyUser) -> QuerySet[Item]:
    """Items registered by, assigned to, or reviewed by a unit in the user's subtree.

    The three admin roles (三员) never read petition content.
    """
    if not _reads_items(user):
        return Item.objects.none()
    ids = visible_unit_ids(user)
    return Item.objects.filter(
        Q(registered_unit_id__in=ids)
        | Q(responsible_unit_id__in=ids)
        | Q(review_unit_id__in=ids)
        | Q(recheck_unit_id__in=ids)
    )


def subtree_unit_ids(unit: Unit) -> list[int]:
    """Ids of `unit` and every unit below it (the caller got `unit` from a scoped queryset)."""
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


def open_obligation_exists(
    *,
    due_before: date | None = None,
    due_from: date | None = None,
    due_until: date | None = None,
    unit_ids: list[int] | None = None,
) -> Exists:
    """EXISTS(an open obligation clock of the outer item with its due date in the given range, of those units)."""
    deadlines = Deadline.objects.filter(
        subject_type=ITEM_SUBJECT,
        subject_id=OuterRef("pk"),
        status=DeadlineStatus.OPEN,
        rule__is_obligation=True,
    )
    if unit_ids is not None:
        deadlines = deadlines.filter(unit_id__in=unit_ids)
    if due_before is not None:
        deadlines = deadlines.filter(due_on__lt=due_before)
    if due_from is not None:
        deadlines = deadlines.filter(due_on__gte=due_from)
    if due_until is not None:
        deadlines = deadlines.filter(due_on__lte=due_until)
    return Exists(deadlines)


def item_list_for_user(user: AnyUser) -> QuerySet[Item]:
    """Visible items with what a list page's row shows (the overdue flag is `Item.is_overdue`)."""
    return item_qs_visible_to(user).select_related("category", "responsible_unit")


def item_reach_for_user(user: AnyUser) -> QuerySet[ItemReach]:
    """The reach rows of the user's own unit: one per item the user sees, with the columns the common filters read."""
    if _reads_items(user):
        return ItemReach.objects.filter(unit_id=user.unit_id)
    return ItemReach.objects.none()


def item_get_for_user(user: AnyUser, item_id: int) -> Item:
    """One visible item with its relations, or 404."""
    item = (
        item_qs_visible_to(user)
        .select_related("category", "registered_unit", "registered_by", "responsible_unit", "handler")
        # Mostly empty, and each join more made PostgreSQL spend milliseconds choosing a join order: these are
        # read by their ids afterwards, and an empty one costs no query.
        .prefetch_related("review_unit", "recheck_unit", "complained_unit", "problem_division", "original")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def item_petitioners(item: Item) -> list[ItemPetitioner]:
    """The item's people in form order, with the particulars given for this item."""
    return list(item.item_petitioners.select_related("address_division").order_by("position", "id"))


def item_timeline(item: Item) -> QuerySet[ItemEvent]:
    """Every step of an item, oldest first."""
    return item.events.select_related("actor", "actor_unit").order_by("occurred_at", "id")


def deadlines_open_for_items(item_ids: list[int]) -> QuerySet[Deadline]:
    """Open clocks of the listed items, one query for a whole page of rows."""
    return deadlines_open_for_subjects(ITEM_SUBJECT, item_ids)


def item_deadlines(item: Item, *, today: date | None = None) -> list[DeadlineView]:
    """The item's clocks with days left in calendar and working days."""
    return deadline_views(deadlines_of_subject(ITEM_SUBJECT, item.pk), today=today)


@dataclass(frozen=True)
class ItemSituation:
    """What decides which steps a page offers beyond the status table: a hearing running, an extension
    request waiting for its decision, the reply already in the petitioner's hands."""

    hearing_running: bool
    pending_extension: ExtensionRequest | None
    reply_delivered: bool


def item_situation(item: Item, deadlines: list[DeadlineView]) -> ItemSituation:
    """The item's situation, from its clocks as the page already read them and two small reads."""
    return ItemSituation(
        hearing_running=any(view.deadline.is_paused and view.deadline.is_open for view in deadlines),
        pending_extension=item.extension_requests.filter(state=ExtensionRequest.State.PENDING).first(),
        reply_delivered=item.documents.filter(
            kind=DocumentKind.REPLY, withdrawn_on__isnull=True, delivered_on__isnull=False
        ).exists(),
    )


@dataclass(frozen=True)
class RepeatCandidate:
    """An earlier item that may be the same matter, and why it was suggested."""

    item: Item
    reasons: tuple[str, ...]
    similarity: float


def repeat_candidates(
    user: AnyUser,
    *,
    id_number: str = "",
    phone: str = "",
    name: str = "",
    division_code: str = "",
    summary: str = "",
    limit: int = 8,
) -> list[RepeatCandidate]:
    """Earlier visible items by the same person (ID, else phone, else name + address) or with similar content."""
    since = timezone.localdate() - timedelta(days=settings.XF_REPEAT_LOOKBACK_DAYS)
    base = item_qs_visible_to(user).filter(received_on__gte=since, original__isnull=True)
    reasons: dict[int, list[str]] = {}
    person_filter = None
    id_hash = lookup_hash("id", id_number) if len(id_number.strip()) == 18 else ""
    phone_hash = lookup_hash("phone", phone) if len(phone.strip()) >= 7 else ""
    if id_hash:
        person_filter = Q(item_petitioners__petitioner__id_number_hash=id_hash)
        label = "同一身份证号"
    elif phone_hash:
        person_filter = Q(item_petitioners__phone_hash=phone_hash)
        label = "同一联系电话"
    elif name.strip() and division_code:
        person_filter = Q(item_petitioners__name=name.strip()) & Q(
            item_petitioners__address_division_id=division_code
        )
        label = "同名同址"
    if person_filter is not None:
        for item_id in base.filter(person_filter).values_list("id", flat=True).distinct()[:limit]:
            reasons.setdefault(item_id, []).append(label)
    similarity: dict[int, float] = {}
    text = summary.strip()
    if len(text) >= 6:
        threshold = settings.XF_REPEAT_SIMILARITY_PERCENT / 100
        with transaction.atomic(), connection.cursor() as cursor:
            # `%` (trigram_similar) can use the trigram index where a computed score cannot; its threshold is
            # this setting, for this transaction only.
            cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(threshold)])
            similar = list(
                base.filter(summary__trigram_similar=text)
                .annotate(score=TrigramSimilarity("summary", text))
                .order_by("-score")
                .values_list("id", "score")[:limit]
            )
        for item_id, score in similar:
            similarity[item_id] = float(score)
            reasons.setdefault(item_id, []).append(f"内容相似 {round(score * 100)}%")
    if not reasons:
        return []
    items = {
        item.pk: item
        for item in Item.objects.filter(pk__in=reasons).select_related(
            "category", "responsible_unit", "registered_unit"
        )
    }
    ranked = sorted(reasons, key=lambda pk: (-len(reasons[pk]), -similarity.get(pk, 0.0), -pk))
    return [
        RepeatCandidate(item=items[pk], reasons=tuple(reasons[pk]), similarity=similarity.get(pk, 0.0))
        for pk in ranked[:limit]
    ]


# Timeline steps the public page lists: no notes, no names, no internal steps.
PUBLIC_ACTIONS = (
    "register",
    "assign",
    "accept",
    "reject",
    "extend",
    "reply",
    "request-review",
    "review-decision",
    "request-recheck",
    "recheck-decision",
    "close",
)


@dataclass(frozen=True)
class PublicStatus:
    """What a petitioner sees with the item number and query code: status and dates, nothing personal."""

    number: str
    status: str
    status_label: str
    received_on: date
    registered_on: date
    responsible_unit: str
    accepted_on: date | None
    replied_on: date | None
    closed_on: date | None
    due_on: date | None
    steps: list[tuple[date, str]]


def item_public_status(number: str, query_code: str) -> PublicStatus | None:
    """The public view of an item, only when the number and code both match."""
    item = (
        Item.objects.select_related("responsible_unit")
        .filter(number=number.strip().upper(), query_code=query_code.strip().upper())
        .first()
    )
    if item is None:
        return None
    running = (
        Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk, status=DeadlineStatus.OPEN)
        .order_by("due_on")
        .first()
    )
    public_events = item.events.filter(action__in=PUBLIC_ACTIONS).order_by("occurred_at", "id")
    steps = [(event.effective_on, event.action_label) for event in public_events]
    return PublicStatus(
        number=item.number,
        status=item.status,
        status_label=str(Status(item.status).label),
        received_on=item.received_on,
        registered_on=item.registered_on,
        responsible_unit=item.responsible_unit.name if item.responsible_unit else "",
        accepted_on=item.accepted_on,
        replied_on=item.replied_on,
        closed_on=item.closed_on,
        due_on=running.due_on if running else None,
        steps=steps,
    )


def category_choices() -> QuerySet[Category]:
    """Active categories in tree order (reference data)."""
    return Category.objects.filter(is_active=True).order_by("path")


def units_for_assignment(user: AnyUser) -> QuerySet[Unit]:
    """Units the user's office may assign to: its own subtree, active ones."""
    return unit_qs_visible_to(user).filter(is_active=True).order_by("path")


def item_routing_due_on(item: Item) -> date | None:
    """The due date of the item's 15-day routing clock (转送、交办或告知), None for an item without one."""
    deadline = (
        deadlines_of_subject(ITEM_SUBJECT, item.pk)
        .filter(rule__pk=ROUTING)
        .order_by("-opened_at", "-id")
        .first()
    )
    return deadline.due_on if deadline else None


@dataclass(frozen=True)
class PersonTyped:
    """What was typed so far for one petitioner row of the intake form."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    division_code: str = ""


def repeat_candidates_for_people(
    user: AnyUser, people: list[PersonTyped], *, summary: str = "", limit: int = 8
) -> list[RepeatCandidate]:
    """repeat_candidates for every row (each representative of a collective visit, not only the first), merged:
    an item found through several rows carries each row's reason, named after the row when there are several."""
    merged: dict[int, RepeatCandidate] = {}
    named = sum(1 for person in people if person.name.strip()) > 1
    for index, person in enumerate(people or [PersonTyped()]):
        found = repeat_candidates(
            user,
            id_number=person.id_number,
            phone=person.phone,
            name=person.name,
            division_code=person.division_code,
            summary=summary if index == 0 else "",
            limit=limit,
        )
        for candidate in found:
            reasons = tuple(
                f"{person.name.strip()}：{reason}" if named and not reason.startswith("内容相似") else reason
                for reason in candidate.reasons
            )
            earlier = merged.get(candidate.item.pk)
            if earlier is not None:
                reasons = earlier.reasons + tuple(r for r in reasons if r not in earlier.reasons)
            similarity = max(candidate.similarity, earlier.similarity if earlier else 0.0)
            merged[candidate.item.pk] = RepeatCandidate(candidate.item, reasons, similarity)
    ranked = sorted(merged.values(), key=lambda c: (-len(c.reasons), -c.similarity, -c.item.pk))
    return ranked[:limit]


def items_describe(item_ids: list[int]) -> dict[int, SubjectSummary]:
    """The number and first summary line of each item (what a notification names), in one query; unscoped: the
    caller names only items the notified person was told of."""
    return {
        pk: SubjectSummary(number, first_line(summary))
        for pk, number, summary in Item.objects.filter(pk__in=item_ids).values_list("pk", "number", "summary")
    }

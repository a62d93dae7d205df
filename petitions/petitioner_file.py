"""Reads of a person across items (信访人档案), only ever through the items in the reader's reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.aggregates import Aggregate

from core.pii import lookup_hash
from core.selectors import AnyUser
from petitions.choices import Marker
from petitions.models import Item, ItemPetitioner, Petitioner
from petitions.selectors import item_qs_visible_to


def person_items_visible(user: AnyUser, person_id: int) -> QuerySet[Item]:
    """The person's items the user may see, newest first."""
    return (
        item_qs_visible_to(user)
        .filter(item_petitioners__petitioner_id=person_id)
        .order_by("-received_on", "-id")
    )


def persons_in_reach(user: AnyUser) -> QuerySet[Petitioner]:
    """Every person with at least one item the user may see."""
    return Petitioner.objects.filter(
        pk__in=ItemPetitioner.objects.filter(item__in=item_qs_visible_to(user)).values("petitioner_id")
    )


def person_in_reach(user: AnyUser, person_id: int) -> Petitioner | None:
    """The person, when at least one of their items is in the user's reach; otherwise None, as for an unknown id."""
    if not person_items_visible(user, person_id).exists():
        return None
    return Petitioner.objects.filter(pk=person_id).first()


def persons_by_id_number(user: AnyUser, id_number: str) -> list[Petitioner]:
    """The person with this resident ID number, when one of their items is in the user's reach (else none)."""
    id_hash = lookup_hash("id", id_number)
    person = Petitioner.objects.filter(id_number_hash=id_hash).first() if id_hash else None
    if person is None or not person_items_visible(user, person.pk).exists():
        return []
    return [person]


def person_latest_particulars(user: AnyUser, person_id: int) -> ItemPetitioner | None:
    """The particulars given on the person's newest item in the user's reach, to prefill a new item; never those
    given at another unit's window outside that reach."""
    return (
        ItemPetitioner.objects.filter(petitioner_id=person_id, item__in=item_qs_visible_to(user))
        .select_related("address_division")
        .order_by("-item__received_on", "-item_id")
        .first()
    )


@dataclass(frozen=True)
class UnitCount:
    """How many of the person's visible items one unit registered."""

    unit_id: int
    unit_name: str
    items: int


@dataclass(frozen=True)
class PersonFile:
    """What the user may know of a person: their visible items, counted, and per registering unit."""

    person: Petitioner
    item_count: int
    first_received_on: date | None
    latest_received_on: date | None
    per_unit: tuple[UnitCount, ...]
    repeat_items: int = 0  # items registered as a repeat of an earlier one (重信重访)
    marked_items: int = 0  # items marked 越级访, 进京访 or 赴省访
    units_involved: int = 0  # distinct units that registered or are responsible for the items


# The marks a person's file counts: petitions taken past the proper level.
ESCALATION_MARKERS = [Marker.SKIP_LEVEL, Marker.TO_BEIJING, Marker.TO_PROVINCE]


def person_file(user: AnyUser, person_id: int) -> PersonFile | None:
    """The person's file as the user may see it, or None when none of their items is in reach."""
    person = person_in_reach(user, person_id)
    if person is None:
        return None
    items = person_items_visible(user, person_id).order_by()
    totals = items.aggregate(
        count=Count("id"),
        first=Min("received_on"),
        latest=Max("received_on"),
        repeats=Count("id", filter=Q(original__isnull=False)),
        marked=Count("id", filter=Q(markers__overlap=ESCALATION_MARKERS)),
    )
    per_unit = (
        items.values("registered_unit_id", "registered_unit__name")
        .annotate(items=Count("id"))
        .order_by("-items", "registered_unit_id")
    )
    return PersonFile(
        person=person,
        item_count=totals["count"],
        first_received_on=totals["first"],
        latest_received_on=totals["latest"],
        per_unit=tuple(
            UnitCount(row["registered_unit_id"], row["registered_unit__name"], row["items"])
            for row in per_unit
        ),
        repeat_items=totals["repeats"],
        marked_items=totals["marked"],
        units_involved=len(_units_of(items)),
    )


def _units_of(items: QuerySet[Item]) -> set[int]:
    """The units that registered or are responsible for the items, in one query."""
    units: set[int] = set()
    for registered, responsible in items.values_list("registered_unit_id", "responsible_unit_id").distinct():
        units.add(registered)
        if responsible is not None:
            units.add(responsible)
    return units


class _BoolOr(Aggregate):
    """PostgreSQL's bool_or: true when any row of the group is."""

    function = "BOOL_OR"
    output_field = BooleanField()


CLOSE_DAYS = 30  # two items of one person this close together mark a repeat petitioner
REGISTER_ORDERS = {
    "count": ("items", "latest", "petitioner_id"),
    "-count": ("-items", "-latest", "petitioner_id"),
    "latest": ("latest", "items", "petitioner_id"),
    "-latest": ("-latest", "-items", "petitioner_id"),
}


def repeat_register(
    user: AnyUser,
    *,
    min_items: int,
    since: date,
    until: date,
    close_pair: bool = False,
    order: str = "-count",
) -> QuerySet[Any, Any]:
    """重信重访: one row per person with `min_items` or more items in the user's reach received in the period
    (or, with `close_pair`, two of them within 30 days), in one grouped query. Each row: petitioner_id, name
    (from the person's newest item in reach), items, first, latest, close (whether two items were that close)."""
    visible = item_qs_visible_to(user).filter(received_on__range=(since, until))
    links = ItemPetitioner.objects.filter(item__in=visible)
    close_partner = links.filter(
        petitioner_id=OuterRef("petitioner_id"),
        item__received_on__gte=OuterRef("item__received_on"),
        item__received_on__lte=OuterRef("item__received_on") + timedelta(days=CLOSE_DAYS),
    ).exclude(item_id=OuterRef("item_id"))
    latest_name = (
        ItemPetitioner.objects.filter(petitioner_id=OuterRef("petitioner_id"), item__in=visible)
        .order_by("-item__received_on", "-item_id")
        .values("name")[:1]
    )
    wanted = Q(items__gte=min_items)
    if close_pair:
        wanted |= Q(close=True)
    return (
        links.annotate(near=Exists(close_partner) if close_pair else Value(False))
        .values("petitioner_id")
        .annotate(
            items=Count("item_id", distinct=True),
            first=Min("item__received_on"),
            latest=Max("item__received_on"),
            close=_BoolOr(F("near")),
            name=Subquery(latest_name),
        )
        .filter(wanted)
        .order_by(*REGISTER_ORDERS.get(order, REGISTER_ORDERS["-count"]))
    )

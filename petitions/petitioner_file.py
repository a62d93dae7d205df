"""Reads of a person across items (信访人档案), only ever through the items in the reader's reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Min, QuerySet

from core.pii import lookup_hash
from core.selectors import AnyUser
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


def person_file(user: AnyUser, person_id: int) -> PersonFile | None:
    """The person's file as the user may see it, or None when none of their items is in reach."""
    person = person_in_reach(user, person_id)
    if person is None:
        return None
    items = person_items_visible(user, person_id).order_by()
    totals = items.aggregate(count=Count("id"), first=Min("received_on"), latest=Max("received_on"))
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
    )

"""Prefilling a new registration from an earlier item or a known person: copied server-side, each opening audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from core.audit.record import audit_record
from core.models import User
from petitions.models import Item, ItemPetitioner
from petitions.petitioner_file import person_latest_particulars
from petitions.selectors import item_qs_visible_to


@dataclass
class IntakePrefill:
    """Initial values of the intake form (`item`) and of its petitioner rows (`people`)."""

    item: dict[str, Any] = field(default_factory=dict)
    people: list[dict[str, Any]] = field(default_factory=list)


def _row(link: ItemPetitioner, *, reveal: bool) -> dict[str, Any]:
    """One petitioner row as given on an earlier item, linked to its person; masked fields only for reveal roles."""
    row: dict[str, Any] = {
        "name": link.name,
        "address_division": link.address_division_id or "",
        "is_representative": link.is_representative,
        "person": link.petitioner_id,
    }
    if reveal:
        row.update(id_number=link.id_number, phone=link.phone, address_detail=link.address_detail)
    return row


def _audit_opening(actor: User, links: list[ItemPetitioner], item_number: str) -> None:
    """One audit row per prefilled opening, naming the item the particulars were copied from."""
    audit_record(
        actor=actor,
        action="petitions.petitioner.revealed",
        target=links[0].petitioner,
        object_repr=links[0].audit_repr,
        changed_fields=[],
        detail={
            "field": "intake_prefill",
            "item": item_number,
            "petitioners": [link.petitioner_id for link in links],
        },
    )


def intake_prefill(
    *, actor: User, from_item_id: int | None = None, person_id: int | None = None, repeat: bool = False
) -> IntakePrefill | None:
    """The values a new registration starts with: an earlier item's people and matter (`from_item_id`, linked as
    its repeat with `repeat`), else one person's latest particulars; None when that is outside the actor's reach."""
    prefill = IntakePrefill()
    if from_item_id is None and person_id is None:
        return prefill
    reveal = actor.has_role(*settings.XF_REVEAL_ROLES)
    if from_item_id is not None:
        item = item_qs_visible_to(actor).filter(pk=from_item_id).first()
        if item is None:
            return None
        prefill.item = _item_values(item, repeat=repeat)
        links = list(
            ItemPetitioner.objects.filter(item=item).select_related("petitioner").order_by("position", "id")
        )
        prefill.item["head_count"] = max(item.head_count, len(links), 1)
        item_number = item.number
    else:
        latest = person_latest_particulars(actor, person_id) if person_id is not None else None
        if latest is None:
            return None
        links = [latest]
        item_number = latest.item.number
    prefill.people = [_row(link, reveal=reveal) for link in links]
    if links and reveal:
        with transaction.atomic():
            _audit_opening(actor, links, item_number)
    return prefill


def _item_values(item: Item, *, repeat: bool) -> dict[str, Any]:
    """The earlier item's matter: where, against whom, what kind; never its summary or demand."""
    values: dict[str, Any] = {
        "problem_division": item.problem_division_id or "",
        "problem_address": item.problem_address,
        "complained_unit": item.complained_unit_id,
        "complained_unit_name": "" if item.complained_unit_id else item.complained_unit_name,
        "category": item.category_id,
        "purpose": item.purpose,
    }
    if repeat:
        values["original"] = item.original_id or item.pk
    return values

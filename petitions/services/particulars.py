"""Correcting a petitioner's particulars on one item: an audited edit of that item's row and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.errors import DomainError
from core.models import User
from petitions.models import Item, ItemPetitioner
from petitions.services.common import in_subtree, lock_item, record_event, save_item
from petitions.services.intake import Particulars, PetitionerInput, particulars_clean, person_for

CORRECTABLE = {
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "phone": _("联系电话"),
    "address_division": _("住址（行政区划）"),
    "address_detail": _("详细住址"),
}


@dataclass(frozen=True)
class Correction:
    """What to change; a field left as None keeps its value, "" clears it (the name cannot be cleared)."""

    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    division_code: str | None = None
    address_detail: str | None = None


def may_correct_particulars(actor: User, item: Item) -> bool:
    """Whether the actor may correct what the item's window recorded: a clerk or section head of the registering
    unit or a unit above it."""
    return actor.has_role("clerk", "section_head") and in_subtree(item.registered_unit, actor.unit)


def _merged(link: ItemPetitioner, change: Correction) -> PetitionerInput:
    def pick(new: str | None, old: str) -> str:
        return old if new is None else new

    return PetitionerInput(
        name=pick(change.name, link.name),
        id_number=pick(change.id_number, link.id_number),
        phone=pick(change.phone, link.phone),
        division_code=pick(change.division_code, link.address_division_id or ""),
        address_detail=pick(change.address_detail, link.address_detail),
    )


def _comparable(source: ItemPetitioner | Particulars, name: str) -> object:
    """A field's value as compared before and after: a division by its code."""
    value = getattr(source, name)
    return value.pk if name == "address_division" and value is not None else value


def item_petitioner_correct(
    *, actor: User, item_id: int, person_id: int, change: Correction, expected_version: int | None
) -> ItemPetitioner:
    """Correct what was recorded for one person on one item (a typo at the window); other items never change.

    Only the registering unit (or a unit above it) corrects what its window recorded. A corrected ID number links
    the row to the person that number belongs to.
    """
    today = timezone.localdate()
    with transaction.atomic():
        item = lock_item(item_id, expected_version)
        if not may_correct_particulars(actor, item):
            raise DomainError(
                _("只有登记单位的登记员或科室负责人可以更正本件的信访人信息。"), code="forbidden"
            )
        link = (
            ItemPetitioner.objects.select_for_update()
            .filter(item_id=item.pk, petitioner_id=person_id)
            .first()
        )
        if link is None:
            raise DomainError(_("本件没有该信访人。"), field="petitioner")
        particulars = particulars_clean(_merged(link, change), today=today)
        values = particulars.as_fields()
        changed = [name for name in CORRECTABLE if _comparable(link, name) != _comparable(particulars, name)]
        if not changed:
            raise DomainError(_("没有需要更正的内容。"), field="name")
        before = link.petitioner_id
        if "id_number" in changed:
            person = person_for(
                particulars=particulars, linked_person_id=None, actor=actor, field="id_number"
            )
            others = ItemPetitioner.objects.filter(item_id=item.pk, petitioner=person).exclude(pk=link.pk)
            if others.exists():
                raise DomainError(_("该身份证号的信访人已在本件中登记。"), field="id_number")
            link.petitioner = person
        for name, value in values.items():
            setattr(link, name, value)
        link.save()
        save_item(item, [])
        labels = "、".join(str(CORRECTABLE[name]) for name in changed)
        record_event(
            item,
            "correct",
            actor=actor,
            on=today,
            from_status=item.status,
            note=_("更正信访人信息：%(fields)s") % {"fields": labels},
        )
        audit_record(
            actor=actor,
            action="petitions.item.petitioner_corrected",
            target=link,
            changed_fields=changed,
            detail={"item": item.number, "person": before, "person_now": link.petitioner_id},
        )
    return link

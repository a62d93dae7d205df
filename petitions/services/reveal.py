"""Revealing a masked personal field to a permitted role; every reveal is an audit row."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.errors import DomainError
from core.models import User
from petitions.models import ItemPetitioner

REVEALABLE = {"id_number": _("身份证号"), "phone": _("联系电话"), "address_detail": _("详细住址")}


def petitioner_reveal(*, actor: User, link: ItemPetitioner, field: str, item_number: str) -> str:
    """Return the value of `field` as given for this item; the caller fetched `link` through a scoped item.

    Only the item's own row is read, so a reveal never returns what entered the system through another item.
    """
    if field not in REVEALABLE:
        raise DomainError(_("该字段不能查看。"), field="field")
    if not actor.has_role(*settings.XF_REVEAL_ROLES):
        raise DomainError(_("您的角色不能查看完整的个人信息。"), code="forbidden")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="petitions.petitioner.revealed",
            target=link.petitioner,
            object_repr=link.audit_repr,
            changed_fields=[],
            detail={"field": field, "item": item_number},
        )
    return str(getattr(link, field))

"""Issuing numbered documents (告知书, 意见书) and recording their delivery."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.errors import DomainError
from core.models import Unit, User
from petitions.choices import DOCUMENT_ABBREVIATION, FILING_ROLES, DeliveryMethod, DocumentKind
from petitions.models import Document, DocumentCounter, Item
from petitions.services.clocks import windows_restart_after_delivery
from petitions.services.common import check_date, in_subtree, record_event

# One statement takes the next number: the first document of a unit, kind and year creates the counter, later ones
# increment it; concurrent issuers wait on the row instead of racing to create it.
NEXT_NUMBER_SQL = """
INSERT INTO {table} (unit_id, kind, year, last) VALUES (%s, %s, %s, 1)
ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = {table}.last + 1
RETURNING last
"""


def _next_number(unit: Unit, kind: str, year: int) -> str:
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(NEXT_NUMBER_SQL.format(table=table), [unit.pk, kind, year])
        (last,) = cursor.fetchone()
    issuer = unit.short_name or unit.name
    return f"{issuer}信{DOCUMENT_ABBREVIATION[DocumentKind(kind)]}〔{year}〕{last}号"


def document_issue(
    *, item: Item, kind: str, on: date, unit: Unit, actor: User, body: dict[str, Any]
) -> Document:
    """Number and store a document; called inside the life-cycle step that produces it."""
    document = Document.objects.create(
        item=item,
        kind=kind,
        number=_next_number(unit, kind, on.year),
        issued_on=on,
        issuing_unit=unit,
        body=body,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="petitions.document.issued",
        target=document,
        detail={"item": item.number, "kind": kind},
    )
    return document


def document_deliver(*, actor: User, document_id: int, on: date, method: str) -> Document:
    """Record how and when the petitioner received a document; a reply's review window runs from then."""
    if not actor.has_role(*FILING_ROLES):
        raise DomainError(_("您的角色不能登记送达。"), code="forbidden")
    if method not in DeliveryMethod.values:
        raise DomainError(_("请选择送达方式。"), field="method")
    with transaction.atomic():
        document = (
            Document.objects.select_for_update().select_related("item", "issuing_unit").get(pk=document_id)
        )
        if not in_subtree(document.issuing_unit, actor.unit):
            raise DomainError(_("只有出具单位可以登记送达。"), code="forbidden")
        if document.delivered_on is not None:
            raise DomainError(_("该文书已登记送达。"), code="already_delivered")
        if document.withdrawn_on is not None:
            raise DomainError(_("该文书已撤回重办，不能送达。"), code="withdrawn")
        check_date(on, not_before=document.issued_on)
        document.delivered_on = on
        document.delivery_method = method
        document.delivered_by = actor
        document.save(update_fields=["delivered_on", "delivery_method", "delivered_by"])
        item = Item.objects.select_for_update().get(pk=document.item_id)
        record_event(
            item,
            "deliver",
            actor=actor,
            on=on,
            from_status=item.status,
            note=_("%(doc)s（%(number)s）%(method)s")
            % {
                "doc": document.get_kind_display(),
                "number": document.number,
                "method": DeliveryMethod(method).label,
            },
        )
        windows_restart_after_delivery(item=item, document=document, actor=actor)
        audit_record(
            actor=actor,
            action="petitions.document.delivered",
            target=document,
            changed_fields=["delivered_on", "delivery_method"],
        )
    return document

"""Issuing numbered documents (告知书, 意见书) and recording their delivery."""

from __future__ import annotations

import re
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


RECEIVER_LIMIT = 100
TRACKING_NUMBER_LIMIT = 40
# Postal tracking numbers (EMS, 顺丰 …) are letters, digits and hyphens.
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9-]+")


def _delivery_particulars(method: str, receiver: str, tracking_number: str) -> tuple[str, str]:
    """The receiver and tracking number as stored, each refusal at its field."""
    receiver = (receiver or "").strip()
    tracking_number = (tracking_number or "").strip()
    if len(receiver) > RECEIVER_LIMIT:
        raise DomainError(_("不能超过%(limit)s字。") % {"limit": RECEIVER_LIMIT}, field="receiver")
    if method == DeliveryMethod.POST:
        if not tracking_number:
            raise DomainError(_("邮寄送达须填写邮件单号。"), field="tracking_number")
        if len(tracking_number) > TRACKING_NUMBER_LIMIT or not TRACKING_NUMBER.fullmatch(tracking_number):
            raise DomainError(
                _("邮件单号由字母、数字和连字符组成，不超过%(limit)s位。") % {"limit": TRACKING_NUMBER_LIMIT},
                field="tracking_number",
            )
    elif tracking_number:
        raise DomainError(_("只有邮寄送达填写邮件单号。"), field="tracking_number")
    return receiver, tracking_number


def document_deliver(
    *,
    actor: User,
    document_id: int,
    on: date,
    method: str,
    receiver: str = "",
    tracking_number: str = "",
) -> Document:
    """Record how, when and to whom a document was delivered (邮寄 with its tracking number); a decision's window
    runs from then instead of from the presumed delivery day."""
    if not actor.has_role(*FILING_ROLES):
        raise DomainError(_("您的角色不能登记送达。"), code="forbidden")
    if method not in DeliveryMethod.values:
        raise DomainError(_("请选择送达方式。"), field="method")
    receiver, tracking_number = _delivery_particulars(method, receiver, tracking_number)
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
        document.delivery_receiver, document.tracking_number = receiver, tracking_number
        document.save(
            update_fields=[
                "delivered_on",
                "delivery_method",
                "delivered_by",
                "delivery_receiver",
                "tracking_number",
            ]
        )
        item = Item.objects.select_for_update().get(pk=document.item_id)
        record_event(
            item,
            "deliver",
            actor=actor,
            on=on,
            from_status=item.status,
            note=_("%(doc)s（%(number)s）%(method)s%(receiver)s%(tracking)s")
            % {
                "doc": document.get_kind_display(),
                "number": document.number,
                "method": DeliveryMethod(method).label,
                "receiver": _("，签收人%(name)s") % {"name": receiver} if receiver else "",
                "tracking": _("，邮件单号%(number)s") % {"number": tracking_number}
                if tracking_number
                else "",
            },
        )
        windows_restart_after_delivery(item=item, document=document, actor=actor)
        audit_record(
            actor=actor,
            action="petitions.document.delivered",
            target=document,
            changed_fields=["delivered_on", "delivery_method", "delivery_receiver", "tracking_number"],
        )
    return document

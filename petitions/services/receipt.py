"""The registration receipt (登记回执) handed to the petitioner: printing it with the query code is audited."""

from __future__ import annotations

from django.db import transaction

from core.audit.record import audit_record
from core.models import User
from petitions.models import Item


def receipt_printed(*, actor: User, item: Item, with_query_code: bool) -> None:
    """Record that the receipt was printed; the caller fetched `item` through a scoped selector."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="petitions.item.receipt_printed",
            target=item,
            changed_fields=[],
            detail={"number": item.number, "query_code_shown": with_query_code},
        )

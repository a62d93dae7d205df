"""Exports of ledger content are recorded: who took which cases out of the system, and with what filters."""

from __future__ import annotations

from django.db import transaction

from core.audit.record import audit_record
from core.models import User


def ledger_export_record(*, actor: User, rows: int, filters: str) -> None:
    """One audit row per Excel export of the ledger."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="ledger.export.downloaded",
            object_type="ledger.keycase",
            object_repr=f"{rows}",
            detail={"rows": rows, "filters": filters},
        )

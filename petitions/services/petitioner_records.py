"""Audit rows of reading persons across items: opening a file page and exporting the repeat register."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.audit.record import audit_record
from core.models import User
from petitions.models import Petitioner


def petitioner_file_viewed_record(*, actor: User, person_id: int, what: str) -> None:
    """One audit row each time a person's file is opened (as the API's petitions.petitioner.viewed)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="petitions.petitioner.viewed",
            target=Petitioner(pk=person_id),
            object_type="petitions.petitioner",
            changed_fields=[],
            detail={"what": what},
        )


def repeat_register_export_record(*, actor: User, rows: int, filters: dict[str, Any]) -> None:
    """One audit row per Excel export of the repeat-petitioner register: who took how many persons out."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="petitions.repeat_register.exported",
            object_type="petitions.petitioner",
            object_repr=f"{rows}",
            detail={"rows": rows, "filters": filters},
        )

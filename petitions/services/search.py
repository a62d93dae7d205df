"""Recording a search by personal data (name, ID number, phone): the kind of term is audited, never the term."""

from __future__ import annotations

from django.db import transaction

from core.audit.record import audit_record
from core.models import User
from petitions.search import PERSONAL_KINDS, term_kinds

SESSION_KEY = (
    "petitions.item_search"  # the page's personal search terms, by the random key the address carries
)
SESSION_TERMS_MAX = 10


def item_search_recorded(*, actor: User, term: str, where: str) -> bool:
    """Audit a personal-data search of the item list (`where`: "page" or "api"); False when the term is not
    personal (no row is written then)."""
    kinds = [kind for kind in term_kinds(term) if kind in PERSONAL_KINDS]
    if not kinds:
        return False
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="petitions.item.searched_by_person",
            object_type="petitions.item",
            changed_fields=[],
            detail={"by": kinds, "where": where},
        )
    return True

"""A lookup the ORM lacks: case-insensitive containment written as ILIKE, which a pg_trgm index answers.

Django's `icontains` sends `UPPER(column) LIKE UPPER('%…%')`, which no index on the column itself can serve; the
trigram indexes on the petitioner's name and the item's summary and demand (gin_trgm_ops on the plain columns)
answer `column ILIKE '%…%'` for terms of three characters or more. A shorter term has no trigram: the index would
have to be read whole, and PostgreSQL misjudges how many rows it finds, so such a term is sent as `icontains` is.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, TextField
from django.db.models.lookups import PatternLookup
from django.db.models.sql.compiler import SQLCompiler

TRIGRAM = 3  # the shortest term a trigram index can narrow


class TrigramContains(PatternLookup):
    """`column ILIKE '%value%'`: the same rows as `icontains`, in a form a trigram index can answer."""

    lookup_name = "trgm_contains"
    param_pattern = "%%%s%%"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        if self.rhs_is_direct_value() and len(str(self.rhs)) < TRIGRAM:
            return f"UPPER({lhs_sql}::text) LIKE UPPER({rhs_sql})", (*lhs_params, *rhs_params)
        return f"{lhs_sql} ILIKE {rhs_sql}", (*lhs_params, *rhs_params)


def lookups_register() -> None:
    """Make `trgm_contains` available on text columns."""
    CharField.register_lookup(TrigramContains)
    TextField.register_lookup(TrigramContains)

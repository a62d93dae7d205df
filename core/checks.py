"""System checks run at start-up: the database must classify characters as UTF-8 for trigram search."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections


def database_ctype_problem(alias: str = "default") -> str | None:
    """A message when the database's LC_CTYPE is not UTF-8 (pg_trgm then makes no trigrams from Chinese)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT datctype, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"
        )
        ctype, encoding = cursor.fetchone()
    normalised = ctype.lower().replace("-", "")
    if encoding != "UTF8" or not normalised.endswith("utf8"):
        return (
            f"Database encoding {encoding} with LC_CTYPE={ctype}: create it with "
            "ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' (TEMPLATE template0), otherwise trigram search "
            "finds nothing in Chinese."
        )
    return None


@register(Tags.database)
def check_database_ctype(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse to migrate or start against a database whose character classification is not UTF-8."""
    errors: list[CheckMessage] = []
    for alias in databases or []:
        problem = database_ctype_problem(alias)
        if problem:
            errors.append(Error(problem, id="core.E001"))
    return errors

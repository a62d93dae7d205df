"""A text field stored encrypted (core.fieldcrypt): the database only ever holds ciphertext."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Exact, Lookup

from core.fieldcrypt import field_decrypt, field_encrypt


class EncryptedCharField(models.CharField):  # type: ignore[type-arg]
    """`max_length` bounds the plaintext; the column is text. Empty stays empty, so blank is still findable.

    Equal plaintexts encrypt differently, so the only lookups are "is it blank" and "is it null"; finding a
    person goes through the keyed hashes of core.pii.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "text"

    def associated_data(self) -> str:
        """What the ciphertext is bound to, so a value copied into another column fails to open."""
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if not value:
            return value
        return field_decrypt(value, self.associated_data())

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if not value:
            return value
        return field_encrypt(str(value), self.associated_data())

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "exact":
            return BlankOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: only blank (exact '') and isnull lookups work; "
            "search by the lookup hash instead."
        )


class BlankOnlyExact(Exact):
    """`field=""` works; comparing with a value cannot, since every encryption of it differs."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                "An encrypted field can only be compared with '' ; search by the lookup hash instead."
            )
        return super().get_prep_lookup()

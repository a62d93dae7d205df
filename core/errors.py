"""The domain error: a refusal with a Chinese message, optionally tied to the field that caused it."""

from __future__ import annotations


class DomainError(Exception):
    """Raised by services when a rule refuses a write; views show `message` at `field`."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict[str, list[str]]:
        """The error as {field: [message]}, with non_field_errors when no field is named."""
        return {self.field or "non_field_errors": [self.message]}


class ConflictError(DomainError):
    """The record changed since the user loaded it; nothing was written."""

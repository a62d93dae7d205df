"""Writing audit rows: every service calls `audit_record` inside its own transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from core.models import AuditEvent, User


@dataclass(frozen=True)
class RequestOrigin:
    """Where the current request came from; set by middleware, absent in tasks and commands."""

    ip_address: str | None


_origin: ContextVar[RequestOrigin | None] = ContextVar("audit_request_origin", default=None)


@contextmanager
def request_origin(ip_address: str | None) -> Iterator[None]:
    """Attach the client address to every audit row written while the block runs."""
    token = _origin.set(RequestOrigin(ip_address=ip_address))
    try:
        yield
    finally:
        _origin.reset(token)


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changed_fields: Iterable[str] = (),
    success: bool = True,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one audit row; a successful write must be called inside the write's transaction."""
    if success and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record for a write must run inside that write's transaction")
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        # A model holding personal data names itself through `audit_repr` (masked); the audit admin reads these rows.
        object_repr = object_repr or str(getattr(target, "audit_repr", None) or target)[:200]
    origin = _origin.get()
    known = actor if actor is not None and actor.pk is not None else None
    return AuditEvent.objects.create(
        actor=known,
        actor_username=(known.username if known else username)[:150],
        actor_roles=list(known.roles) if known else [],
        actor_unit_id=known.unit_id if known else None,
        ip_address=origin.ip_address if origin else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changed_fields=sorted(set(changed_fields)),
        success=success,
        detail=detail or {},
    )

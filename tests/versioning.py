"""Assertions shared by the stale-edit tests: a refused edit leaves its rows and the audit log as they were."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models

from core.models import AuditEvent


def stored(record: models.Model) -> dict[str, Any]:
    """The record's row as the database holds it now."""
    return type(record)._default_manager.filter(pk=record.pk).values().get()


@contextmanager
def nothing_written(*records: models.Model) -> Iterator[None]:
    """Assert that the block changes none of `records` and appends no audit row."""
    before = [stored(record) for record in records]
    audit_rows = AuditEvent.objects.count()
    yield
    assert [stored(record) for record in records] == before
    assert AuditEvent.objects.count() == audit_rows


def bumped(record: models.Model) -> int:
    """The record's stored version, after an edit by someone else (read back, not trusted from memory)."""
    return int(stored(record)["version"])


def in_form_error(html: str, message: str) -> bool:
    """True when `message` is shown in the error box above a form (not only in a flash message)."""
    start = html.find('class="form-error"')
    return start != -1 and message in html[start : html.find("</div>", start)]

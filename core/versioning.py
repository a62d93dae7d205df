"""Optimistic locking of the records users edit: a version read with the form, checked under the row lock."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ConflictError

Model = TypeVar("Model", bound=models.Model)


def version_field() -> models.PositiveIntegerField[int, int]:
    """The version column every editable record carries; each saved edit adds one."""
    # The database default keeps rows inserted by SQL (bulk loads, triggers) valid too.
    return models.PositiveIntegerField(gettext_lazy("版本"), default=1, db_default=1, editable=False)


def check_version(record: Any, expected_version: int | None, message: str | Promise | None = None) -> None:
    """Refuse the write when the caller edited a version of `record` that has since changed.

    `record` must already be locked (select_for_update) in the write's transaction, so no other edit can
    slip in between this check and the save. No expected version means the caller did not read one.
    """
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(str(message or _("该记录已被他人修改，请刷新页面后重试。")), code="conflict")


def lock_version(
    queryset: models.QuerySet[Model],
    pk: Any,
    expected_version: int | None,
    message: str | Promise | None = None,
) -> Model:
    """Lock the row `pk` of `queryset` for this transaction and check the version the caller edited."""
    record = queryset.select_for_update(of=("self",)).get(pk=pk)
    check_version(record, expected_version, message)
    return record


def bump_version(record: Any, fields: list[str] | tuple[str, ...]) -> list[str]:
    """Add one to the record's version; returns `fields` with the version, for save(update_fields=...)."""
    record.version += 1
    return [*fields, "version"]

"""Writes to the administrative divisions: loading the shipped national file and adding single divisions."""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.choices import DivisionLevel
from core.division_data import (
    DIVISIONS_FILE,
    LOAD_BATCH_SIZE,
    garbage_collector_paused,
    read_division_rows,
)
from core.errors import DomainError
from core.models import Division, User


def divisions_load_from_file(*, actor: User | None = None, path: Path = DIVISIONS_FILE) -> int:
    """Add every division of the shipped file that the database lacks; returns how many rows were added."""
    with transaction.atomic():
        existing = set(Division.objects.values_list("code", flat=True))
        added = 0
        batch: list[Division] = []
        with garbage_collector_paused():
            for code, name, level, parent_code in read_division_rows(path):
                if code in existing:
                    continue
                batch.append(Division(code=code, name=name, level=level, parent_id=parent_code))
                if len(batch) == LOAD_BATCH_SIZE:
                    Division.objects.bulk_create(batch)
                    added += len(batch)
                    batch = []
            if batch:
                Division.objects.bulk_create(batch)
                added += len(batch)
        if added:
            audit_record(
                actor=actor,
                action="core.divisions.loaded",
                object_type=Division._meta.label_lower,
                object_repr=_("载入全国行政区划"),
                detail={"rows": added},
            )
    return added


def _check_placement(*, level: int, parent: Division | None) -> None:
    """A division sits one level below its parent; a county may hang directly under a province (直辖市)."""
    if level == DivisionLevel.PROVINCE:
        if parent is not None:
            raise DomainError(_("省级行政区划不能有上级区划。"), field="parent_code")
        return
    if parent is None:
        raise DomainError(
            _("%(level)s行政区划必须指定上级区划。") % {"level": DivisionLevel(level).label},
            field="parent_code",
        )
    allowed = {level - 1}
    if level == DivisionLevel.COUNTY:
        allowed.add(DivisionLevel.PROVINCE)
    if parent.level not in allowed:
        raise DomainError(
            _("%(level)s行政区划不能设在%(parent_level)s区划“%(parent)s”之下。")
            % {
                "level": DivisionLevel(level).label,
                "parent_level": DivisionLevel(parent.level).label,
                "parent": parent.name,
            },
            field="level",
        )


def division_add(
    *, actor: User | None, code: str, name: str, level: int, parent_code: str | None
) -> Division:
    """Add one division (e.g. the demo's fictional city) under `parent_code`, audited."""
    code = (code or "").strip()
    name = (name or "").strip()
    parent_code = (parent_code or "").strip() or None
    if not code.isascii() or not code.isdigit() or len(code) > 12:
        raise DomainError(_("区划代码应为不超过12位的数字。"), field="code")
    if not name:
        raise DomainError(_("请填写区划名称。"), field="name")
    if len(name) > 100:
        raise DomainError(_("区划名称不超过100个字。"), field="name")
    if level not in DivisionLevel.values:
        raise DomainError(_("区划级别无效。"), field="level")
    with transaction.atomic():
        parent = None
        if parent_code is not None:
            parent = Division.objects.select_for_update().filter(code=parent_code).first()
            if parent is None:
                raise DomainError(
                    _("上级区划代码“%(code)s”不存在。") % {"code": parent_code}, field="parent_code"
                )
        _check_placement(level=level, parent=parent)
        taken = DomainError(_("区划代码“%(code)s”已存在。") % {"code": code}, field="code")
        if Division.objects.filter(code=code).exists():
            raise taken
        try:
            with transaction.atomic():
                division = Division.objects.create(code=code, name=name, level=level, parent=parent)
        except IntegrityError as exc:  # added by someone else since the check above
            raise taken from exc
        audit_record(
            actor=actor,
            action="core.division.added",
            target=division,
            changed_fields=["code", "name", "level", "parent"],
        )
    return division

"""Writes to the unit tree: add, edit, move, each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.choices import UnitKind, UnitLevel
from core.errors import DomainError
from core.models import Unit, User
from core.versioning import bump_version, lock_version

EDITABLE_FIELDS = ("name", "short_name", "code", "kind", "level", "division_code", "is_active")


def unit_check_placement(*, parent: Unit | None, kind: str, level: int) -> None:
    """Refuse a kind and level that do not fit under `parent` (also used by forms before saving)."""
    if parent is None:
        return
    if kind == UnitKind.DEPARTMENT and level != parent.level:
        raise DomainError(_("职能部门的层级应与所属地方相同。"), field="level")
    if kind == UnitKind.AREA and level != parent.level + 1:
        raise DomainError(
            _("下级地方应为“%(level)s”。") % {"level": UnitLevel(parent.level + 1).label},
            field="level",
        )
    if parent.kind == UnitKind.DEPARTMENT and kind == UnitKind.AREA:
        raise DomainError(_("职能部门下不能设立地方单位。"), field="parent")


def unit_check_code_free(code: str, exclude_id: int | None = None) -> None:
    """Refuse a unit code already in use by another unit."""
    taken = Unit.objects.filter(code=code)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise DomainError(_("单位编码“%(code)s”已被使用。") % {"code": code}, field="code")


def unit_create(*, actor: User | None, parent_id: int | None, **fields: Any) -> Unit:
    """Add a unit under `parent_id` (or a root when None)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        parent = Unit.objects.select_for_update().get(pk=parent_id) if parent_id else None
        unit_check_placement(parent=parent, kind=fields["kind"], level=fields["level"])
        unit_check_code_free(fields["code"])
        unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
        audit_record(actor=actor, action="core.unit.created", target=unit, changed_fields=fields)
    return unit


def unit_lock_for_edit(*, unit_id: int, expected_version: int | None) -> Unit:
    """Lock the unit for the surrounding transaction; refuse when it changed since the form was loaded."""
    return lock_version(
        Unit.objects.all(), unit_id, expected_version, _("该单位已被他人修改，请刷新页面后重试。")
    )


def unit_update(*, actor: User, unit_id: int, expected_version: int | None = None, **fields: Any) -> Unit:
    """Change a unit's own fields (not its place in the tree)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        unit = unit_lock_for_edit(unit_id=unit_id, expected_version=expected_version)
        parent = Unit.objects.get_parent(unit)
        unit_check_placement(
            parent=parent, kind=fields.get("kind", unit.kind), level=fields.get("level", unit.level)
        )
        if "code" in fields:
            unit_check_code_free(fields["code"], exclude_id=unit.pk)
        changed = [name for name, value in fields.items() if getattr(unit, name) != value]
        for name in changed:
            setattr(unit, name, fields[name])
        if changed:
            unit.save(update_fields=bump_version(unit, [*changed, "updated_at"]))
            audit_record(actor=actor, action="core.unit.updated", target=unit, changed_fields=changed)
    return unit


def unit_move(*, actor: User, unit_id: int, new_parent_id: int) -> Unit:
    """Move a unit, with everything below it, under another unit."""
    with transaction.atomic():
        units = {
            u.pk: u
            for u in Unit.objects.select_for_update().filter(pk__in=[unit_id, new_parent_id]).order_by("pk")
        }
        unit, new_parent = units[unit_id], units[new_parent_id]
        if new_parent.path.startswith(unit.path):
            raise DomainError(_("不能把单位移到它自己或其下级单位之下。"), field="parent")
        unit_check_placement(parent=new_parent, kind=unit.kind, level=unit.level)
        old_parent = Unit.objects.get_parent(unit)
        Unit.objects.move(unit, new_parent, pos="last-child")
        unit.refresh_from_db()
        audit_record(
            actor=actor,
            action="core.unit.moved",
            target=unit,
            changed_fields=["parent"],
            detail={"from": old_parent.pk if old_parent else None, "to": new_parent.pk},
        )
    return unit

"""Shared checks of ledger writes: dates, text, locking a case, who may act on it."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.services.deadlines import Subject
from core.errors import DomainError
from core.models import User
from core.versioning import bump_version, check_version
from ledger.choices import KEYCASE_SUBJECT
from ledger.models import KeyCase


def case_subject(case: KeyCase) -> Subject:
    return Subject(KEYCASE_SUBJECT, case.pk)


def check_day(on: date, *, field: str = "on", not_before: date | None = None) -> date:
    """A date typed for a ledger write: never in the future, not before `not_before`."""
    if on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天。"), field=field)
    if not_before is not None and on < not_before:
        raise DomainError(_("日期不能早于%(day)s。") % {"day": not_before.isoformat()}, field=field)
    return on


def text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    """Trimmed text within `limit` characters; required fields may not be blank."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("此项为必填项。"), field=field)
    if len(value) > limit:
        raise DomainError(
            _("不能超过%(limit)s个字（现有%(count)s个）。") % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def lock_case(case_id: int, expected_version: int | None = None) -> KeyCase:
    """Lock the case row; refuse when the caller edited a version that has since changed."""
    case = (
        KeyCase.objects.select_for_update(of=("self",))
        .select_related("office", "responsible_unit", "stabilizing_unit", "owner")
        .get(pk=case_id)
    )
    check_version(case, expected_version, _("该台账已被他人修改，请刷新后重试。"))
    return case


def save_case(case: KeyCase, fields: list[str]) -> None:
    """Save the changed fields and bump the version used to detect concurrent edits."""
    case.save(update_fields=bump_version(case, [*fields, "updated_at"]))


def require_office(actor: User, case: KeyCase) -> None:
    """Section heads of the ledger office (or above it) manage the case."""
    if not actor.has_role("section_head") or not actor.unit.contains(case.office):
        raise DomainError(_("只有台账管理单位的科室负责人可以执行此操作。"), code="forbidden")


def may_report_progress(actor: User, case: KeyCase) -> bool:
    """The responsible and stabilizing units, the ledger office and the owning leader report progress."""
    if actor.pk == case.owner_id:
        return True
    if not actor.has_role("handler", "section_head", "leader"):
        return False
    units = [case.responsible_unit, case.stabilizing_unit, case.office]
    return any(actor.unit.contains(unit) for unit in units if unit is not None)

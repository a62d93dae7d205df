"""Key cases: put on the ledger, edit, assign, reschedule, link items, report progress, strike off."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.services.deadlines import (
    deadline_meet,
    deadline_open,
    deadline_reassign,
    deadline_reschedule,
)
from core.audit.record import audit_record
from core.errors import DomainError
from core.models import Unit, User
from core.numbering import next_in_year
from ledger.choices import (
    OPEN_CASE_STATUSES,
    RESOLVE,
    STATUS_MOVES,
    CaseStatus,
    RiskLevel,
    Source,
    StrikeOffState,
)
from ledger.models import KeyCase, KeyCaseItem, ProgressReport, StrikeOffRequest
from ledger.services.common import (
    case_subject,
    check_day,
    lock_case,
    may_report_progress,
    require_office,
    save_case,
    text,
)
from petitions.selectors import item_qs_visible_to

CASE_NUMBER_SERIES = "ledger_keycase_number"
TITLE_LIMIT = 100
LONG_TEXT_LIMIT = 2000


@dataclass
class KeyCaseInput:
    """What a section head fills in to put a problem on the ledger."""

    title: str
    problem: str
    source: str
    risk_level: str
    owner_id: int | None
    responsible_unit_id: int | None
    measures: str
    resolve_by: date | None
    group_concerned: str = ""
    source_note: str = ""
    head_count: int = 0
    responsible_person_id: int | None = None
    stabilizing_unit_id: int | None = None
    opened_on: date | None = None
    item_ids: list[int] | None = None


def _unit_below(actor: User, unit_id: int | None, field: str, *, required: bool = True) -> Unit | None:
    if unit_id is None:
        if required:
            raise DomainError(_("此项为必填项。"), field=field)
        return None
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None or not actor.unit.contains(unit):
        raise DomainError(_("请选择本单位或下级单位。"), field=field)
    return unit


def _owner(actor: User, owner_id: int | None) -> User:
    """包案领导: an active leader of the actor's unit line (above it, or in its subtree)."""
    if owner_id is None:
        raise DomainError(_("请选择包案领导。"), field="owner")
    owner = User.objects.select_related("unit").filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_role("leader"):
        raise DomainError(_("包案领导必须是具有领导角色的在职人员。"), field="owner")
    if not (owner.unit.contains(actor.unit) or actor.unit.contains(owner.unit)):
        raise DomainError(_("包案领导应为本级或上级、下级单位的领导。"), field="owner")
    return owner


def _person(unit: Unit, person_id: int | None, field: str) -> User | None:
    if person_id is None:
        return None
    person = User.objects.select_related("unit").filter(pk=person_id, is_active=True).first()
    if person is None or not unit.contains(person.unit):
        raise DomainError(_("责任人应为责任单位或其下级单位的人员。"), field=field)
    return person


def _validate(data: KeyCaseInput, actor: User, today: date) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": text(data.title, "title", TITLE_LIMIT),
        "problem": text(data.problem, "problem", LONG_TEXT_LIMIT),
        "measures": text(data.measures, "measures", LONG_TEXT_LIMIT),
        "group_concerned": text(data.group_concerned, "group_concerned", 50, required=False),
        "source_note": text(data.source_note, "source_note", 200, required=False),
    }
    if data.source not in Source.values:
        raise DomainError(_("请选择来源。"), field="source")
    if data.risk_level not in RiskLevel.values:
        raise DomainError(_("请选择风险等级。"), field="risk_level")
    if data.head_count < 0:
        raise DomainError(_("涉及人数不能为负数。"), field="head_count")
    opened_on = check_day(data.opened_on or today, field="opened_on")
    if data.resolve_by is None:
        raise DomainError(_("请填写化解时限。"), field="resolve_by")
    if data.resolve_by <= opened_on:
        raise DomainError(
            _("化解时限应晚于列入台账日期（%(day)s）。") % {"day": opened_on.isoformat()}, field="resolve_by"
        )
    unit = _unit_below(actor, data.responsible_unit_id, "responsible_unit")
    assert unit is not None  # nosec B101  # narrows the type: the checks above guarantee it
    fields.update(
        source=data.source,
        risk_level=data.risk_level,
        head_count=data.head_count,
        opened_on=opened_on,
        resolve_by=data.resolve_by,
        owner=_owner(actor, data.owner_id),
        responsible_unit=unit,
        responsible_person=_person(unit, data.responsible_person_id, "responsible_person"),
        stabilizing_unit=_unit_below(actor, data.stabilizing_unit_id, "stabilizing_unit", required=False),
    )
    return fields


def _link_items(case: KeyCase, actor: User, item_ids: Iterable[int]) -> list[int]:
    wanted = set(item_ids)
    if not wanted:
        return []
    visible = set(item_qs_visible_to(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    if visible != wanted:
        raise DomainError(_("只能关联本单位可见的信访事项。"), field="items")
    already = set(case.item_links.values_list("item_id", flat=True))
    new = sorted(visible - already)
    KeyCaseItem.objects.bulk_create([KeyCaseItem(case=case, item_id=pk, linked_by=actor) for pk in new])
    return new


def keycase_create(*, actor: User, data: KeyCaseInput) -> KeyCase:
    """Put a problem on the ledger (列入台账) and start its 化解时限 on the clock engine."""
    if not actor.has_role("section_head"):
        raise DomainError(_("只有科室负责人可以将问题列入台账。"), code="forbidden")
    today = timezone.localdate()
    fields = _validate(data, actor, today)
    with transaction.atomic():
        opened_on: date = fields["opened_on"]
        case = KeyCase.objects.create(
            number=f"ZD{opened_on.year}-{next_in_year(CASE_NUMBER_SERIES, opened_on.year):04d}",
            office=actor.unit,
            created_by=actor,
            **fields,
        )
        linked = _link_items(case, actor, data.item_ids or [])
        deadline_open(
            subject=case_subject(case),
            kind=RESOLVE,
            unit_id=case.responsible_unit_id,
            responsible_id=case.responsible_person_id,
            overseer_id=case.owner_id,
            starts_on=opened_on,
            due_on=case.resolve_by,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="ledger.keycase.created",
            target=case,
            detail={"owner": case.owner_id, "responsible_unit": case.responsible_unit_id, "items": linked},
        )
    return case


EDITABLE_FIELDS = (
    "title",
    "problem",
    "group_concerned",
    "source",
    "source_note",
    "head_count",
    "risk_level",
    "measures",
)


def keycase_update(
    *, actor: User, case_id: int, changes: dict[str, Any], expected_version: int | None = None
) -> KeyCase:
    """Edit the description fields (title, problem, measures, risk…); owner, unit and deadline have own steps."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("不能在此修改：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    with transaction.atomic():
        case = lock_case(case_id, expected_version)
        require_office(actor, case)
        if case.status == CaseStatus.STRUCK_OFF:
            raise DomainError(_("已销号的台账不能修改。"), code="illegal_transition")
        limits = {"title": TITLE_LIMIT, "group_concerned": 50, "source_note": 200}
        changed = []
        for name, value in changes.items():
            if name in ("source", "risk_level"):
                allowed = Source.values if name == "source" else RiskLevel.values
                if value not in allowed:
                    raise DomainError(_("请从列表中选择。"), field=name)
            elif name == "head_count":
                if int(value) < 0:
                    raise DomainError(_("涉及人数不能为负数。"), field=name)
                value = int(value)
            else:
                required = name in ("title", "problem", "measures")
                value = text(str(value), name, limits.get(name, LONG_TEXT_LIMIT), required=required)
            if getattr(case, name) != value:
                setattr(case, name, value)
                changed.append(name)
        if changed:
            save_case(case, changed)
            audit_record(actor=actor, action="ledger.keycase.updated", target=case, changed_fields=changed)
    return case


def keycase_assign(
    *,
    actor: User,
    case_id: int,
    owner_id: int | None = None,
    responsible_unit_id: int | None = None,
    responsible_person_id: int | None = None,
    stabilizing_unit_id: int | None = None,
    expected_version: int | None = None,
) -> KeyCase:
    """Change the owning leader, responsible unit and person, or stabilizing unit; the clock follows the unit."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version)
        require_office(actor, case)
        if case.status == CaseStatus.STRUCK_OFF:
            raise DomainError(_("已销号的台账不能修改。"), code="illegal_transition")
        changed: list[str] = []
        if owner_id is not None and owner_id != case.owner_id:
            case.owner = _owner(actor, owner_id)
            changed.append("owner")
        if responsible_unit_id is not None and responsible_unit_id != case.responsible_unit_id:
            unit = _unit_below(actor, responsible_unit_id, "responsible_unit")
            assert unit is not None  # nosec B101  # narrows the type: the checks above guarantee it
            case.responsible_unit = unit
            changed.append("responsible_unit")
            person = case.responsible_person
            if responsible_person_id is None and person is not None and not unit.contains(person.unit):
                case.responsible_person = None  # the old person does not work in the new unit
                changed.append("responsible_person")
        if responsible_person_id is not None and responsible_person_id != case.responsible_person_id:
            case.responsible_person = _person(
                case.responsible_unit, responsible_person_id, "responsible_person"
            )
            changed.append("responsible_person")
        if stabilizing_unit_id is not None and stabilizing_unit_id != case.stabilizing_unit_id:
            case.stabilizing_unit = _unit_below(actor, stabilizing_unit_id, "stabilizing_unit")
            changed.append("stabilizing_unit")
        if not changed:
            return case
        save_case(case, changed)
        deadline_reassign(
            subject=case_subject(case),
            kind=RESOLVE,
            unit_id=case.responsible_unit_id,
            responsible_id=case.responsible_person_id,
            overseer_id=case.owner_id,
            actor=actor,
        )
        audit_record(actor=actor, action="ledger.keycase.assigned", target=case, changed_fields=changed)
    return case


def keycase_set_deadline(
    *, actor: User, case_id: int, resolve_by: date, reason: str = "", expected_version: int | None = None
) -> KeyCase:
    """Set a new 化解时限; the running clock moves to it and the change is recorded."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version)
        require_office(actor, case)
        if case.status not in OPEN_CASE_STATUSES:
            raise DomainError(
                _("“%(status)s”的台账不能调整化解时限。") % {"status": CaseStatus(case.status).label},
                code="illegal_transition",
            )
        if resolve_by <= timezone.localdate():
            raise DomainError(_("新的化解时限应晚于今天。"), field="resolve_by")
        if resolve_by == case.resolve_by:
            return case
        deadline_reschedule(
            subject=case_subject(case), kind=RESOLVE, due_on=resolve_by, actor=actor, reason=reason.strip()
        )
        before = case.resolve_by
        case.resolve_by = resolve_by
        save_case(case, ["resolve_by"])
        audit_record(
            actor=actor,
            action="ledger.keycase.rescheduled",
            target=case,
            changed_fields=["resolve_by"],
            detail={"before": before.isoformat(), "after": resolve_by.isoformat(), "reason": reason.strip()},
        )
    return case


def keycase_link_items(
    *, actor: User, case_id: int, item_ids: list[int], expected_version: int | None = None
) -> list[int]:
    """Link petition items the actor can see; returns the ids newly linked."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version)
        if not may_report_progress(actor, case):
            raise DomainError(_("您不能修改该台账。"), code="forbidden")
        linked = _link_items(case, actor, item_ids)
        if linked:
            save_case(case, [])
            audit_record(
                actor=actor, action="ledger.keycase.items_linked", target=case, detail={"items": linked}
            )
    return linked


def progress_add(
    *,
    actor: User,
    case_id: int,
    reported_on: date,
    done: str,
    next_step: str = "",
    status_after: str | None = None,
    corrects_id: int | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """A progress report (or a correction of one); it may move the status, and 已化解 meets the clock."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version)
        if not may_report_progress(actor, case):
            raise DomainError(
                _("只有责任单位、稳控单位、台账管理单位或包案领导可以报送进展。"), code="forbidden"
            )
        if case.status not in OPEN_CASE_STATUSES and corrects_id is None:
            raise DomainError(
                _("“%(status)s”的台账不再报送进展。") % {"status": CaseStatus(case.status).label},
                code="illegal_transition",
            )
        not_before = case.opened_on
        if corrects_id is None or status_after == CaseStatus.RESOLVED:
            # A refused strike-off reopened the case (and its clock) on the decision day: new reports and any
            # report resolving the case again are dated from then on.
            reopened_on = (
                case.strike_off_requests.filter(state=StrikeOffState.REFUSED)
                .order_by("-decided_on")
                .values_list("decided_on", flat=True)
                .first()
            )
            not_before = max(not_before, reopened_on or not_before)
        check_day(reported_on, field="reported_on", not_before=not_before)
        corrects = None
        if corrects_id is not None:
            corrects = case.progress_reports.filter(pk=corrects_id).first()
            if corrects is None:
                raise DomainError(_("请选择本台账的一条进展进行更正。"), field="corrects")
        status_before = case.status
        target = status_after or case.status
        if target not in CaseStatus.values:
            raise DomainError(_("请选择化解状态。"), field="status_after")
        if target != case.status and target not in STATUS_MOVES[case.status]:
            raise DomainError(
                _("化解状态不能从“%(from)s”改为“%(to)s”。")
                % {"from": CaseStatus(case.status).label, "to": CaseStatus(target).label},
                field="status_after",
            )
        report = ProgressReport.objects.create(
            case=case,
            reported_on=reported_on,
            unit=actor.unit,
            author=actor,
            done=text(done, "done", LONG_TEXT_LIMIT),
            next_step=text(next_step, "next_step", LONG_TEXT_LIMIT, required=False),
            status_before=status_before,
            status_after=target,
            corrects=corrects,
        )
        fields = []
        if case.last_progress_on is None or reported_on > case.last_progress_on:
            case.last_progress_on = reported_on
            fields.append("last_progress_on")
        if target != status_before:
            case.status = target
            fields.append("status")
            if target == CaseStatus.RESOLVED:
                case.resolved_on = reported_on
                fields.append("resolved_on")
                deadline_meet(subject=case_subject(case), kind=RESOLVE, met_on=reported_on, actor=actor)
        save_case(case, fields)
        audit_record(
            actor=actor,
            action="ledger.progress.corrected" if corrects else "ledger.progress.reported",
            target=report,
            detail={"case": case.pk, "status_before": status_before, "status_after": target},
        )
    return report


def strike_off_request(
    *, actor: User, case_id: int, on: date, reason: str, expected_version: int | None = None
) -> StrikeOffRequest:
    """The responsible unit asks to strike off (销号) a resolved case."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version)
        if not actor.has_role("handler", "section_head") or not actor.unit.contains(case.responsible_unit):
            raise DomainError(_("只有责任单位可以申请销号。"), code="forbidden")
        if case.status != CaseStatus.RESOLVED:
            raise DomainError(_("问题化解后才能申请销号。"), code="illegal_transition")
        if case.strike_off_requests.filter(state=StrikeOffState.PENDING).exists():
            raise DomainError(_("已有待审批的销号申请。"), code="pending_request")
        check_day(on, not_before=case.resolved_on)
        request = StrikeOffRequest.objects.create(
            case=case, requested_by=actor, requested_on=on, reason=text(reason, "reason", LONG_TEXT_LIMIT)
        )
        save_case(case, [])
        audit_record(
            actor=actor, action="ledger.strike_off.requested", target=case, detail={"request": request.pk}
        )
    return request


def strike_off_decide(
    *,
    actor: User,
    case_id: int,
    approve: bool,
    on: date,
    note: str = "",
    new_resolve_by: date | None = None,
    expected_version: int | None = None,
) -> StrikeOffRequest:
    """The section head approves (已销号) or refuses (back to 化解中 with a new 化解时限) the pending request."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version)
        require_office(actor, case)
        request = case.strike_off_requests.select_for_update().filter(state=StrikeOffState.PENDING).first()
        if request is None:
            raise DomainError(_("没有待审批的销号申请。"), code="no_request")
        if request.requested_by_id == actor.pk:
            raise DomainError(_("不能审批本人提出的销号申请。"), code="forbidden")
        check_day(on, not_before=request.requested_on)
        note = text(note, "note", LONG_TEXT_LIMIT, required=not approve)
        request.state = StrikeOffState.APPROVED if approve else StrikeOffState.REFUSED
        request.decided_by, request.decided_on, request.decision_note = actor, on, note
        request.save(update_fields=["state", "decided_by", "decided_on", "decision_note"])
        if approve:
            case.status, case.struck_off_on = CaseStatus.STRUCK_OFF, on
            save_case(case, ["status", "struck_off_on"])
        else:
            if new_resolve_by is None or new_resolve_by <= on:
                raise DomainError(_("退回时请指定晚于今天的新化解时限。"), field="new_resolve_by")
            case.status, case.resolved_on, case.resolve_by = CaseStatus.RESOLVING, None, new_resolve_by
            save_case(case, ["status", "resolved_on", "resolve_by"])
            deadline_open(
                subject=case_subject(case),
                kind=RESOLVE,
                unit_id=case.responsible_unit_id,
                responsible_id=case.responsible_person_id,
                overseer_id=case.owner_id,
                starts_on=on,
                due_on=new_resolve_by,
                actor=actor,
            )
        audit_record(
            actor=actor,
            action="ledger.strike_off.approved" if approve else "ledger.strike_off.refused",
            target=case,
            detail={"request": request.pk, "note": note},
        )
    return request


def keycases_bulk(
    *,
    actor: User,
    case_ids: list[int],
    owner_id: int | None = None,
    resolve_by: date | None = None,
    **units: Any,
) -> int:
    """One bulk action over many cases: every case goes through the same service, all or nothing."""
    if not case_ids:
        raise DomainError(_("请至少选择一条台账。"), field="cases")
    with transaction.atomic():
        for case_id in case_ids:
            if owner_id is not None or any(value is not None for value in units.values()):
                keycase_assign(actor=actor, case_id=case_id, owner_id=owner_id, **units)
            if resolve_by is not None:
                keycase_set_deadline(
                    actor=actor, case_id=case_id, resolve_by=resolve_by, reason=_("批量调整")
                )
    return len(case_ids)

"""督办 orders and their replies, 通报 notices and 追责 records: each write audited in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability.choices import (
    NotificationKind,
    SupervisionGround,
    SupervisionMethod,
    SupervisionStatus,
)
from accountability.models import (
    AccountabilityRecord,
    Circular,
    Deadline,
    Escalation,
    SupervisionOrder,
)
from accountability.services.deadlines import Subject, deadline_meet, deadline_open
from accountability.services.ladder import SUPERVISION_REPLY
from accountability.services.notifications import notification_send
from accountability.subjects import supervision_target_locate
from core.audit.record import audit_record
from core.choices import Role
from core.errors import DomainError
from core.models import Unit, User
from core.numbering import next_in_year
from core.text import first_line
from core.versioning import bump_version, lock_version

ORDER_SUBJECT = "accountability.supervisionorder"
ORDER_SERIES = "supervision_order"
CIRCULAR_SERIES = "circular"
LADDER_ORDER_BATCH = 200
REPORT_KINDS = ("ledger.screening", "ledger.daily")
STALE_ORDER = gettext_lazy("该督办单已被他人修改，请刷新页面后重试。")
NO_SUBJECT = gettext_lazy("请填写督办对象：信访事项、重点信访问题或排查发现，三者选其一。")


def supervision_may_reply(user: User, order: SupervisionOrder) -> bool:
    """Whether the user may answer the order: staff (handler, section head, leader) of the supervised unit's subtree."""
    return order.unit.contains(user.unit) and user.has_role(Role.HANDLER, Role.SECTION_HEAD, Role.LEADER)


def supervision_may_close(user: User, order: SupervisionOrder) -> bool:
    """Whether the user may close the order: a supervisor of the issuing unit or a unit above it."""
    return user.has_role(Role.SUPERVISOR) and user.unit.contains(order.issuing_unit)


def order_subject(order: SupervisionOrder) -> Subject:
    return Subject(ORDER_SUBJECT, order.pk)


def _tell(
    users: list[User], *, title: str, body: str, url: str, order: SupervisionOrder, due_on: date | None
) -> None:
    """Tell the people at once (督办 is never left for the digest), naming the order and its reply deadline."""
    notification_send(
        recipients=users,
        kind=NotificationKind.SUPERVISION,
        subject=title,
        body=body,
        link=url,
        reference=order.number,
        summary=first_line(order.requirement),
        due_on=due_on,
    )


def _unit_people(unit: Unit, roles: list[str]) -> list[User]:
    return list(User.objects.filter(unit=unit, is_active=True, roles__overlap=roles))


def supervision_issue(
    *,
    actor: User | None,
    unit: Unit,
    ground: str,
    method: str,
    requirement: str,
    issued_on: date,
    issuing_unit: Unit | None = None,
    deadline: Deadline | None = None,
    escalation: Escalation | None = None,
    subject: Subject | None = None,
) -> SupervisionOrder:
    """Issue a 督办单 to `unit` and start its reply clock; by a supervisor on one subject (an item, a key case or a
    screening finding the supervisor may see), or by the ladder when actor is None, on the deadline's subject."""
    if actor is not None:
        if not actor.has_role(Role.SUPERVISOR):
            raise DomainError(_("只有督查人员可以发出督办单。"))
        if not actor.unit.contains(unit):
            raise DomainError(_("只能督办本单位及下级单位。"), field="unit")
        if subject is None or supervision_target_locate(actor, subject.type, subject.id) is None:
            raise DomainError(str(NO_SUBJECT), field="subject")
        issuing_unit = actor.unit
    elif subject is None and deadline is not None:
        subject = Subject(deadline.subject_type, deadline.subject_id)
    if issuing_unit is None:
        raise ValueError("a ladder order names its issuing unit")
    with transaction.atomic():
        order = SupervisionOrder.objects.create(
            number=f"DB{issued_on.year}-{next_in_year(ORDER_SERIES, issued_on.year):05d}",
            unit=unit,
            issuing_unit=issuing_unit,
            deadline=deadline,
            escalation=escalation,
            subject_type=subject.type if subject else "",
            subject_id=subject.id if subject else None,
            ground=ground,
            method=method,
            requirement=requirement,
            issued_by=actor,
            issued_on=issued_on,
        )
        reply_clock = deadline_open(
            subject=order_subject(order),
            kind=SUPERVISION_REPLY,
            unit_id=unit.pk,
            starts_on=issued_on,
            actor=actor,
        )
        _tell(
            _unit_people(unit, [Role.SECTION_HEAD, Role.LEADER, Role.HANDLER]),
            title=f"【督办】{order.number}：{SupervisionGround(ground).label}",
            body=f"{issuing_unit.name}{SupervisionMethod(method).label}：{requirement[:200]}",
            url=f"/accountability/supervision/{order.pk}/",
            order=order,
            due_on=reply_clock.due_on,
        )
        audit_record(
            actor=actor,
            action="accountability.supervision.issued",
            target=order,
            detail={
                "unit": unit.pk,
                "ground": ground,
                "method": method,
                "by_ladder": actor is None,
                "subject": f"{subject.type}:{subject.id}" if subject else "",
            },
        )
    return order


def supervision_reply(
    *,
    actor: User,
    order: SupervisionOrder,
    reply: str,
    replied_on: date,
    expected_version: int | None = None,
) -> SupervisionOrder:
    """The supervised unit answers in writing; the reply clock stops, on time or late."""
    if not order.unit.contains(actor.unit) or not actor.has_role(
        Role.HANDLER, Role.SECTION_HEAD, Role.LEADER
    ):
        raise DomainError(_("只有被督办单位的人员可以答复督办单。"))
    if not reply.strip():
        raise DomainError(_("请填写答复内容。"), field="reply")
    if replied_on < order.issued_on or replied_on > timezone.localdate():
        raise DomainError(_("答复日期应在督办日期之后且不晚于今天。"), field="replied_on")
    with transaction.atomic():
        locked = lock_version(SupervisionOrder.objects.all(), order.pk, expected_version, STALE_ORDER)
        if locked.status != SupervisionStatus.ISSUED:
            raise DomainError(_("该督办单已答复，不能重复答复。"))
        locked.status, locked.reply = SupervisionStatus.REPLIED, reply.strip()
        locked.replied_by, locked.replied_on = actor, replied_on
        locked.save(update_fields=bump_version(locked, ["status", "reply", "replied_by", "replied_on"]))
        deadline_meet(subject=order_subject(locked), kind=SUPERVISION_REPLY, met_on=replied_on, actor=actor)
        issuers = (
            [locked.issued_by] if locked.issued_by else _unit_people(locked.issuing_unit, [Role.SUPERVISOR])
        )
        _tell(
            issuers,
            title=f"【督办答复】{locked.number}：{locked.unit.name}已答复",
            body=locked.reply[:300],
            url=f"/accountability/supervision/{locked.pk}/",
            order=locked,
            due_on=None,
        )
        audit_record(actor=actor, action="accountability.supervision.replied", target=locked)
    return locked


def supervision_close(
    *, actor: User, order: SupervisionOrder, expected_version: int | None = None
) -> SupervisionOrder:
    """The issuing side accepts the reply and closes the order."""
    if not actor.has_role(Role.SUPERVISOR) or not actor.unit.contains(order.issuing_unit):
        raise DomainError(_("只有督办单位的督查人员可以办结督办单。"))
    with transaction.atomic():
        locked = lock_version(SupervisionOrder.objects.all(), order.pk, expected_version, STALE_ORDER)
        if locked.status != SupervisionStatus.REPLIED:
            raise DomainError(_("督办单答复后才能办结。"))
        locked.status = SupervisionStatus.CLOSED
        locked.save(update_fields=bump_version(locked, ["status"]))
        audit_record(actor=actor, action="accountability.supervision.closed", target=locked)
    return locked


def supervision_orders_from_ladder(*, today: date, chunk: int = LADDER_ORDER_BATCH) -> int:
    """Issue a 督办单 for every ladder 督办 rung reached without one yet; run under the sweep's lock."""
    made = 0
    while True:
        pending = list(
            Escalation.objects.filter(step__opens_supervision=True, supervision_order__isnull=True)
            .select_related("deadline", "unit", "deadline__rule")
            .order_by("id")[:chunk]
        )
        for escalation in pending:
            _order_for_rung(escalation, today)
        made += len(pending)
        if len(pending) < chunk:
            return made


def _order_for_rung(escalation: Escalation, today: date) -> SupervisionOrder:
    unit = escalation.unit
    overdue = (today - escalation.due_on).days
    return supervision_issue(
        actor=None,
        unit=unit,
        issuing_unit=Unit.objects.get_parent(unit) or unit,  # type: ignore[attr-defined]
        ground=SupervisionGround.NOT_CLOSED_ON_TIME,
        method=SupervisionMethod.WRITTEN,
        requirement=(
            f"{escalation.deadline.rule.label}已超期 {overdue} 日（到期日 {escalation.due_on:%Y-%m-%d}），"
            "请于答复期限内书面说明原因和办理进度。"
        ),
        issued_on=today,
        deadline=escalation.deadline,
        escalation=escalation,
    )


@dataclass(frozen=True)
class CircularRow:
    """One unit's line in a 通报."""

    unit_id: int
    unit_name: str
    overdue: int
    missed_reports: int
    unanswered_supervision: int


def circular_rows(*, root: Unit, start: date, end: date, today: date) -> list[CircularRow]:
    """Per unit under `root`: deadlines overdue in the period, reports missed, 督办 unanswered past their reply date."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT u.id, u.name,
                count(*) FILTER (WHERE d.kind NOT IN %(reports)s AND d.kind <> %(reply)s),
                count(*) FILTER (WHERE d.kind IN %(reports)s),
                count(*) FILTER (WHERE d.kind = %(reply)s)
            FROM core_unit u
            JOIN accountability_deadline d ON d.unit_id = u.id
            WHERE u.path LIKE %(prefix)s
              AND d.due_on BETWEEN %(start)s AND %(end)s
              AND (d.status IN ('met_late', 'missed') OR (d.status = 'open' AND d.due_on < %(today)s))
            GROUP BY u.id, u.name, u.path
            ORDER BY count(*) DESC, u.path
            """,
            {
                "reports": REPORT_KINDS,
                "reply": SUPERVISION_REPLY,
                "prefix": root.path + "%",
                "start": start,
                "end": end,
                "today": today,
            },
        )
        return [CircularRow(*row) for row in cursor.fetchall()]


def circular_issue(*, actor: User, start: date, end: date, title: str = "") -> Circular:
    """Freeze the period's 通报 for the actor's unit subtree and archive it."""
    if not actor.has_role(Role.SUPERVISOR):
        raise DomainError(_("只有督查人员可以发出通报。"))
    if end < start:
        raise DomainError(_("截止日不能早于起始日。"), field="end")
    today = timezone.localdate()
    if end > today:
        raise DomainError(_("截止日不能晚于今天。"), field="end")
    rows = circular_rows(root=actor.unit, start=start, end=end, today=today)
    with transaction.atomic():
        circular = Circular.objects.create(
            number=f"TB{end.year}-{next_in_year(CIRCULAR_SERIES, end.year):03d}",
            issuing_unit=actor.unit,
            period_start=start,
            period_end=end,
            title=title.strip() or f"关于{start:%Y年%m月%d日}至{end:%Y年%m月%d日}信访工作超期情况的通报",
            rows=[row.__dict__ for row in rows],
            issued_by=actor,
        )
        audit_record(
            actor=actor, action="accountability.circular.issued", target=circular, detail={"units": len(rows)}
        )
    return circular


def accountability_record_create(
    *,
    actor: User,
    unit: Unit,
    person_name: str,
    person_title: str,
    liability: str,
    measure: str,
    reason: str,
    decided_by: str,
    decided_on: date,
    supervision_order: SupervisionOrder | None = None,
    circular: Circular | None = None,
    subject: Subject | None = None,
) -> AccountabilityRecord:
    """Record a 追责 decision against one person of a unit in the actor's subtree, started from an overdue item (its
    subject), a 督办单 (which lends its subject) or a 通报; the caller read the order and the 通报 through the
    actor's scoped selectors."""
    if not actor.has_role(Role.SUPERVISOR):
        raise DomainError(_("只有督查人员可以登记追责。"))
    if not actor.unit.contains(unit):
        raise DomainError(_("只能登记本单位及下级单位的追责。"), field="unit")
    if decided_on > timezone.localdate():
        raise DomainError(_("决定日期不能晚于今天。"), field="decided_on")
    if subject is None and supervision_order is not None and supervision_order.subject_id is not None:
        subject = Subject(supervision_order.subject_type, supervision_order.subject_id)
    elif subject is not None and supervision_target_locate(actor, subject.type, subject.id) is None:
        raise DomainError(_("关联的信访事项不存在或不在本单位范围内。"), field="subject")
    with transaction.atomic():
        record = AccountabilityRecord.objects.create(
            unit=unit,
            person_name=person_name.strip(),
            person_title=person_title.strip(),
            liability=liability,
            measure=measure,
            reason=reason.strip(),
            decided_by=decided_by.strip(),
            decided_on=decided_on,
            supervision_order=supervision_order,
            circular=circular,
            subject_type=subject.type if subject else "",
            subject_id=subject.id if subject else None,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="accountability.record.created",
            target=record,
            detail={
                "unit": unit.pk,
                "measure": measure,
                "liability": liability,
                "supervision_order": supervision_order.pk if supervision_order else None,
                "circular": circular.pk if circular else None,
                "subject": f"{subject.type}:{subject.id}" if subject else "",
            },
        )
    return record

"""The statutory life cycle: assign, accept or refuse or object, extend, reply, review, recheck, close.

Every step is one transaction: lock the item, check the status table and the actor, meet the current
deadline and open the next one through the clock engine, issue the document, record the event and audit.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.choices import NotificationKind
from accountability.models import DeadlineRule
from accountability.services.deadlines import (
    deadline_cancel,
    deadline_cancel_all,
    deadline_extend,
    deadline_lapse,
    deadline_meet,
    deadline_pause,
    deadline_reopen,
    deadline_resume,
)
from accountability.services.notifications import notification_send, notifications_settle
from core.audit.record import audit_record
from core.errors import DomainError
from core.models import Unit, User
from core.text import first_line
from petitions.choices import (
    ACCEPTANCE_CLOCK,
    EXTENSION_APPROVERS,
    HANDLING,
    OBJECTION,
    RECHECK_CLOCK,
    RECHECK_WINDOW,
    REVIEW_CLOCK,
    REVIEW_WINDOW,
    ROUTING,
    STATUTORY_CHANNEL,
    TRANSITIONS,
    Action,
    CloseReason,
    DocumentKind,
    Marker,
    Outcome,
    ReviewDecision,
    Route,
    Satisfaction,
    Status,
)
from petitions.models import ExtensionRequest, Item
from petitions.services.clocks import (
    item_clock_open,
    item_clock_running,
    window_open_presumed,
    window_start_by_request,
)
from petitions.services.common import (
    StepStart,
    check_date,
    check_step_date,
    check_transition,
    in_subtree,
    lock_item,
    record_event,
    require_standing,
    save_item,
    step_begin,
    subject_of,
)
from petitions.services.documents import document_issue

TEXT_LIMIT = 2000


def _text(value: str, field: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("此项必填。"), field=field)
    if len(value) > limit:
        raise DomainError(_("不能超过%(limit)s字。") % {"limit": limit}, field=field)
    return value


def _finish(step: StepStart, actor: User, on: date, fields: list[str], note: str = "") -> Item:
    """Save the step's fields, append it to the timeline and audit it."""
    item = step.item
    save_item(item, fields)
    record_event(item, step.action, actor=actor, on=on, from_status=step.from_status, note=note)
    audit_record(
        actor=actor,
        action=f"petitions.item.{TRANSITIONS[step.action].verb}",
        target=item,
        changed_fields=fields,
        detail={"from": step.from_status, "to": item.status},
    )
    return item


def item_assign(
    *, actor: User, item_id: int, unit_id: int, on: date, note: str = "", expected_version: int | None = None
) -> Item:
    """转送/交办 to the responsible unit: meets the 15-day routing clock, opens acceptance and objection."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.ASSIGN, on, expected_version)
        item = step.item
        target = step.moves_to
        unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
        if unit is None or not in_subtree(unit, actor.unit):
            raise DomainError(_("请选择本单位或下级的责任单位。"), field="unit")
        check_date(on, not_before=item.received_on)
        deadline_meet(subject=subject_of(item), kind=ROUTING, met_on=on, actor=actor)
        item.responsible_unit, item.assigned_on, item.status = unit, on, target
        item_clock_open(item, ACCEPTANCE_CLOCK, unit, on, actor)
        item_clock_open(item, OBJECTION, unit, on, actor)
        return _finish(
            step,
            actor,
            on,
            ["responsible_unit", "assigned_on", "status"],
            note=_text(note, "note", required=False) or _("交办至%(unit)s") % {"unit": unit.name},
        )


def item_accept(
    *, actor: User, item_id: int, on: date, note: str = "", expected_version: int | None = None
) -> Item:
    """受理 for ordinary handling (route 6): issues the 受理告知书 and starts the 60-day handling clock."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.ACCEPT, on, expected_version)
        item = step.item
        target = step.moves_to
        if Marker.LITIGATION in item.markers:
            raise DomainError(
                _("涉法涉诉事项应导入诉讼等法定程序（诉访分离），请选择“不予受理”并告知法定途径。"),
                code="litigation",
            )
        check_date(on, not_before=item.assigned_on)
        deadline_meet(subject=subject_of(item), kind=ACCEPTANCE_CLOCK, met_on=on, actor=actor)
        deadline_cancel(subject=subject_of(item), kind=OBJECTION, actor=actor, reason=_("已受理"))
        item.status, item.accepted_on, item.route = target, on, Route.ORDINARY
        if actor.has_role("handler") and item.handler_id is None:
            item.handler = actor
        item_clock_open(item, HANDLING, item.responsible_unit, on, actor, responsible=item.handler)  # type: ignore[arg-type]
        handling = item_clock_running(item, HANDLING)
        document_issue(
            item=item,
            kind=DocumentKind.ACCEPTANCE,
            on=on,
            unit=item.responsible_unit,  # type: ignore[arg-type]
            actor=actor,
            body={
                "received_on": item.received_on.isoformat(),
                "accepted_on": on.isoformat(),
                "due_on": handling.due_on.isoformat() if handling else "",
                "note": _text(note, "note", required=False),
            },
        )
        return _finish(step, actor, on, ["status", "accepted_on", "route", "handler"], note)


def item_reject(
    *,
    actor: User,
    item_id: int,
    on: date,
    route: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Item:
    """不予受理: the item belongs in another statutory procedure; the 告知书 names the channel."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.REJECT, on, expected_version)
        item = step.item
        target = step.moves_to
        if route not in Route.values or route == Route.ORDINARY:
            raise DomainError(_("请选择应当导入的法定途径。"), field="route")
        check_date(on, not_before=item.assigned_on)
        channel = str(STATUTORY_CHANNEL[Route(route)])
        reason = _text(reason, "reason", required=False) or channel
        deadline_meet(subject=subject_of(item), kind=ACCEPTANCE_CLOCK, met_on=on, actor=actor)
        deadline_cancel(subject=subject_of(item), kind=OBJECTION, actor=actor, reason=_("不予受理"))
        item.status, item.route, item.refusal_reason = target, route, reason
        document_issue(
            item=item,
            kind=DocumentKind.NON_ACCEPTANCE,
            on=on,
            unit=item.responsible_unit,  # type: ignore[arg-type]
            actor=actor,
            body={
                "route": route,
                "route_label": str(Route(route).label),
                "channel": channel,
                "reason": reason,
            },
        )
        return _finish(step, actor, on, ["status", "route", "refusal_reason"], reason)


def item_object(
    *, actor: User, item_id: int, on: date, reason: str, expected_version: int | None = None
) -> Item:
    """退回异议: the unit says it was wrongly assigned, within 5 working days; the office routes it again."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.OBJECT, on, expected_version)
        item = step.item
        target = step.moves_to
        reason = _text(reason, "reason")
        check_date(on, not_before=item.assigned_on)
        window = item_clock_running(item, OBJECTION)
        if window is None or on > window.due_on:
            raise DomainError(
                _("已超过5个工作日的异议期限（%(day)s），请按交办要求受理或不予受理。")
                % {"day": window.due_on.isoformat() if window else "—"},
                code="objection_late",
            )
        deadline_meet(subject=subject_of(item), kind=OBJECTION, met_on=on, actor=actor)
        deadline_cancel(subject=subject_of(item), kind=ACCEPTANCE_CLOCK, actor=actor, reason=_("退回异议"))
        returned_from = item.responsible_unit
        item.status, item.responsible_unit, item.assigned_on = target, None, None
        item_clock_open(item, ROUTING, item.registered_unit, on, actor)
        return _finish(
            step,
            actor,
            on,
            ["status", "responsible_unit", "assigned_on"],
            _("%(unit)s退回：%(reason)s")
            % {"unit": returned_from.name if returned_from else "", "reason": reason},
        )


def _tell_extension_approvers(request_id: int) -> None:
    """Tell every active section head and leader of the item's responsible unit (who alone may approve it) that an
    extension request waits for them."""
    request = ExtensionRequest.objects.select_related("item").get(pk=request_id)
    item = request.item
    if item.responsible_unit_id is None or request.state != ExtensionRequest.State.PENDING:
        return  # decided in the same transaction that made it (entered after the fact): nothing waits
    heads = User.objects.filter(
        unit_id=item.responsible_unit_id, is_active=True, roles__overlap=sorted(EXTENSION_APPROVERS)
    ).order_by("id")
    handling = item_clock_running(item, HANDLING)
    notification_send(
        recipients=heads,
        kind=NotificationKind.APPROVAL,
        subject=_("延期申请待审批：%(number)s") % {"number": item.number},
        body=_("信访事项%(number)s申请延长办理期限%(days)s日，理由：%(reason)s")
        % {"number": item.number, "days": request.days, "reason": request.reason},
        link=reverse("petitions:item_detail", args=[item.pk]),
        reference=item.number,
        summary=first_line(item.summary),
        due_on=handling.due_on if handling else None,
    )


def item_request_extension(
    *, actor: User, item_id: int, on: date, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """A handler asks to extend handling; a section head decides."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.REQUEST_EXTENSION, on, expected_version)
        item = step.item
        rule = DeadlineRule.objects.get(pk=HANDLING)
        if not 1 <= days <= rule.max_extension_days:
            raise DomainError(
                _("延长天数应在1至%(max)s日之间。") % {"max": rule.max_extension_days}, field="days"
            )
        handling = item_clock_running(item, HANDLING)
        if handling is None or handling.extensions.count() >= rule.max_extensions:
            raise DomainError(_("办理期限只能延长一次，已经延期过。"), code="extended_already")
        if item.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
            raise DomainError(_("已有待审批的延期申请。"), code="pending_request")
        check_date(on, not_before=item.accepted_on)
        request = ExtensionRequest.objects.create(
            item=item, days=days, reason=_text(reason, "reason"), requested_by=actor, requested_on=on
        )
        save_item(item, [])  # a pending request changes what the item page offers: bump the version
        record_event(
            item,
            Action.REQUEST_EXTENSION,
            actor=actor,
            on=on,
            from_status=item.status,
            note=_("申请延长%(days)s日：%(reason)s") % {"days": days, "reason": request.reason},
        )
        audit_record(
            actor=actor, action="petitions.item.extension_requested", target=item, detail={"days": days}
        )
        request_id = request.pk
        transaction.on_commit(lambda: _tell_extension_approvers(request_id))
    return request


def item_extend(
    *,
    actor: User,
    item_id: int,
    on: date,
    approve: bool = True,
    days: int | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Item:
    """The handling unit's own head approves (or refuses) the extension: same start, longer period, 延期告知书
    issued; the approvers' notices of the request are settled."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.EXTEND, on, expected_version)
        item = step.item
        check_date(on, not_before=item.accepted_on)
        pending = (
            item.extension_requests.select_for_update().filter(state=ExtensionRequest.State.PENDING).first()
        )
        if pending is not None:
            days = days or pending.days
            reason = reason.strip() or pending.reason
            pending.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
            pending.decided_by, pending.decided_on = actor, on
            pending.save(update_fields=["state", "decided_by", "decided_on"])
            notifications_settle(
                kind=NotificationKind.APPROVAL, link=reverse("petitions:item_detail", args=[item.pk])
            )
        elif not approve:
            raise DomainError(_("没有待审批的延期申请。"), code="no_request")
        if not approve:
            save_item(item, [])  # the decision changes what the item page offers: bump the version
            record_event(
                item, Action.EXTEND, actor=actor, on=on, from_status=item.status, note=_("未批准延期")
            )
            audit_record(actor=actor, action="petitions.item.extension_refused", target=item)
            return item
        if days is None:
            raise DomainError(_("请填写延长天数。"), field="days")
        reason = _text(reason, "reason")
        deadline = deadline_extend(
            subject=subject_of(item),
            kind=HANDLING,
            days=days,
            reason=reason,
            approved_by=actor,
            approved_on=on,
        )
        document_issue(
            item=item,
            kind=DocumentKind.EXTENSION,
            on=on,
            unit=item.responsible_unit,  # type: ignore[arg-type]
            actor=actor,
            body={"days": days, "reason": reason, "due_on": deadline.due_on.isoformat()},
        )
        return _finish(
            step,
            actor,
            on,
            [],
            _("批准延长%(days)s日，办理期限至%(due)s") % {"days": days, "due": deadline.due_on.isoformat()},
        )


def item_reply(
    *, actor: User, item_id: int, on: date, outcome: str, opinion: str, expected_version: int | None = None
) -> Item:
    """信访处理意见书: 予以支持 / 解释说明 / 不予支持; the petitioner's 30-day review window opens."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.REPLY, on, expected_version)
        item = step.item
        target = step.moves_to
        if outcome not in Outcome.values:
            raise DomainError(_("请选择处理意见。"), field="outcome")
        opinion = _text(opinion, "opinion")
        check_date(on, not_before=item.accepted_on)
        deadline_meet(subject=subject_of(item), kind=HANDLING, met_on=on, actor=actor)
        item.status, item.replied_on, item.outcome = target, on, outcome
        reply = document_issue(
            item=item,
            kind=DocumentKind.REPLY,
            on=on,
            unit=item.responsible_unit,  # type: ignore[arg-type]
            actor=actor,
            body={"outcome": outcome, "outcome_label": str(Outcome(outcome).label), "opinion": opinion},
        )
        window_open_presumed(item, reply, item.responsible_unit, actor)  # type: ignore[arg-type]
        return _finish(step, actor, on, ["status", "replied_on", "outcome"], opinion)


def item_rework(
    *, actor: User, item_id: int, on: date, reason: str, expected_version: int | None = None
) -> Item:
    """退回重办: the handling unit's own head sends a reply back before it reaches the petitioner; the reply is
    withdrawn (its number stays used), the review window closes and the handling clock runs again from where it
    stood, so the days spent on the withdrawn answer still count."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.REWORK, on, expected_version)
        item = step.item
        reason = _text(reason, "reason")
        check_date(on, not_before=item.replied_on)
        if item.satisfaction:
            raise DomainError(_("信访人已评价处理意见，不能退回重办。"), code="evaluated_already")
        reply = (
            item.documents.select_for_update()
            .filter(kind=DocumentKind.REPLY, withdrawn_on__isnull=True)
            .order_by("-issued_on", "-id")
            .first()
        )
        if reply is not None and reply.delivered_on is not None:
            raise DomainError(
                _("处理意见书已于%(day)s送达信访人，不能退回重办；信访人可申请复查。")
                % {"day": reply.delivered_on.isoformat()},
                code="reply_delivered",
            )
        subject = subject_of(item)
        deadline_cancel(subject=subject, kind=REVIEW_WINDOW, actor=actor, reason=_("退回重办"))
        deadline_reopen(subject=subject, kind=HANDLING, actor=actor, reason=reason)
        if reply is not None:
            reply.withdrawn_on, reply.withdrawn_reason = on, reason
            reply.save(update_fields=["withdrawn_on", "withdrawn_reason"])
        item.status, item.replied_on, item.outcome = step.moves_to, None, ""
        return _finish(
            step,
            actor,
            on,
            ["status", "replied_on", "outcome"],
            _("退回重办：%(reason)s") % {"reason": reason},
        )


def item_evaluate(
    *, actor: User, item_id: int, on: date, satisfaction: str, expected_version: int | None = None
) -> Item:
    """Record the petitioner's satisfaction with the reply (满意 / 基本满意 / 不满意)."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.EVALUATE, on, expected_version)
        item = step.item
        if item.replied_on is None:
            raise DomainError(_("尚未出具处理意见，不能评价。"), code="not_replied")
        if item.satisfaction:
            raise DomainError(
                _("信访人已于%(day)s评价，不能重复评价。")
                % {"day": item.evaluated_on.isoformat() if item.evaluated_on else ""},
                code="evaluated_already",
            )
        if satisfaction not in Satisfaction.values:
            raise DomainError(_("请选择满意度。"), field="satisfaction")
        check_date(on, not_before=item.replied_on)
        item.satisfaction, item.evaluated_on = satisfaction, on
        return _finish(
            step,
            actor,
            on,
            ["satisfaction", "evaluated_on"],
            str(Satisfaction(satisfaction).label),
        )


def item_request_review(*, actor: User, item_id: int, on: date, expected_version: int | None = None) -> Item:
    """复查 requested of the next-higher body (the actor's unit) within 30 days of receiving the reply."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.REQUEST_REVIEW, on, expected_version)
        item = step.item
        target = step.moves_to
        check_date(on, not_before=item.replied_on)
        window_start_by_request(item=item, kind=REVIEW_WINDOW, on=on, actor=actor)
        window = item_clock_running(item, REVIEW_WINDOW)
        if window is None or on > window.due_on:
            raise DomainError(_("已超过申请复查的期限。"), code="window_lapsed")
        deadline_meet(subject=subject_of(item), kind=REVIEW_WINDOW, met_on=on, actor=actor)
        item.status, item.review_unit = target, actor.unit
        item_clock_open(item, REVIEW_CLOCK, actor.unit, on, actor)
        return _finish(step, actor, on, ["status", "review_unit"])


def item_review_decision(
    *, actor: User, item_id: int, on: date, decision: str, opinion: str, expected_version: int | None = None
) -> Item:
    """复查意见书 within 30 days of the request; the 30-day window for 复核 opens."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.REVIEW_DECISION, on, expected_version)
        item = step.item
        target = step.moves_to
        if decision not in ReviewDecision.values:
            raise DomainError(_("请选择复查决定。"), field="decision")
        opinion = _text(opinion, "opinion")
        deadline_meet(subject=subject_of(item), kind=REVIEW_CLOCK, met_on=check_date(on), actor=actor)
        item.status, item.review_decision = target, decision
        decision_document = document_issue(
            item=item,
            kind=DocumentKind.REVIEW,
            on=on,
            unit=item.review_unit,  # type: ignore[arg-type]
            actor=actor,
            body={
                "decision": decision,
                "decision_label": str(ReviewDecision(decision).label),
                "opinion": opinion,
            },
        )
        window_open_presumed(item, decision_document, item.review_unit, actor)  # type: ignore[arg-type]
        return _finish(step, actor, on, ["status", "review_decision"], opinion)


def item_request_recheck(*, actor: User, item_id: int, on: date, expected_version: int | None = None) -> Item:
    """复核 requested of the body above the 复查 body within 30 days of the review decision."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.REQUEST_RECHECK, on, expected_version)
        item = step.item
        target = step.moves_to
        check_date(on)
        window_start_by_request(item=item, kind=RECHECK_WINDOW, on=on, actor=actor)
        window = item_clock_running(item, RECHECK_WINDOW)
        if window is None or on > window.due_on:
            raise DomainError(_("已超过申请复核的期限。"), code="window_lapsed")
        deadline_meet(subject=subject_of(item), kind=RECHECK_WINDOW, met_on=on, actor=actor)
        item.status, item.recheck_unit = target, actor.unit
        item_clock_open(item, RECHECK_CLOCK, actor.unit, on, actor)
        return _finish(step, actor, on, ["status", "recheck_unit"])


def item_hearing(
    *,
    actor: User,
    item_id: int,
    on: date,
    starting: bool,
    note: str = "",
    expected_version: int | None = None,
) -> Item:
    """A 听证 during 复核 does not count: the recheck clock stops at its start and resumes at its end."""
    with transaction.atomic():
        action = Action.HEARING_START if starting else Action.HEARING_END
        step = step_begin(actor, item_id, action, on, expected_version)
        item = step.item
        check_date(on)
        if starting:
            deadline_pause(
                subject=subject_of(item), kind=RECHECK_CLOCK, on=on, reason=note or _("听证"), actor=actor
            )
        else:
            deadline_resume(subject=subject_of(item), kind=RECHECK_CLOCK, on=on, actor=actor)
        return _finish(step, actor, on, [], note)


def item_recheck_decision(
    *, actor: User, item_id: int, on: date, decision: str, opinion: str, expected_version: int | None = None
) -> Item:
    """复核意见书: the item ends (终结); the same facts and reasons are not accepted again."""
    with transaction.atomic():
        step = step_begin(actor, item_id, Action.RECHECK_DECISION, on, expected_version)
        item = step.item
        target = step.moves_to
        if decision not in ReviewDecision.values:
            raise DomainError(_("请选择复核决定。"), field="decision")
        opinion = _text(opinion, "opinion")
        recheck = item_clock_running(item, RECHECK_CLOCK)
        if recheck is not None and recheck.is_paused:
            raise DomainError(_("听证尚未结束，请先登记听证结束。"), code="hearing_running")
        deadline_meet(subject=subject_of(item), kind=RECHECK_CLOCK, met_on=check_date(on), actor=actor)
        item.status, item.recheck_decision = target, decision
        item.closed_on, item.close_reason = on, CloseReason.RECHECKED
        document_issue(
            item=item,
            kind=DocumentKind.RECHECK,
            on=on,
            unit=item.recheck_unit,  # type: ignore[arg-type]
            actor=actor,
            body={
                "decision": decision,
                "decision_label": str(ReviewDecision(decision).label),
                "opinion": opinion,
            },
        )
        return _finish(
            step,
            actor,
            on,
            ["status", "recheck_decision", "closed_on", "close_reason"],
            opinion,
        )


CLOSE_REASONS_BY_STATUS = {
    Status.REGISTERED: {CloseReason.ANSWERED_ON_SITE, CloseReason.WITHDRAWN},
    Status.ACCEPTED: {CloseReason.MEDIATION, CloseReason.SETTLEMENT, CloseReason.WITHDRAWN},
    Status.REPLIED: {CloseReason.ACCEPTED_REPLY, CloseReason.REVIEW_WINDOW_LAPSED, CloseReason.WITHDRAWN},
    Status.REVIEWED: {CloseReason.ACCEPTED_REPLY, CloseReason.RECHECK_WINDOW_LAPSED, CloseReason.WITHDRAWN},
}


def item_close(
    *,
    actor: User | None,
    item_id: int,
    on: date,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
) -> Item:
    """办结 for the reasons each status allows; `actor=None` is the nightly close of lapsed windows."""
    with transaction.atomic():
        item = lock_item(item_id, expected_version)
        check_step_date(item, on)
        if actor is not None:
            check_transition(item, Action.CLOSE, actor)
            require_standing(actor, item, Action.CLOSE)
            # Not before the item was received, nor before the step that brought it to its current status.
            reached = [item.received_on, item.assigned_on, item.accepted_on, item.replied_on]
            check_date(on, not_before=max(day for day in reached if day is not None))
        elif item.status not in CLOSE_REASONS_BY_STATUS:
            raise DomainError(_("当前状态不能办结。"), code="illegal_transition")
        if reason not in CLOSE_REASONS_BY_STATUS.get(Status(item.status), set()):
            raise DomainError(_("当前状态下不能以此方式办结。"), field="reason")
        from_status = item.status
        subject = subject_of(item)
        if reason in (CloseReason.REVIEW_WINDOW_LAPSED, CloseReason.RECHECK_WINDOW_LAPSED):
            window = REVIEW_WINDOW if reason == CloseReason.REVIEW_WINDOW_LAPSED else RECHECK_WINDOW
            open_window = item_clock_running(item, window)
            if open_window is not None and open_window.due_on >= on:
                raise DomainError(
                    _("申请期限到%(day)s才届满。") % {"day": open_window.due_on.isoformat()}, field="reason"
                )
            if open_window is not None:
                deadline_lapse(subject=subject, kind=window, actor=actor)
        if item.status == Status.ACCEPTED and reason in (CloseReason.MEDIATION, CloseReason.SETTLEMENT):
            deadline_meet(subject=subject, kind=HANDLING, met_on=on, actor=actor)
        deadline_cancel_all(subject=subject, actor=actor, reason=str(CloseReason(reason).label))
        item.status, item.closed_on, item.close_reason = Status.CLOSED, on, reason
        save_item(item, ["status", "closed_on", "close_reason"])
        record_event(
            item,
            Action.CLOSE,
            actor=actor,
            on=on,
            from_status=from_status,
            note=note or str(CloseReason(reason).label),
        )
        audit_record(
            actor=actor,
            action="petitions.item.closed",
            target=item,
            changed_fields=["status", "closed_on", "close_reason"],
            detail={"reason": reason, "from": from_status},
        )
    return item

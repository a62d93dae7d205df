"""The item life cycle: every transition, its refusals, clocks, documents, audit, windows and the step pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineChange, DeadlineExtension, DeadlinePause
from core.choices import Role
from core.errors import ConflictError, DomainError
from core.models import AuditEvent, Unit
from petitions.choices import (
    ACCEPTANCE_CLOCK,
    HANDLING,
    ITEM_SUBJECT,
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
    DeliveryMethod,
    DocumentKind,
    Marker,
    Outcome,
    ReviewDecision,
    Route,
    Satisfaction,
    Status,
)
from petitions.models import Document, DocumentCounter, ExtensionRequest, Item, ItemEvent
from petitions.services import lifecycle
from petitions.services.documents import document_deliver
from petitions.services.windows import items_close_lapsed_windows
from petitions.tasks import close_lapsed_windows_task
from tests.support.helpers import SHANGHAI
from tests.support.items import Cast, ItemFactory, Schedule

OPINION = "经调查核实，依据有关规定作出如下处理。"


# ---------------------------------------------------------------- helpers


def deadline(item: Item, kind: str, *, status: str | None = None) -> Deadline:
    """The latest clock of `kind` on the item (optionally only one in `status`)."""
    rows = Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk, rule_id=kind)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.latest("id")


def open_kinds(item: Item) -> set[str]:
    return set(
        Deadline.objects.filter(
            subject_type=ITEM_SUBJECT, subject_id=item.pk, status=DeadlineStatus.OPEN
        ).values_list("rule_id", flat=True)
    )


def item_audit_actions(item: Item) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="petitions.item", object_id=str(item.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def snapshot(item_id: int) -> dict[str, Any]:
    """Everything a refused step must leave untouched."""
    deadlines = Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item_id).order_by("id")
    return {
        "item": Item.objects.filter(pk=item_id).values().get(),
        "events": list(ItemEvent.objects.filter(item_id=item_id).order_by("id").values()),
        "deadlines": list(deadlines.values()),
        "changes": DeadlineChange.objects.filter(deadline__in=deadlines).count(),
        "extensions": DeadlineExtension.objects.filter(deadline__in=deadlines).count(),
        "pauses": list(DeadlinePause.objects.filter(deadline__in=deadlines).values()),
        "documents": list(Document.objects.filter(item_id=item_id).order_by("id").values()),
        "counters": list(DocumentCounter.objects.order_by("id").values()),
        "requests": list(ExtensionRequest.objects.filter(item_id=item_id).order_by("id").values()),
        "audit": AuditEvent.objects.count(),
    }


Perform = Callable[[Cast, Item, date], Any]

CLOSE_REASON_FROM = {
    Status.REGISTERED: CloseReason.WITHDRAWN,
    Status.ACCEPTED: CloseReason.MEDIATION,
    Status.REPLIED: CloseReason.ACCEPTED_REPLY,
    Status.REVIEWED: CloseReason.ACCEPTED_REPLY,
}

# Each action called the way the unit that may take it would call it.
PERFORM: dict[str, Perform] = {
    Action.ASSIGN: lambda c, i, on: lifecycle.item_assign(
        actor=c.clerk, item_id=i.pk, unit_id=c.tree.county_a_department.pk, on=on
    ),
    Action.ACCEPT: lambda c, i, on: lifecycle.item_accept(actor=c.handler, item_id=i.pk, on=on),
    Action.REJECT: lambda c, i, on: lifecycle.item_reject(
        actor=c.handler, item_id=i.pk, on=on, route=Route.ARBITRATION
    ),
    Action.OBJECT: lambda c, i, on: lifecycle.item_object(
        actor=c.handler, item_id=i.pk, on=on, reason="该事项属劳动仲裁机构职责，不属本单位。"
    ),
    Action.REQUEST_EXTENSION: lambda c, i, on: lifecycle.item_request_extension(
        actor=c.handler, item_id=i.pk, on=on, days=30, reason="涉及多个部门，需要联合调查。"
    ),
    Action.EXTEND: lambda c, i, on: lifecycle.item_extend(
        actor=c.handling_head(), item_id=i.pk, on=on, days=30, reason="涉及多个部门，需要联合调查。"
    ),
    Action.REPLY: lambda c, i, on: lifecycle.item_reply(
        actor=c.handler, item_id=i.pk, on=on, outcome=Outcome.SUPPORTED, opinion=OPINION
    ),
    Action.REWORK: lambda c, i, on: lifecycle.item_rework(
        actor=c.handling_head(), item_id=i.pk, on=on, reason="处理意见依据不足，请补充调查后重新答复。"
    ),
    Action.EVALUATE: lambda c, i, on: lifecycle.item_evaluate(
        actor=c.clerk, item_id=i.pk, on=on, satisfaction=Satisfaction.SATISFIED
    ),
    Action.REQUEST_REVIEW: lambda c, i, on: lifecycle.item_request_review(actor=c.clerk, item_id=i.pk, on=on),
    Action.REVIEW_DECISION: lambda c, i, on: lifecycle.item_review_decision(
        actor=c.clerk, item_id=i.pk, on=on, decision=ReviewDecision.UPHELD, opinion=OPINION
    ),
    Action.REQUEST_RECHECK: lambda c, i, on: lifecycle.item_request_recheck(
        actor=c.head, item_id=i.pk, on=on
    ),
    Action.HEARING_START: lambda c, i, on: lifecycle.item_hearing(
        actor=c.head, item_id=i.pk, on=on, starting=True, note="复核听证"
    ),
    Action.HEARING_END: lambda c, i, on: lifecycle.item_hearing(
        actor=c.head, item_id=i.pk, on=on, starting=False
    ),
    Action.RECHECK_DECISION: lambda c, i, on: lifecycle.item_recheck_decision(
        actor=c.head, item_id=i.pk, on=on, decision=ReviewDecision.VARIED, opinion=OPINION
    ),
    Action.CLOSE: lambda c, i, on: lifecycle.item_close(
        actor=c.clerk,
        item_id=i.pk,
        on=on,
        reason=CLOSE_REASON_FROM.get(Status(i.status), CloseReason.WITHDRAWN),
    ),
}

# A date inside every window that is open when the factory leaves an item in this status.
STEP_ON = {
    Status.REGISTERED: date(2025, 3, 4),
    Status.ASSIGNED: date(2025, 3, 10),
    Status.ACCEPTED: date(2025, 4, 1),
    Status.REPLIED: date(2025, 4, 21),
    Status.REVIEW: date(2025, 5, 12),
    Status.REVIEWED: date(2025, 5, 26),
    Status.RECHECK: date(2025, 6, 3),
    Status.CLOSED: date(2025, 6, 16),
}

ALLOWED = sorted(
    (str(action), str(source)) for action, transition in TRANSITIONS.items() for source in transition.sources
)
REFUSED = sorted(
    (str(action), str(status))
    for action, transition in TRANSITIONS.items()
    for status in Status.values
    if status not in transition.sources
)


# ---------------------------------------------------------------- the status table


def test_the_tables_cover_every_action_except_register_and_deliver():
    assert set(TRANSITIONS) == set(Action.values) - {Action.REGISTER, Action.DELIVER}
    assert set(PERFORM) == set(TRANSITIONS)


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_each_action_is_allowed_from_each_of_its_source_statuses_and_is_recorded(
    item_factory: ItemFactory, cast: Cast, action: str, source: str
):
    item = item_factory.make(source)
    on = STEP_ON[Status(source)]
    if action == Action.HEARING_END:
        lifecycle.item_hearing(actor=cast.head, item_id=item.pk, on=date(2025, 5, 28), starting=True)
    events_before = ItemEvent.objects.filter(item=item).count()
    audit_before = len(item_audit_actions(item))

    PERFORM[action](cast, Item.objects.get(pk=item.pk), on)

    item.refresh_from_db()
    expected = TRANSITIONS[action].target or source
    assert item.status == expected
    event = ItemEvent.objects.filter(item=item).latest("id")
    assert ItemEvent.objects.filter(item=item).count() == events_before + 1
    assert (event.action, event.from_status, event.to_status, event.effective_on) == (
        action,
        source,
        expected,
        on,
    )
    assert len(item_audit_actions(item)) == audit_before + 1


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_each_action_is_refused_from_every_other_status_and_changes_nothing(
    item_factory: ItemFactory, cast: Cast, action: str, status: str
):
    # Start from an item with every unit set (responsible, 复查, 复核) so only the status can refuse.
    item = item_factory.make(Status.RECHECK)
    Item.objects.filter(pk=item.pk).update(status=status)
    before = snapshot(item.pk)

    with pytest.raises(DomainError) as refused:
        PERFORM[action](cast, Item.objects.get(pk=item.pk), date(2025, 6, 3))

    assert refused.value.code == "illegal_transition"
    assert refused.value.message == (
        f"当前状态为“{Status(status).label}”，不能执行“{Action(action).label}”。"
    )
    assert snapshot(item.pk) == before


# ---------------------------------------------------------------- the full walk with its clocks


def test_the_whole_life_cycle_meets_each_clock_opens_the_next_and_issues_each_document(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.register(received_on=date(2025, 7, 28))
    # 15 日 routing clock from receipt: 2025-08-12 (Tue).
    assert deadline(item, ROUTING).due_on == date(2025, 8, 12)
    assert open_kinds(item) == {ROUTING}

    lifecycle.item_assign(
        actor=cast.clerk, item_id=item.pk, unit_id=cast.tree.county_a_department.pk, on=date(2025, 7, 30)
    )
    assert deadline(item, ROUTING).status == DeadlineStatus.MET_ON_TIME
    assert open_kinds(item) == {ACCEPTANCE_CLOCK, OBJECTION}
    assert deadline(item, ACCEPTANCE_CLOCK).due_on == date(2025, 8, 14)
    # 5 工作日 from Wed 07-30: 07-31, 08-01, 08-04, 08-05, 08-06.
    assert deadline(item, OBJECTION).due_on == date(2025, 8, 6)

    # Accepted on Saturday 2025-08-02: 60 日 → nominal 2025-10-01 (国庆), rolled to 2025-10-09.
    lifecycle.item_accept(actor=cast.handler, item_id=item.pk, on=date(2025, 8, 2))
    item.refresh_from_db()
    assert (item.status, item.route, item.handler) == (Status.ACCEPTED, Route.ORDINARY, cast.handler)
    assert deadline(item, ACCEPTANCE_CLOCK).status == DeadlineStatus.MET_ON_TIME
    assert deadline(item, OBJECTION).status == DeadlineStatus.CANCELLED
    handling = deadline(item, HANDLING)
    assert (handling.nominal_on, handling.due_on) == (date(2025, 10, 1), date(2025, 10, 9))
    assert handling.responsible == cast.handler
    assert open_kinds(item) == {HANDLING}

    request = lifecycle.item_request_extension(
        actor=cast.handler,
        item_id=item.pk,
        on=date(2025, 9, 20),
        days=30,
        reason="需要会同人社部门联合调查。",
    )
    assert request.state == ExtensionRequest.State.PENDING
    assert deadline(item, HANDLING).due_on == date(2025, 10, 9)
    lifecycle.item_extend(actor=cast.handling_head(), item_id=item.pk, on=date(2025, 9, 22))
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (ExtensionRequest.State.APPROVED, cast.handling_head())
    # Same start, 60 + 30 = 90 日 from 2025-08-02: 2025-10-31 (Fri).
    extended = deadline(item, HANDLING)
    assert (extended.extension_days, extended.due_on) == (30, date(2025, 10, 31))

    lifecycle.item_reply(
        actor=cast.handler, item_id=item.pk, on=date(2025, 10, 20), outcome=Outcome.EXPLAINED, opinion=OPINION
    )
    assert deadline(item, HANDLING).status == DeadlineStatus.MET_ON_TIME
    # Not delivered: presumed received 7 days after issue (10-27), + 30 日 → 2025-11-26 (Wed).
    assert deadline(item, REVIEW_WINDOW).due_on == date(2025, 11, 26)
    lifecycle.item_evaluate(
        actor=cast.clerk, item_id=item.pk, on=date(2025, 10, 25), satisfaction=Satisfaction.DISSATISFIED
    )

    lifecycle.item_request_review(actor=cast.clerk, item_id=item.pk, on=date(2025, 11, 10))
    item.refresh_from_db()
    assert (item.status, item.review_unit) == (Status.REVIEW, cast.tree.county_a)
    assert deadline(item, REVIEW_WINDOW).status == DeadlineStatus.MET_ON_TIME
    assert deadline(item, REVIEW_CLOCK).due_on == date(2025, 12, 10)

    lifecycle.item_review_decision(
        actor=cast.clerk,
        item_id=item.pk,
        on=date(2025, 12, 1),
        decision=ReviewDecision.UPHELD,
        opinion=OPINION,
    )
    assert deadline(item, REVIEW_CLOCK).status == DeadlineStatus.MET_ON_TIME
    # Presumed received 12-08, + 30 日 → 2026-01-07 (Wed).
    assert deadline(item, RECHECK_WINDOW).due_on == date(2026, 1, 7)

    lifecycle.item_request_recheck(actor=cast.head, item_id=item.pk, on=date(2025, 12, 15))
    item.refresh_from_db()
    assert (item.status, item.recheck_unit) == (Status.RECHECK, cast.tree.city)
    assert deadline(item, RECHECK_CLOCK).due_on == date(2026, 1, 14)

    lifecycle.item_hearing(actor=cast.head, item_id=item.pk, on=date(2025, 12, 20), starting=True)
    assert deadline(item, RECHECK_CLOCK).paused_since == date(2025, 12, 20)
    lifecycle.item_hearing(actor=cast.head, item_id=item.pk, on=date(2025, 12, 25), starting=False)
    # Five hearing days do not count: 2026-01-14 + 5 = 2026-01-19 (Mon).
    recheck = deadline(item, RECHECK_CLOCK)
    assert (recheck.paused_days, recheck.due_on) == (5, date(2026, 1, 19))

    lifecycle.item_recheck_decision(
        actor=cast.head,
        item_id=item.pk,
        on=date(2026, 1, 10),
        decision=ReviewDecision.UPHELD,
        opinion=OPINION,
    )
    item.refresh_from_db()
    assert (item.status, item.close_reason, item.closed_on) == (
        Status.CLOSED,
        CloseReason.RECHECKED,
        date(2026, 1, 10),
    )
    assert deadline(item, RECHECK_CLOCK).status == DeadlineStatus.MET_ON_TIME
    assert open_kinds(item) == set()

    kinds = list(Document.objects.filter(item=item).order_by("id").values_list("kind", flat=True))
    assert kinds == [
        DocumentKind.ACCEPTANCE,
        DocumentKind.EXTENSION,
        DocumentKind.REPLY,
        DocumentKind.REVIEW,
        DocumentKind.RECHECK,
    ]
    timeline = list(ItemEvent.objects.filter(item=item).order_by("id").values_list("action", flat=True))
    assert timeline == [
        "register",
        Action.ASSIGN,
        Action.ACCEPT,
        Action.REQUEST_EXTENSION,
        Action.EXTEND,
        Action.REPLY,
        Action.EVALUATE,
        Action.REQUEST_REVIEW,
        Action.REVIEW_DECISION,
        Action.REQUEST_RECHECK,
        Action.HEARING_START,
        Action.HEARING_END,
        Action.RECHECK_DECISION,
    ]
    # Every write left an audit row on the item.
    assert item_audit_actions(item) == [
        "petitions.item.registered",
        "petitions.item.assigned",
        "petitions.item.accepted",
        "petitions.item.extension_requested",
        "petitions.item.extended",
        "petitions.item.replied",
        "petitions.item.evaluated",
        "petitions.item.review_requested",
        "petitions.item.review_decided",
        "petitions.item.recheck_requested",
        "petitions.item.hearing_started",
        "petitions.item.hearing_ended",
        "petitions.item.recheck_decided",
    ]


def test_a_late_step_is_still_taken_and_its_clock_is_recorded_as_met_late(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ACCEPTED)  # handling due 2025-05-06
    lifecycle.item_reply(
        actor=cast.handler,
        item_id=item.pk,
        on=date(2025, 5, 8),
        outcome=Outcome.NOT_SUPPORTED,
        opinion=OPINION,
    )
    handling = deadline(item, HANDLING)
    assert (handling.status, handling.met_on) == (DeadlineStatus.MET_LATE, date(2025, 5, 8))


# ---------------------------------------------------------------- refusing, objecting, litigation


def test_refusal_names_the_statutory_channel_in_the_non_acceptance_notice(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ASSIGNED)
    lifecycle.item_reject(actor=cast.handler, item_id=item.pk, on=date(2025, 3, 7), route=Route.ARBITRATION)
    item.refresh_from_db()
    assert (item.status, item.route) == (Status.NOT_ACCEPTED, Route.ARBITRATION)
    assert item.refusal_reason == str(STATUTORY_CHANNEL[Route.ARBITRATION])
    notice = Document.objects.get(item=item)
    assert notice.kind == DocumentKind.NON_ACCEPTANCE
    assert notice.body["channel"] == "请依法向有管辖权的仲裁机构申请仲裁。"
    assert deadline(item, ACCEPTANCE_CLOCK).status == DeadlineStatus.MET_ON_TIME
    assert deadline(item, OBJECTION).status == DeadlineStatus.CANCELLED
    assert open_kinds(item) == set()


def test_refusal_must_name_a_statutory_route_other_than_ordinary_handling(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ASSIGNED)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_reject(actor=cast.handler, item_id=item.pk, on=date(2025, 3, 7), route=Route.ORDINARY)
    assert (refused.value.field, refused.value.message) == ("route", "请选择应当导入的法定途径。")
    assert snapshot(item.pk) == before


def test_a_litigation_item_cannot_be_accepted_and_goes_to_the_litigation_route(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ASSIGNED, markers=[Marker.LITIGATION])
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_accept(actor=cast.handler, item_id=item.pk, on=date(2025, 3, 7))
    assert "涉法涉诉" in refused.value.message
    assert "诉访分离" in refused.value.message
    assert snapshot(item.pk) == before

    lifecycle.item_reject(actor=cast.handler, item_id=item.pk, on=date(2025, 3, 7), route=Route.LITIGATION)
    item.refresh_from_db()
    assert (item.status, item.route) == (Status.NOT_ACCEPTED, Route.LITIGATION)
    notice = Document.objects.get(item=item, kind=DocumentKind.NON_ACCEPTANCE)
    assert "人民法院" in notice.body["channel"]
    assert notice.body["route_label"] == str(Route.LITIGATION.label)


def test_an_objection_within_five_working_days_returns_the_item_to_routing(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ASSIGNED)  # assigned 2025-03-05, objection window to 2025-03-12
    lifecycle.item_object(
        actor=cast.handler, item_id=item.pk, on=date(2025, 3, 12), reason="不属本单位职责。"
    )
    item.refresh_from_db()
    assert (item.status, item.responsible_unit, item.assigned_on) == (Status.REGISTERED, None, None)
    assert deadline(item, OBJECTION).status == DeadlineStatus.MET_ON_TIME
    assert deadline(item, ACCEPTANCE_CLOCK).status == DeadlineStatus.CANCELLED
    routing = deadline(item, ROUTING, status=DeadlineStatus.OPEN)
    assert (routing.starts_on, routing.due_on) == (date(2025, 3, 12), date(2025, 3, 27))
    assert "不属本单位职责" in ItemEvent.objects.filter(item=item).latest("id").note

    # The office routes it again, to another unit.
    lifecycle.item_assign(
        actor=cast.clerk, item_id=item.pk, unit_id=cast.tree.township_a.pk, on=date(2025, 3, 13)
    )
    item.refresh_from_db()
    assert (item.status, item.responsible_unit) == (Status.ASSIGNED, cast.tree.township_a)


def test_an_objection_after_five_working_days_across_national_day_is_refused(
    item_factory: ItemFactory, cast: Cast
):
    # Assigned 2026-09-29: 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12 → the window ends 2026-10-12.
    item = item_factory.register(received_on=date(2026, 9, 28))
    lifecycle.item_assign(
        actor=cast.clerk, item_id=item.pk, unit_id=cast.tree.county_a_department.pk, on=date(2026, 9, 29)
    )
    assert deadline(item, OBJECTION).due_on == date(2026, 10, 12)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_object(
            actor=cast.handler, item_id=item.pk, on=date(2026, 10, 13), reason="不属本单位。"
        )
    assert refused.value.code == "objection_late"
    assert "已超过5个工作日的异议期限（2026-10-12）" in refused.value.message
    assert snapshot(item.pk) == before

    lifecycle.item_object(actor=cast.handler, item_id=item.pk, on=date(2026, 10, 12), reason="不属本单位。")
    assert Item.objects.get(pk=item.pk).status == Status.REGISTERED


def test_an_objection_needs_reasons(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ASSIGNED)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_object(actor=cast.handler, item_id=item.pk, on=date(2025, 3, 6), reason="  ")
    assert (refused.value.field, refused.value.message) == ("reason", "此项必填。")


# ---------------------------------------------------------------- roles and units


def test_a_clerk_cannot_accept_an_item(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ASSIGNED)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_accept(actor=cast.clerk, item_id=item.pk, on=date(2025, 3, 7))
    assert (refused.value.code, refused.value.message) == ("forbidden", "您的角色不能执行“受理”。")
    assert snapshot(item.pk) == before


def test_a_handler_cannot_approve_an_extension(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ACCEPTED)
    PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 1))
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_extend(actor=cast.handler, item_id=item.pk, on=date(2025, 4, 2))
    assert (refused.value.code, refused.value.message) == ("forbidden", "您的角色不能执行“批准延期”。")
    assert snapshot(item.pk) == before


def test_only_the_handling_units_own_head_or_leader_approves_an_extension(
    item_factory: ItemFactory, cast: Cast, make_user: Callable[..., Any]
):
    """第三十四条: 经本机关、单位负责人批准 — the petition office's head above the unit may not approve."""
    first = item_factory.make(Status.ACCEPTED)
    PERFORM[Action.REQUEST_EXTENSION](cast, first, date(2025, 4, 1))
    before = snapshot(first.pk)
    for above in (cast.head, make_user(cast.tree.county_a, [Role.SECTION_HEAD], "county_head")):
        with pytest.raises(DomainError) as refused:
            lifecycle.item_extend(actor=above, item_id=first.pk, on=date(2025, 4, 2))
        assert (refused.value.code, refused.value.message) == ("forbidden", "该事项不在您单位的办理范围内。")
    assert snapshot(first.pk) == before

    lifecycle.item_extend(actor=cast.handling_head(), item_id=first.pk, on=date(2025, 4, 2))
    assert deadline(first, HANDLING).due_on == date(2025, 6, 5)

    second = item_factory.make(Status.ACCEPTED)
    PERFORM[Action.REQUEST_EXTENSION](cast, second, date(2025, 4, 1))
    unit_leader = make_user(cast.tree.county_a_department, [Role.LEADER], "unit_leader")
    lifecycle.item_extend(actor=unit_leader, item_id=second.pk, on=date(2025, 4, 2))
    assert deadline(second, HANDLING).extensions.get().approved_by == unit_leader


def test_an_extension_is_approved_once_only(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ACCEPTED)
    PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 1))
    lifecycle.item_extend(actor=cast.handling_head(), item_id=item.pk, on=date(2025, 4, 2))
    assert deadline(item, HANDLING).due_on == date(2025, 6, 5)  # 2025-03-07 + 90 日

    before = snapshot(item.pk)
    with pytest.raises(DomainError) as second_request:
        PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 3))
    assert second_request.value.message == "办理期限只能延长一次，已经延期过。"
    with pytest.raises(DomainError) as second_approval:
        lifecycle.item_extend(
            actor=cast.handling_head(), item_id=item.pk, on=date(2025, 4, 3), days=10, reason="再延"
        )
    assert second_approval.value.message == "“办理答复”最多延期1次，已经延期过。"
    assert snapshot(item.pk) == before


@pytest.mark.parametrize("days", [0, 31])
def test_an_extension_request_is_between_one_and_thirty_days(
    item_factory: ItemFactory, cast: Cast, days: int
):
    item = item_factory.make(Status.ACCEPTED)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_request_extension(
            actor=cast.handler, item_id=item.pk, on=date(2025, 4, 1), days=days, reason="复杂"
        )
    assert (refused.value.field, refused.value.message) == ("days", "延长天数应在1至30日之间。")
    assert snapshot(item.pk) == before


def test_an_approval_cannot_grant_more_than_thirty_days(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ACCEPTED)
    PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 1))
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_extend(actor=cast.handling_head(), item_id=item.pk, on=date(2025, 4, 2), days=31)
    assert (refused.value.field, refused.value.message) == ("days", "延长天数应在1至30日之间。")
    assert snapshot(item.pk) == before


def test_a_second_request_waits_for_the_pending_one(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ACCEPTED)
    PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 1))
    with pytest.raises(DomainError) as refused:
        PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 2))
    assert refused.value.message == "已有待审批的延期申请。"


def test_a_refused_extension_leaves_the_deadline_and_allows_a_new_request(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ACCEPTED)
    PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 1))
    lifecycle.item_extend(actor=cast.handling_head(), item_id=item.pk, on=date(2025, 4, 2), approve=False)
    assert ExtensionRequest.objects.get(item=item).state == ExtensionRequest.State.REFUSED
    assert deadline(item, HANDLING).due_on == date(2025, 5, 6)
    assert not Document.objects.filter(item=item, kind=DocumentKind.EXTENSION).exists()
    assert "petitions.item.extension_refused" in item_audit_actions(item)
    PERFORM[Action.REQUEST_EXTENSION](cast, item, date(2025, 4, 3))
    assert ExtensionRequest.objects.filter(item=item, state=ExtensionRequest.State.PENDING).count() == 1


def test_units_outside_the_item_are_refused_each_step(item_factory: ItemFactory, cast: Cast, make_user):
    outsider_handler = make_user(cast.tree.county_b, [Role.HANDLER])
    outsider_head = make_user(cast.tree.county_b, [Role.SECTION_HEAD])
    clerk_b = cast.personas.clerk_b

    registered = item_factory.make(Status.REGISTERED)
    assigned = item_factory.make(Status.ASSIGNED)
    accepted = item_factory.make(Status.ACCEPTED)
    replied = item_factory.make(Status.REPLIED)
    reviewed = item_factory.make(Status.REVIEWED)
    attempts: list[tuple[Item, Callable[[], Any]]] = [
        (
            registered,
            lambda: lifecycle.item_assign(
                actor=clerk_b, item_id=registered.pk, unit_id=cast.tree.county_b.pk, on=date(2025, 3, 4)
            ),
        ),
        (
            assigned,
            lambda: lifecycle.item_accept(actor=outsider_handler, item_id=assigned.pk, on=date(2025, 3, 7)),
        ),
        (
            accepted,
            lambda: lifecycle.item_extend(
                actor=outsider_head, item_id=accepted.pk, on=date(2025, 4, 1), days=30, reason="复杂"
            ),
        ),
        # 复查 goes to the next-higher body: not a sibling, and not the unit that replied.
        (
            replied,
            lambda: lifecycle.item_request_review(actor=clerk_b, item_id=replied.pk, on=date(2025, 4, 21)),
        ),
        (
            replied,
            lambda: lifecycle.item_request_review(
                actor=cast.handler, item_id=replied.pk, on=date(2025, 4, 21)
            ),
        ),
        # 复核 goes above the 复查 body (county A): county A itself cannot take it.
        (
            reviewed,
            lambda: lifecycle.item_request_recheck(
                actor=cast.clerk, item_id=reviewed.pk, on=date(2025, 5, 26)
            ),
        ),
        (
            replied,
            lambda: lifecycle.item_close(
                actor=clerk_b, item_id=replied.pk, on=date(2025, 4, 21), reason=CloseReason.ACCEPTED_REPLY
            ),
        ),
    ]
    for item, attempt in attempts:
        before = snapshot(item.pk)
        with pytest.raises(DomainError) as refused:
            attempt()
        assert (refused.value.code, refused.value.message) == ("forbidden", "该事项不在您单位的办理范围内。")
        assert snapshot(item.pk) == before


def test_an_item_can_only_be_assigned_within_the_offices_subtree(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REGISTERED)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_assign(
            actor=cast.clerk, item_id=item.pk, unit_id=cast.tree.county_b.pk, on=date(2025, 3, 4)
        )
    assert (refused.value.field, refused.value.message) == ("unit", "请选择本单位或下级的责任单位。")
    assert snapshot(item.pk) == before


def test_the_petitioner_evaluates_a_reply_once(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REPLIED)
    PERFORM[Action.EVALUATE](cast, item, date(2025, 4, 12))
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_evaluate(
            actor=cast.clerk, item_id=item.pk, on=date(2025, 4, 13), satisfaction=Satisfaction.DISSATISFIED
        )
    assert (refused.value.code, refused.value.message) == (
        "evaluated_already",
        "信访人已于2025-04-12评价，不能重复评价。",
    )
    assert snapshot(item.pk) == before


def test_an_item_closed_without_a_reply_cannot_be_evaluated(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REGISTERED)
    lifecycle.item_close(actor=cast.clerk, item_id=item.pk, on=date(2025, 3, 4), reason=CloseReason.WITHDRAWN)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        PERFORM[Action.EVALUATE](cast, Item.objects.get(pk=item.pk), date(2025, 3, 5))
    assert (refused.value.code, refused.value.message) == ("not_replied", "尚未出具处理意见，不能评价。")
    assert snapshot(item.pk) == before


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.REGISTERED, CloseReason.MEDIATION),
        (Status.ACCEPTED, CloseReason.ACCEPTED_REPLY),
        (Status.REPLIED, CloseReason.MEDIATION),
        (Status.REVIEWED, CloseReason.REVIEW_WINDOW_LAPSED),
    ],
)
def test_closing_is_refused_for_a_reason_the_status_does_not_allow(
    item_factory: ItemFactory, cast: Cast, status: str, reason: str
):
    item = item_factory.make(status)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_close(actor=cast.clerk, item_id=item.pk, on=STEP_ON[Status(status)], reason=reason)
    assert (refused.value.field, refused.value.message) == ("reason", "当前状态下不能以此方式办结。")
    assert snapshot(item.pk) == before


def test_closing_by_mediation_meets_the_handling_clock_and_stops_the_rest(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ACCEPTED)
    lifecycle.item_close(
        actor=cast.handler, item_id=item.pk, on=date(2025, 4, 1), reason=CloseReason.MEDIATION
    )
    item.refresh_from_db()
    assert (item.status, item.close_reason, item.closed_on) == (
        Status.CLOSED,
        CloseReason.MEDIATION,
        date(2025, 4, 1),
    )
    assert deadline(item, HANDLING).status == DeadlineStatus.MET_ON_TIME
    assert open_kinds(item) == set()


# ---------------------------------------------------------------- dates, windows, versions


def test_a_step_cannot_be_dated_in_the_future_or_before_the_previous_step(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ACCEPTED)
    before = snapshot(item.pk)
    with (
        time_machine.travel(datetime(2025, 4, 1, 10, tzinfo=SHANGHAI), tick=False),
        pytest.raises(DomainError) as future,
    ):
        PERFORM[Action.REPLY](cast, item, date(2025, 4, 2))
    assert (future.value.field, future.value.message) == ("on", "日期不能晚于今天。")
    with pytest.raises(DomainError) as early:
        PERFORM[Action.REPLY](cast, item, date(2025, 3, 6))
    assert early.value.field == "on"
    assert "不能早于" in early.value.message
    assert "2025-03-07" in early.value.message
    assert snapshot(item.pk) == before


def test_review_cannot_be_requested_after_the_window_lapsed(item_factory: ItemFactory, cast: Cast):
    # Replied 2025-04-10, never delivered: from the presumed 04-17, due 05-19 (05-17 is a Saturday).
    item = item_factory.make(Status.REPLIED)
    assert deadline(item, REVIEW_WINDOW).due_on == date(2025, 5, 19)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        PERFORM[Action.REQUEST_REVIEW](cast, item, date(2025, 5, 20))
    assert (refused.value.code, refused.value.message) == ("window_lapsed", "已超过申请复查的期限。")
    assert snapshot(item.pk) == before


def test_recheck_cannot_be_requested_after_the_window_lapsed(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REVIEWED)  # decision 2025-05-12, presumed received 05-19, due 06-18
    assert deadline(item, RECHECK_WINDOW).due_on == date(2025, 6, 18)
    with pytest.raises(DomainError) as refused:
        PERFORM[Action.REQUEST_RECHECK](cast, item, date(2025, 6, 19))
    assert refused.value.message == "已超过申请复核的期限。"


def test_a_stale_version_is_a_conflict_and_writes_nothing(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ASSIGNED)
    stale = item.version - 1
    before = snapshot(item.pk)
    with pytest.raises(ConflictError) as conflict:
        lifecycle.item_accept(
            actor=cast.handler, item_id=item.pk, on=date(2025, 3, 7), expected_version=stale
        )
    assert (conflict.value.code, conflict.value.message) == (
        "conflict",
        "该信访件已被他人修改，请刷新页面后重试。",
    )
    assert snapshot(item.pk) == before

    accepted = lifecycle.item_accept(
        actor=cast.handler, item_id=item.pk, on=date(2025, 3, 7), expected_version=item.version
    )
    assert accepted.version == item.version + 1


def test_every_version_bumping_step_refuses_the_version_it_replaced(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REPLIED)
    old = item.version
    lifecycle.item_evaluate(
        actor=cast.clerk,
        item_id=item.pk,
        on=date(2025, 4, 12),
        satisfaction=Satisfaction.BASICALLY,
        expected_version=old,
    )
    with pytest.raises(ConflictError):
        lifecycle.item_request_review(
            actor=cast.clerk, item_id=item.pk, on=date(2025, 4, 20), expected_version=old
        )


def test_a_recheck_decision_waits_for_a_running_hearing_to_end(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.RECHECK)
    PERFORM[Action.HEARING_START](cast, item, date(2025, 5, 28))
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as refused:
        PERFORM[Action.RECHECK_DECISION](cast, item, date(2025, 6, 3))
    assert refused.value.message == "听证尚未结束，请先登记听证结束。"
    assert snapshot(item.pk) == before


def test_a_hearing_cannot_end_before_it_starts_or_start_twice(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.RECHECK)
    with pytest.raises(DomainError) as not_started:
        PERFORM[Action.HEARING_END](cast, item, date(2025, 5, 28))
    assert not_started.value.message == "该时限没有中止计时。"
    PERFORM[Action.HEARING_START](cast, item, date(2025, 5, 28))
    with pytest.raises(DomainError) as twice:
        PERFORM[Action.HEARING_START](cast, item, date(2025, 5, 29))
    assert twice.value.message == "该时限已中止计时。"


# ---------------------------------------------------------------- documents


def test_documents_are_numbered_in_sequence_per_unit_kind_and_year(
    item_factory: ItemFactory, cast: Cast, make_user
):
    first = item_factory.make(Status.ACCEPTED)
    second = item_factory.make(Status.ACCEPTED)
    refused = item_factory.make(Status.NOT_ACCEPTED)
    later = item_factory.register(received_on=date(2026, 1, 5))
    PERFORM[Action.ASSIGN](cast, later, date(2026, 1, 6))
    PERFORM[Action.ACCEPT](cast, later, date(2026, 1, 7))
    township = item_factory.register()
    lifecycle.item_assign(
        actor=cast.clerk, item_id=township.pk, unit_id=cast.tree.township_a.pk, on=date(2025, 3, 5)
    )
    township_handler = make_user(cast.tree.township_a, [Role.HANDLER])
    lifecycle.item_accept(actor=township_handler, item_id=township.pk, on=date(2025, 3, 6))

    def number(item: Item, kind: str) -> str:
        return Document.objects.get(item=item, kind=kind).number

    department = "城关区住房和城乡建设局"
    assert number(first, DocumentKind.ACCEPTANCE) == f"{department}信受〔2025〕1号"
    assert number(second, DocumentKind.ACCEPTANCE) == f"{department}信受〔2025〕2号"
    assert number(refused, DocumentKind.NON_ACCEPTANCE) == f"{department}信不受〔2025〕1号"
    assert number(later, DocumentKind.ACCEPTANCE) == f"{department}信受〔2026〕1号"
    assert number(township, DocumentKind.ACCEPTANCE) == "东门街道信受〔2025〕1号"


def test_a_units_short_name_heads_its_document_numbers(item_factory: ItemFactory, cast: Cast):
    Unit.objects.filter(pk=cast.tree.county_a_department.pk).update(short_name="城关住建")
    item = item_factory.make(Status.ACCEPTED)
    assert Document.objects.get(item=item).number == "城关住建信受〔2025〕1号"


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (DocumentKind.ACCEPTANCE, "受理告知书"),
        (DocumentKind.EXTENSION, "延期告知书"),
        (DocumentKind.REPLY, "信访处理意见书"),
        (DocumentKind.REVIEW, "复查意见书"),
        (DocumentKind.RECHECK, "复核意见书"),
        (DocumentKind.NON_ACCEPTANCE, "不予受理告知书"),
    ],
)
def test_each_document_prints_for_a_permitted_user_and_not_for_another_unit(
    item_factory: ItemFactory, cast: Cast, client_for, kind: str, title: str
):
    if kind == DocumentKind.NON_ACCEPTANCE:
        item = item_factory.make(Status.NOT_ACCEPTED)
    else:
        item = item_factory.make(Status.ACCEPTED)
        PERFORM[Action.EXTEND](cast, item, date(2025, 4, 1))
        for action, on in [
            (Action.REPLY, date(2025, 4, 10)),
            (Action.REQUEST_REVIEW, date(2025, 4, 20)),
            (Action.REVIEW_DECISION, date(2025, 5, 12)),
            (Action.REQUEST_RECHECK, date(2025, 5, 20)),
            (Action.RECHECK_DECISION, date(2025, 6, 10)),
        ]:
            PERFORM[action](cast, Item.objects.get(pk=item.pk), on)
    document = Document.objects.get(item=item, kind=kind)
    url = reverse("petitions:document_print", args=[item.pk, document.pk])

    page = client_for(cast.clerk).get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert title in html
    assert document.number in html
    assert "张三" in html  # addressed to the petitioner by name
    assert client_for(cast.personas.clerk_b).get(url).status_code == 404


def test_delivery_of_a_reply_is_recorded_and_restarts_the_review_window(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.REPLIED)  # replied 2025-04-10, window due 2025-05-12
    reply = Document.objects.get(item=item, kind=DocumentKind.REPLY)
    first_window = deadline(item, REVIEW_WINDOW)

    document_deliver(
        actor=cast.handler,
        document_id=reply.pk,
        on=date(2025, 4, 14),
        method=DeliveryMethod.POST,
        tracking_number="EMS1001",
    )

    reply.refresh_from_db()
    assert (reply.delivered_on, reply.delivery_method, reply.delivered_by) == (
        date(2025, 4, 14),
        DeliveryMethod.POST,
        cast.handler,
    )
    first_window.refresh_from_db()
    assert first_window.status == DeadlineStatus.CANCELLED
    window = deadline(item, REVIEW_WINDOW, status=DeadlineStatus.OPEN)
    assert (window.starts_on, window.due_on) == (date(2025, 4, 14), date(2025, 5, 14))
    event = ItemEvent.objects.filter(item=item).latest("id")
    assert event.action == "deliver"
    assert reply.number in event.note
    assert "邮寄送达" in event.note
    assert AuditEvent.objects.filter(
        action="petitions.document.delivered", object_id=str(reply.pk), actor=cast.handler
    ).exists()
    # The petitioner may now ask for 复查 on 2025-05-13, after the issue-date window would have ended.
    PERFORM[Action.REQUEST_REVIEW](cast, Item.objects.get(pk=item.pk), date(2025, 5, 13))
    assert Item.objects.get(pk=item.pk).status == Status.REVIEW


def test_delivery_of_a_review_decision_restarts_the_recheck_window(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REVIEWED)  # decision 2025-05-12
    decision = Document.objects.get(item=item, kind=DocumentKind.REVIEW)
    document_deliver(
        actor=cast.clerk, document_id=decision.pk, on=date(2025, 5, 16), method=DeliveryMethod.IN_PERSON
    )
    window = deadline(item, RECHECK_WINDOW, status=DeadlineStatus.OPEN)
    assert (window.starts_on, window.due_on) == (date(2025, 5, 16), date(2025, 6, 16))  # 06-15 is a Sunday


def test_delivery_of_a_notice_leaves_the_clocks_alone(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ACCEPTED)
    notice = Document.objects.get(item=item, kind=DocumentKind.ACCEPTANCE)
    clocks = list(
        Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk).order_by("id").values()
    )
    document_deliver(
        actor=cast.handler, document_id=notice.pk, on=date(2025, 3, 8), method=DeliveryMethod.ELECTRONIC
    )
    assert Document.objects.get(pk=notice.pk).delivered_on == date(2025, 3, 8)
    assert (
        list(Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk).order_by("id").values())
        == clocks
    )


def test_a_delivery_is_recorded_once_by_the_issuing_unit_and_not_before_issue(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ACCEPTED)
    notice = Document.objects.get(item=item, kind=DocumentKind.ACCEPTANCE)
    before = snapshot(item.pk)
    with pytest.raises(DomainError) as early:
        document_deliver(
            actor=cast.handler,
            document_id=notice.pk,
            on=date(2025, 3, 6),
            method=DeliveryMethod.POST,
            tracking_number="EMS1001",
        )
    assert early.value.message == "日期不能早于2025-03-07。"
    with pytest.raises(DomainError) as outsider:
        document_deliver(
            actor=cast.personas.clerk_b,
            document_id=notice.pk,
            on=date(2025, 3, 8),
            method=DeliveryMethod.POST,
            tracking_number="EMS1001",
        )
    assert outsider.value.message == "只有出具单位可以登记送达。"
    with pytest.raises(DomainError) as method:
        document_deliver(actor=cast.handler, document_id=notice.pk, on=date(2025, 3, 8), method="pigeon")
    assert (method.value.field, method.value.message) == ("method", "请选择送达方式。")
    assert snapshot(item.pk) == before

    document_deliver(
        actor=cast.handler,
        document_id=notice.pk,
        on=date(2025, 3, 8),
        method=DeliveryMethod.POST,
        tracking_number="EMS1001",
    )
    with pytest.raises(DomainError) as twice:
        document_deliver(
            actor=cast.handler,
            document_id=notice.pk,
            on=date(2025, 3, 9),
            method=DeliveryMethod.POST,
            tracking_number="EMS1001",
        )
    assert twice.value.message == "该文书已登记送达。"


# ---------------------------------------------------------------- closing lapsed windows


def test_items_whose_review_or_recheck_window_ran_out_are_closed_and_others_left(
    item_factory: ItemFactory, cast: Cast
):
    # Never delivered: each window runs from the presumed delivery day, issue + 7.
    # Replied 04-10, presumed 04-17: due 05-19 (05-17 is a Saturday); 04-12 → 04-19: due 05-19.
    lapsed_review = item_factory.make(Status.REPLIED)
    due_today = ItemFactory(cast, Schedule(reply_on=date(2025, 4, 12))).make(Status.REPLIED)
    later = ItemFactory(cast, Schedule(reply_on=date(2025, 4, 20))).make(Status.REPLIED)  # 04-27: due 05-27
    in_review = item_factory.make(Status.REVIEW)
    accepted = item_factory.make(Status.ACCEPTED)  # handling overdue, but that is not a window
    assert deadline(due_today, REVIEW_WINDOW).due_on == date(2025, 5, 19)

    assert items_close_lapsed_windows(today=date(2025, 5, 19)) == 0
    assert items_close_lapsed_windows(today=date(2025, 5, 20)) == 2

    for item in (lapsed_review, due_today):
        item.refresh_from_db()
        assert (item.status, item.close_reason, item.closed_on) == (
            Status.CLOSED,
            CloseReason.REVIEW_WINDOW_LAPSED,
            date(2025, 5, 20),
        )
        assert deadline(item, REVIEW_WINDOW).status == DeadlineStatus.LAPSED
        event = ItemEvent.objects.filter(item=item).latest("id")
        assert (event.action, event.actor, event.note) == (Action.CLOSE, None, "超期未申请复查")
        assert AuditEvent.objects.filter(
            action="petitions.item.closed", object_id=str(item.pk), actor__isnull=True
        ).exists()
    for item, status in ((later, Status.REPLIED), (in_review, Status.REVIEW), (accepted, Status.ACCEPTED)):
        assert Item.objects.get(pk=item.pk).status == status
    assert items_close_lapsed_windows(today=date(2025, 5, 20)) == 0


def test_an_item_whose_recheck_window_ran_out_is_closed_with_that_reason(item_factory: ItemFactory):
    item = item_factory.make(Status.REVIEWED)  # decision 05-12, presumed received 05-19: due 06-18
    assert items_close_lapsed_windows(today=date(2025, 6, 18)) == 0
    assert items_close_lapsed_windows(today=date(2025, 6, 19)) == 1
    item.refresh_from_db()
    assert (item.status, item.close_reason) == (Status.CLOSED, CloseReason.RECHECK_WINDOW_LAPSED)
    assert deadline(item, RECHECK_WINDOW).status == DeadlineStatus.LAPSED
    assert open_kinds(item) == set()


def test_a_clerk_cannot_close_for_a_lapsed_window_before_it_ends(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REPLIED)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_close(
            actor=cast.clerk, item_id=item.pk, on=date(2025, 5, 19), reason=CloseReason.REVIEW_WINDOW_LAPSED
        )
    assert refused.value.message == "申请期限到2025-05-19才届满。"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_closes_lapsed_windows_and_leaves_running_ones(
    transactional_db: None, celery_worker, item_factory: ItemFactory, cast: Cast
):
    lapsed = item_factory.make(Status.REPLIED)
    recent = timezone.localdate()
    fresh = ItemFactory(
        cast,
        Schedule(received_on=recent, assign_on=recent, accept_on=recent, reply_on=recent),
    ).make(Status.REPLIED)

    closed = close_lapsed_windows_task.delay().get(timeout=60)

    assert closed == 1
    assert Item.objects.get(pk=lapsed.pk).close_reason == CloseReason.REVIEW_WINDOW_LAPSED
    assert Item.objects.get(pk=fresh.pk).status == Status.REPLIED


# ---------------------------------------------------------------- the item page and its step forms


def test_the_item_page_shows_the_timeline_and_days_left(item_factory: ItemFactory, cast: Cast, client_for):
    item = item_factory.make(Status.ACCEPTED)  # handling due 2025-05-06
    with time_machine.travel(datetime(2025, 4, 1, 10, tzinfo=SHANGHAI), tick=False):
        page = client_for(cast.handler).get(reverse("petitions:item_detail", args=[item.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    timeline = html.split('data-testid="timeline"')[1]
    assert timeline.index("登记") < timeline.index("转送交办") < timeline.index("受理")
    row = html.split(f'data-kind="{HANDLING}"')[1].split("</tr>")[0]
    assert "2025-05-06" in row
    assert "35日（22个工作日）" in row
    assert 'class="overdue"' not in html.split(f'data-kind="{HANDLING}"')[0].rsplit("<tr", 1)[1]
    assert "overdue-badge" not in html


def test_the_item_page_marks_an_overdue_deadline(item_factory: ItemFactory, cast: Cast, client_for):
    item = item_factory.make(Status.ACCEPTED)
    with time_machine.travel(datetime(2025, 5, 9, 10, tzinfo=SHANGHAI), tick=False):
        page = client_for(cast.handler).get(reverse("petitions:item_detail", args=[item.pk]))
    html = page.content.decode()
    opening = html.split(f'data-kind="{HANDLING}"')[0].rsplit("<tr", 1)[1]
    assert 'class="overdue"' in opening
    row = html.split(f'data-kind="{HANDLING}"')[1].split("</tr>")[0]
    assert '<span class="overdue-text">已超期3日</span>' in row
    assert "办理答复超期" in html


def test_the_step_form_performs_a_step(item_factory: ItemFactory, cast: Cast, client_for):
    item = item_factory.make(Status.ASSIGNED)
    client = client_for(cast.handler)
    response = client.post(
        reverse("petitions:item_step", args=[item.pk, Action.ACCEPT]),
        {"accept-on": "2025-03-07", "accept-version": item.version, "accept-note": "材料齐全"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:item_detail", args=[item.pk])
    item.refresh_from_db()
    assert (item.status, item.accepted_on) == (Status.ACCEPTED, date(2025, 3, 7))
    page = client.get(response["Location"]).content.decode()
    assert "已完成：受理" in page


def test_the_step_form_shows_a_chinese_field_error_and_keeps_what_was_typed(
    item_factory: ItemFactory, cast: Cast, client_for
):
    item = item_factory.make(Status.ACCEPTED)
    client = client_for(cast.handler)  # signing in writes its own audit row
    before = snapshot(item.pk)
    typed = "经核查，该公司已承诺月底前补发全部工资。"
    response = client.post(
        reverse("petitions:item_step", args=[item.pk, Action.REPLY]),
        {
            "reply-on": "2025-03-01",
            "reply-version": item.version,
            "reply-outcome": "supported",
            "reply-opinion": typed,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split('<div class="field-error" data-testid="error-reply-on">')[1].split("</div>")[0]
    assert "不能早于" in error
    assert "2025-03-07" in error
    assert typed in html
    assert 'value="2025-03-01"' in html
    assert snapshot(item.pk) == before


def test_the_step_form_reports_a_stale_page_as_a_conflict(item_factory: ItemFactory, cast: Cast, client_for):
    item = item_factory.make(Status.ASSIGNED)
    response = client_for(cast.handler).post(
        reverse("petitions:item_step", args=[item.pk, Action.ACCEPT]),
        {"accept-on": "2025-03-07", "accept-version": item.version - 1},
    )
    assert response.status_code == 400
    assert "该信访件已被他人修改，请刷新页面后重试。" in response.content.decode()
    assert Item.objects.get(pk=item.pk).status == Status.ASSIGNED

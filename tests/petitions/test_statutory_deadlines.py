"""Every statutory clock of an item (domain §3) with dates worked out by hand around 国庆 2025, 春节 2026 and 调休.

The calendar facts used (State Council notices, as seeded): 国庆 2025 rest 10-01..10-08, worked Sun 09-28 and
Sat 10-11; 春节 2026 rest 02-15..02-23, worked Sat 02-14 and Sat 02-28; 劳动节 2026 rest 05-01..05-05;
国庆 2026 rest 10-01..10-07, worked Sun 09-20 and Sat 10-10.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
import time_machine

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineExtension
from core.errors import DomainError
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
    CloseReason,
    DeliveryMethod,
    DocumentKind,
    Marker,
    Outcome,
    ReviewDecision,
    Route,
    Status,
)
from petitions.models import Document, Item
from petitions.services import lifecycle
from petitions.services.documents import document_deliver
from petitions.services.intake import item_register
from petitions.services.windows import items_close_lapsed_windows
from tests.support.helpers import SHANGHAI
from tests.support.items import Cast, intake_input

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today_is_late_2026() -> Iterator[None]:
    """Every step below is entered after the fact; steps may not be dated in the future."""
    with time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=SHANGHAI), tick=False):
        yield


def clock(item: Item, kind: str) -> Deadline:
    """The item's latest clock of `kind`."""
    return Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk, rule_id=kind).latest("id")


def fresh(item: Item) -> Item:
    return Item.objects.get(pk=item.pk)


def register(cast: Cast, received_on: date, **overrides: object) -> Item:
    return item_register(actor=cast.clerk, data=intake_input(received_on=received_on, **overrides))


def assign(cast: Cast, item: Item, on: date) -> None:
    lifecycle.item_assign(actor=cast.clerk, item_id=item.pk, unit_id=cast.tree.county_a_department.pk, on=on)


def accepted(cast: Cast, *, received_on: date, assign_on: date, accept_on: date) -> Item:
    item = register(cast, received_on)
    assign(cast, item, assign_on)
    lifecycle.item_accept(actor=cast.handler, item_id=item.pk, on=accept_on)
    return fresh(item)


def reply(cast: Cast, item: Item, on: date) -> Document:
    lifecycle.item_reply(
        actor=cast.handler,
        item_id=item.pk,
        on=on,
        outcome=Outcome.NOT_SUPPORTED,
        opinion="经核查，该诉求缺乏政策依据，不予支持。",
    )
    return Document.objects.get(item=item, kind=DocumentKind.REPLY)


def review_decision(cast: Cast, item: Item, on: date) -> Document:
    lifecycle.item_review_decision(
        actor=cast.clerk,
        item_id=item.pk,
        on=on,
        decision=ReviewDecision.UPHELD,
        opinion="原处理意见事实清楚、适用依据正确，予以维持。",
    )
    return Document.objects.get(item=item, kind=DocumentKind.REVIEW)


def deliver(cast: Cast, document: Document, on: date) -> None:
    document_deliver(actor=cast.clerk, document_id=document.pk, on=on, method=DeliveryMethod.IN_PERSON)


# --- 第二十二条: 15 日 from receipt to 转送/交办 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "nominal_on", "due_on"),
    [
        # + 15 = 10-01 (国庆); 10-02..10-08 rest too, so the first working day is Thursday 10-09.
        (date(2025, 9, 16), date(2025, 10, 1), date(2025, 10, 9)),
        # + 15 = Sunday 09-28, a make-up working day: no roll.
        (date(2025, 9, 13), date(2025, 9, 28), date(2025, 9, 28)),
        # + 15 = an ordinary Sunday, 09-21: rolls to Monday 09-22.
        (date(2025, 9, 6), date(2025, 9, 21), date(2025, 9, 22)),
        # + 15 = Sunday 02-15, first day of 春节 2026: rolls past 02-23 to Tuesday 02-24.
        (date(2026, 1, 31), date(2026, 2, 15), date(2026, 2, 24)),
        # + 15 = Saturday 02-14, worked before 春节 2026: no roll.
        (date(2026, 1, 30), date(2026, 2, 14), date(2026, 2, 14)),
    ],
)
def test_routing_runs_15_days_from_receipt_and_only_a_rest_day_last_day_rolls_forward(
    cast, received_on, nominal_on, due_on
):
    item = register(cast, received_on)

    routing = clock(item, ROUTING)
    assert routing.starts_on == received_on
    assert (routing.days, routing.day_unit) == (15, "calendar")
    assert (routing.nominal_on, routing.due_on) == (nominal_on, due_on)
    assert routing.unit == cast.clerk.unit
    assert routing.status == DeadlineStatus.OPEN


# --- 第二十三条: 15 日 to tell the petitioner, 5 个工作日 to object -----------------------------------------


def test_assigning_on_time_meets_routing_and_starts_acceptance_and_the_objection_window(cast):
    item = register(cast, date(2025, 9, 16))

    assign(cast, item, date(2025, 9, 26))

    assert clock(item, ROUTING).status == DeadlineStatus.MET_ON_TIME
    acceptance, objection = clock(item, ACCEPTANCE_CLOCK), clock(item, OBJECTION)
    assert acceptance.unit == objection.unit == cast.tree.county_a_department
    # 09-26 + 15 = Saturday 10-11, the make-up working day after 国庆: kept.
    assert acceptance.due_on == date(2025, 10, 11)
    # Working days after Friday 09-26: Sun 09-28 (make-up), 09-29, 09-30, then 10-09, 10-10.
    assert objection.day_unit == "working"
    assert objection.due_on == date(2025, 10, 10)


def test_assigning_after_the_rolled_routing_day_is_late_and_the_make_up_saturday_counts_for_objection(cast):
    item = register(cast, date(2025, 9, 16))  # routing due 2025-10-09

    assign(cast, item, date(2025, 10, 10))

    routing = clock(item, ROUTING)
    assert (routing.status, routing.met_on) == (DeadlineStatus.MET_LATE, date(2025, 10, 10))
    # 10-10 + 15 = Saturday 10-25, an ordinary weekend: rolls to Monday 10-27.
    assert clock(item, ACCEPTANCE_CLOCK).due_on == date(2025, 10, 27)
    # Sat 10-11 (make-up), 10-13, 10-14, 10-15, 10-16.
    assert clock(item, OBJECTION).due_on == date(2025, 10, 16)


def test_an_objection_on_the_fifth_working_day_after_national_day_returns_the_item_and_restarts_routing(cast):
    item = register(cast, date(2025, 9, 16))
    assign(cast, item, date(2025, 9, 26))

    lifecycle.item_object(
        actor=cast.handler, item_id=item.pk, on=date(2025, 10, 10), reason="不属于本单位职责"
    )

    item = fresh(item)
    assert item.status == Status.REGISTERED
    assert item.responsible_unit is None
    assert clock(item, OBJECTION).status == DeadlineStatus.MET_ON_TIME
    assert clock(item, ACCEPTANCE_CLOCK).status == DeadlineStatus.CANCELLED
    routing = clock(item, ROUTING)
    assert routing.status == DeadlineStatus.OPEN
    assert routing.starts_on == date(2025, 10, 10)
    assert routing.due_on == date(2025, 10, 27)  # 10-25 is a Saturday


def test_an_objection_after_the_fifth_working_day_is_refused_even_on_a_make_up_saturday(cast):
    item = register(cast, date(2025, 9, 16))
    assign(cast, item, date(2025, 9, 26))  # objection window ends 2025-10-10

    with pytest.raises(DomainError) as refused:
        lifecycle.item_object(
            actor=cast.handler, item_id=item.pk, on=date(2025, 10, 11), reason="不属于本单位职责"
        )

    assert refused.value.code == "objection_late"
    assert "2025-10-10" in refused.value.message
    assert fresh(item).status == Status.ASSIGNED
    assert clock(item, OBJECTION).status == DeadlineStatus.OPEN


# --- 第三十四条: 60 日 from acceptance, one extension of at most 30 日 ------------------------------------


@pytest.mark.parametrize(
    ("accept_on", "nominal_on", "due_on", "extended_due_on"),
    [
        # + 60 = 10-01 → 10-09; extended: 90 日 from 08-02 = 10-31, not 30 日 after the rolled 10-09.
        (date(2025, 8, 2), date(2025, 10, 1), date(2025, 10, 9), date(2025, 10, 31)),
        # + 60 = Monday 02-16 in 春节 → 02-24; extended: 90 日 = Wednesday 2026-03-18.
        (date(2025, 12, 18), date(2026, 2, 16), date(2026, 2, 24), date(2026, 3, 18)),
        # + 60 = Saturday 02-14, worked before 春节: kept; extended: 90 日 = Monday 2026-03-16.
        (date(2025, 12, 16), date(2026, 2, 14), date(2026, 2, 14), date(2026, 3, 16)),
    ],
)
def test_handling_runs_60_days_from_acceptance_and_the_extension_makes_it_90_from_the_same_start(
    cast, accept_on, nominal_on, due_on, extended_due_on
):
    item = accepted(
        cast,
        received_on=accept_on - timedelta(days=10),
        assign_on=accept_on - timedelta(days=5),
        accept_on=accept_on,
    )

    handling = clock(item, HANDLING)
    assert clock(item, ACCEPTANCE_CLOCK).status == DeadlineStatus.MET_ON_TIME
    assert clock(item, OBJECTION).status == DeadlineStatus.CANCELLED
    assert handling.starts_on == accept_on
    assert (handling.nominal_on, handling.due_on) == (nominal_on, due_on)
    notice = Document.objects.get(item=item, kind=DocumentKind.ACCEPTANCE)
    assert notice.body["due_on"] == due_on.isoformat()

    lifecycle.item_request_extension(
        actor=cast.handler, item_id=item.pk, on=accept_on, days=30, reason="案情复杂，需多部门会商"
    )
    lifecycle.item_extend(actor=cast.handling_head(), item_id=item.pk, on=accept_on)

    handling = clock(item, HANDLING)
    assert (handling.extension_days, handling.due_on) == (30, extended_due_on)
    extension = DeadlineExtension.objects.get(deadline=handling)
    assert (extension.approved_by, extension.reason) == (cast.handling_head(), "案情复杂，需多部门会商")
    assert (extension.due_before, extension.due_after) == (due_on, extended_due_on)
    letter = Document.objects.get(item=item, kind=DocumentKind.EXTENSION)
    assert letter.body["due_on"] == extended_due_on.isoformat()


def test_handling_can_be_extended_only_once_and_by_at_most_30_days(cast):
    item = accepted(
        cast, received_on=date(2025, 7, 25), assign_on=date(2025, 7, 28), accept_on=date(2025, 8, 2)
    )

    with pytest.raises(DomainError) as too_long:
        lifecycle.item_request_extension(
            actor=cast.handler, item_id=item.pk, on=date(2025, 9, 1), days=31, reason="案情复杂"
        )
    assert too_long.value.field == "days"
    with pytest.raises(DomainError) as too_long_approved:
        lifecycle.item_extend(
            actor=cast.handling_head(), item_id=item.pk, on=date(2025, 9, 1), days=31, reason="案情复杂"
        )
    assert too_long_approved.value.field == "days"

    lifecycle.item_extend(
        actor=cast.handling_head(), item_id=item.pk, on=date(2025, 9, 1), days=20, reason="案情复杂"
    )
    assert clock(item, HANDLING).due_on == date(2025, 10, 21)  # 80 日 from 08-02

    with pytest.raises(DomainError) as again:
        lifecycle.item_request_extension(
            actor=cast.handler, item_id=item.pk, on=date(2025, 9, 20), days=10, reason="仍需调查"
        )
    assert again.value.code == "extended_already"
    with pytest.raises(DomainError, match="最多延期1次"):
        lifecycle.item_extend(
            actor=cast.handling_head(), item_id=item.pk, on=date(2025, 9, 20), days=10, reason="仍需调查"
        )
    assert clock(item, HANDLING).due_on == date(2025, 10, 21)


def test_an_item_routed_into_litigation_gets_no_60_day_handling_clock(cast):
    item = register(cast, date(2025, 9, 16), markers=[Marker.LITIGATION])
    assign(cast, item, date(2025, 9, 26))

    with pytest.raises(DomainError) as refused:
        lifecycle.item_accept(actor=cast.handler, item_id=item.pk, on=date(2025, 9, 29))
    assert refused.value.code == "litigation"
    lifecycle.item_reject(actor=cast.handler, item_id=item.pk, on=date(2025, 9, 29), route=Route.LITIGATION)

    assert fresh(item).status == Status.NOT_ACCEPTED
    assert clock(item, ACCEPTANCE_CLOCK).status == DeadlineStatus.MET_ON_TIME
    assert not Deadline.objects.filter(subject_id=item.pk, rule_id=HANDLING).exists()
    assert not Deadline.objects.filter(subject_id=item.pk, status=DeadlineStatus.OPEN).exists()


# --- 第三十五条 / 第三十六条: 复查 and 复核, each a 30-day window then a 30-day decision -------------------------


def test_review_and_recheck_clocks_from_delivery_through_spring_festival_with_the_hearing_not_counted(cast):
    item = accepted(
        cast, received_on=date(2025, 12, 10), assign_on=date(2025, 12, 12), accept_on=date(2025, 12, 18)
    )
    reply_letter = reply(cast, item, date(2026, 1, 15))
    assert clock(item, HANDLING).status == DeadlineStatus.MET_ON_TIME
    # Not yet delivered: from the presumed delivery day 01-22 (issue + 7): + 30 = 02-21 inside 春节 → 02-24.
    presumed = clock(item, REVIEW_WINDOW)
    assert (presumed.starts_on, presumed.nominal_on, presumed.due_on) == (
        date(2026, 1, 22),
        date(2026, 2, 21),
        date(2026, 2, 24),
    )

    deliver(cast, reply_letter, date(2026, 1, 20))
    # The petitioner received it on 01-20: + 30 = 02-19 inside 春节 → Tuesday 02-24.
    window = clock(item, REVIEW_WINDOW)
    assert (window.starts_on, window.nominal_on, window.due_on) == (
        date(2026, 1, 20),
        date(2026, 2, 19),
        date(2026, 2, 24),
    )
    assert Deadline.objects.filter(
        subject_id=item.pk, rule_id=REVIEW_WINDOW, status=DeadlineStatus.CANCELLED
    ).exists()

    lifecycle.item_request_review(actor=cast.clerk, item_id=item.pk, on=date(2026, 1, 24))
    assert clock(item, REVIEW_WINDOW).status == DeadlineStatus.MET_ON_TIME
    review = clock(item, REVIEW_CLOCK)
    # Request on Saturday 01-24: + 30 = Monday 02-23, the last day of 春节 → 02-24.
    assert (review.nominal_on, review.due_on) == (date(2026, 2, 23), date(2026, 2, 24))
    assert review.unit == cast.tree.county_a

    review_letter = review_decision(cast, item, date(2026, 2, 24))
    assert clock(item, REVIEW_CLOCK).status == DeadlineStatus.MET_ON_TIME
    assert clock(item, RECHECK_WINDOW).due_on == date(2026, 4, 2)  # presumed 03-03 + 30, a Thursday
    deliver(cast, review_letter, date(2026, 2, 26))
    # Received 02-26, before the presumed day, which gives way: + 30 = Saturday 03-28 → Monday 03-30.
    assert clock(item, RECHECK_WINDOW).due_on == date(2026, 3, 30)

    lifecycle.item_request_recheck(actor=cast.head, item_id=item.pk, on=date(2026, 3, 30))
    recheck = clock(item, RECHECK_CLOCK)
    assert clock(item, RECHECK_WINDOW).status == DeadlineStatus.MET_ON_TIME
    assert recheck.due_on == date(2026, 4, 29)  # 03-30 + 30, a Wednesday
    assert recheck.unit == cast.tree.city

    lifecycle.item_hearing(actor=cast.head, item_id=item.pk, on=date(2026, 4, 10), starting=True, note="听证")
    lifecycle.item_hearing(actor=cast.head, item_id=item.pk, on=date(2026, 4, 12), starting=False)
    recheck = clock(item, RECHECK_CLOCK)
    # Two hearing days do not count: 32 日 = Friday 05-01, 劳动节 rest to 05-05 → Wednesday 05-06.
    assert recheck.paused_days == 2
    assert (recheck.nominal_on, recheck.due_on) == (date(2026, 5, 1), date(2026, 5, 6))

    lifecycle.item_recheck_decision(
        actor=cast.head,
        item_id=item.pk,
        on=date(2026, 5, 6),
        decision=ReviewDecision.UPHELD,
        opinion="复查意见正确，予以维持。",
    )
    item = fresh(item)
    assert (item.status, item.close_reason, item.closed_on) == (
        Status.CLOSED,
        CloseReason.RECHECKED,
        date(2026, 5, 6),
    )
    assert clock(item, RECHECK_CLOCK).status == DeadlineStatus.MET_ON_TIME
    assert not Deadline.objects.filter(subject_id=item.pk, status=DeadlineStatus.OPEN).exists()


def test_a_recheck_decided_after_30_days_without_a_hearing_is_late(cast):
    item = reviewed(cast)  # recheck window ends 03-26
    lifecycle.item_request_recheck(actor=cast.head, item_id=item.pk, on=date(2026, 3, 26))
    # 03-26 + 30 = Saturday 04-25 → Monday 04-27.
    assert (clock(item, RECHECK_CLOCK).nominal_on, clock(item, RECHECK_CLOCK).due_on) == (
        date(2026, 4, 25),
        date(2026, 4, 27),
    )

    lifecycle.item_recheck_decision(
        actor=cast.head,
        item_id=item.pk,
        on=date(2026, 4, 28),
        decision=ReviewDecision.UPHELD,
        opinion="予以维持。",
    )

    recheck = clock(item, RECHECK_CLOCK)
    assert (recheck.status, recheck.met_on) == (DeadlineStatus.MET_LATE, date(2026, 4, 28))


def test_a_recheck_cannot_be_decided_while_the_hearing_runs_and_the_hearing_time_does_not_count(cast):
    item = reviewed(cast)
    lifecycle.item_request_recheck(actor=cast.head, item_id=item.pk, on=date(2026, 3, 26))  # due 04-27
    lifecycle.item_hearing(actor=cast.head, item_id=item.pk, on=date(2026, 4, 20), starting=True, note="听证")

    with pytest.raises(DomainError) as refused:
        lifecycle.item_recheck_decision(
            actor=cast.head,
            item_id=item.pk,
            on=date(2026, 5, 8),
            decision=ReviewDecision.VARIED,
            opinion="经听证，变更复查意见。",
        )
    assert refused.value.code == "hearing_running"
    lifecycle.item_hearing(actor=cast.head, item_id=item.pk, on=date(2026, 5, 8), starting=False)
    lifecycle.item_recheck_decision(
        actor=cast.head,
        item_id=item.pk,
        on=date(2026, 5, 8),
        decision=ReviewDecision.VARIED,
        opinion="经听证，变更复查意见。",
    )

    recheck = clock(item, RECHECK_CLOCK)
    # 04-20..05-08 (18 日) was hearing time: 48 日 from 03-26 = Wednesday 05-13; decided 05-08, on time.
    assert (recheck.paused_days, recheck.due_on) == (18, date(2026, 5, 13))
    assert recheck.status == DeadlineStatus.MET_ON_TIME
    assert fresh(item).status == Status.CLOSED


def reviewed(cast: Cast) -> Item:
    """An item whose 复查 decision was issued and received (delivery recorded) on 2026-02-24."""
    item = accepted(
        cast, received_on=date(2025, 12, 10), assign_on=date(2025, 12, 12), accept_on=date(2025, 12, 18)
    )
    reply(cast, item, date(2026, 1, 15))
    lifecycle.item_request_review(actor=cast.clerk, item_id=item.pk, on=date(2026, 1, 24))
    deliver(cast, review_decision(cast, item, date(2026, 2, 24)), date(2026, 2, 24))
    return fresh(item)


def test_a_review_request_after_the_rolled_last_day_is_refused(cast):
    item = accepted(
        cast, received_on=date(2025, 12, 10), assign_on=date(2025, 12, 12), accept_on=date(2025, 12, 18)
    )
    deliver(cast, reply(cast, item, date(2026, 1, 15)), date(2026, 1, 20))  # window ends 2026-02-24

    with pytest.raises(DomainError) as refused:
        lifecycle.item_request_review(actor=cast.clerk, item_id=item.pk, on=date(2026, 2, 25))

    assert refused.value.code == "window_lapsed"
    assert fresh(item).status == Status.REPLIED


def test_a_recheck_request_after_the_window_is_refused(cast):
    item = reviewed(cast)  # window from 02-24: due Thursday 03-26

    with pytest.raises(DomainError) as refused:
        lifecycle.item_request_recheck(actor=cast.head, item_id=item.pk, on=date(2026, 3, 27))

    assert refused.value.code == "window_lapsed"
    assert fresh(item).status == Status.REVIEWED


# --- 终结 when a window lapses unused --------------------------------------------------------------------


def test_an_unused_review_window_rolls_past_national_day_and_only_then_closes_the_item(cast):
    item = accepted(
        cast, received_on=date(2025, 7, 25), assign_on=date(2025, 7, 28), accept_on=date(2025, 8, 2)
    )
    reply(cast, item, date(2025, 8, 29))  # presumed received 09-05: + 30 = Sunday 10-05, inside 国庆 → 10-09
    assert clock(item, REVIEW_WINDOW).due_on == date(2025, 10, 9)

    assert items_close_lapsed_windows(today=date(2025, 10, 9)) == 0
    assert fresh(item).status == Status.REPLIED

    assert items_close_lapsed_windows(today=date(2025, 10, 10)) == 1
    item = fresh(item)
    assert (item.status, item.close_reason, item.closed_on) == (
        Status.CLOSED,
        CloseReason.REVIEW_WINDOW_LAPSED,
        date(2025, 10, 10),
    )
    assert clock(item, REVIEW_WINDOW).status == DeadlineStatus.LAPSED


def test_an_unused_recheck_window_rolls_past_national_day_2026_and_only_then_closes_the_item(cast):
    item = accepted(
        cast, received_on=date(2026, 6, 1), assign_on=date(2026, 6, 3), accept_on=date(2026, 6, 5)
    )
    reply(cast, item, date(2026, 7, 20))
    lifecycle.item_request_review(actor=cast.clerk, item_id=item.pk, on=date(2026, 7, 28))
    # Presumed received 09-01: + 30 = 10-01 → 10-08, the first working day after 国庆.
    review_decision(cast, item, date(2026, 8, 25))
    assert clock(item, RECHECK_WINDOW).due_on == date(2026, 10, 8)

    assert items_close_lapsed_windows(today=date(2026, 10, 8)) == 0
    assert items_close_lapsed_windows(today=date(2026, 10, 9)) == 1

    item = fresh(item)
    assert (item.status, item.close_reason) == (Status.CLOSED, CloseReason.RECHECK_WINDOW_LAPSED)
    assert clock(item, RECHECK_WINDOW).status == DeadlineStatus.LAPSED
    assert not Deadline.objects.filter(subject_id=item.pk, status=DeadlineStatus.OPEN).exists()

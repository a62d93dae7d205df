"""The petition work queues: what each role sees, in what order, never another county's items; extension notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Notification
from core.choices import Role
from core.models import User
from petitions import queues
from petitions.choices import Status
from petitions.services import lifecycle
from tests.support.accounts import Personas, Tree
from tests.support.items import Cast, ItemFactory

pytestmark = pytest.mark.django_db


def numbers(page: queues.QueuePage) -> list[str]:
    return [row.number for row in page.rows]


def request_extension(cast: Cast, item_id: int) -> None:
    lifecycle.item_request_extension(
        actor=cast.handler,
        item_id=item_id,
        on=date(2025, 4, 1),
        days=30,
        reason="涉及多个部门，需要联合调查。",
    )


def test_a_clerk_sees_what_they_registered_today_and_not_older_items(item_factory: ItemFactory, cast: Cast):
    today = timezone.localdate()
    old = item_factory.make(Status.REGISTERED)
    new = item_factory.make(Status.REGISTERED, received_on=today, registered_on=today)
    page = queues.registered_today(cast.clerk, 5)
    assert (page.count, numbers(page)) == (1, [new.number])
    assert old.number not in numbers(page)
    assert page.rows[0].url == reverse("petitions:item_detail", args=[new.pk])


def test_items_waiting_to_be_forwarded_come_oldest_first_with_their_routing_due_date(
    item_factory: ItemFactory, cast: Cast
):
    later = item_factory.make(Status.REGISTERED, received_on=date(2025, 3, 10))
    earlier = item_factory.make(Status.REGISTERED, received_on=date(2025, 3, 3))
    item_factory.make(Status.ASSIGNED)  # forwarded already
    page = queues.waiting_to_forward(cast.clerk, 5)
    assert numbers(page) == [earlier.number, later.number]
    earlier.refresh_from_db()
    assert page.rows[0].due_on == earlier.obligation_due_on is not None
    assert page.rows[0].days_left is not None
    assert page.rows[0].days_left < 0  # 2025: long overdue


def test_another_countys_clerk_sees_none_of_county_a_items(item_factory: ItemFactory, personas: Personas):
    item_factory.make(Status.REGISTERED)
    assert queues.waiting_to_forward(personas.clerk_b, 5).count == 0
    assert queues.registered_today(personas.clerk_b, 5).count == 0


def test_a_handler_sees_items_to_accept_and_in_handling_and_due_this_week(
    item_factory: ItemFactory, cast: Cast
):
    assigned = item_factory.make(Status.ASSIGNED)
    accepted = item_factory.make(Status.ACCEPTED)
    assert numbers(queues.waiting_for_acceptance(cast.handler, 5)) == [assigned.number]
    handling = queues.in_handling(cast.handler, 5)
    assert numbers(handling) == [accepted.number]
    accepted.refresh_from_db()
    assert handling.rows[0].due_on == accepted.obligation_due_on
    assert numbers(queues.due_this_week(cast.handler, 5)) == [accepted.number]  # overdue counts as due


def test_in_handling_is_ordered_by_the_handling_due_date(item_factory: ItemFactory, cast: Cast):
    first = item_factory.make(Status.ACCEPTED)
    second = item_factory.make(Status.ACCEPTED)
    request_extension(cast, first.pk)
    lifecycle.item_extend(
        actor=cast.handling_head(), item_id=first.pk, on=date(2025, 4, 2)
    )  # first is now due later
    assert numbers(queues.in_handling(cast.handler, 5)) == [second.number, first.number]


def test_a_handler_of_another_county_sees_none_of_them(
    item_factory: ItemFactory, tree: Tree, make_user: Callable[..., User]
):
    item_factory.make(Status.ASSIGNED)
    item_factory.make(Status.ACCEPTED)
    outsider = make_user(tree.county_b, [Role.HANDLER], "handler_b")
    for provider in (queues.waiting_for_acceptance, queues.in_handling, queues.due_this_week):
        assert provider(outsider, 5).count == 0


def test_an_item_returned_for_rework_is_in_the_rework_queue(item_factory: ItemFactory, cast: Cast):
    plain = item_factory.make(Status.ACCEPTED)
    returned = item_factory.make(Status.REPLIED)
    lifecycle.item_rework(
        actor=cast.handling_head(), item_id=returned.pk, on=date(2025, 4, 12), reason="依据不足，请补充调查。"
    )
    page = queues.returned_for_rework(cast.handler, 5)
    assert numbers(page) == [returned.number]
    assert plain.number not in numbers(page)


def test_the_handling_units_section_head_sees_a_pending_extension_request(
    item_factory: ItemFactory, cast: Cast, tree: Tree, make_user: Callable[..., User]
):
    item = item_factory.make(Status.ACCEPTED)
    request_extension(cast, item.pk)
    page = queues.extensions_to_approve(cast.handling_head(), 5)
    assert (page.count, numbers(page)) == (1, [item.number])
    assert "30" in page.rows[0].summary
    assert page.rows[0].url == reverse("petitions:item_detail", args=[item.pk])
    other_county_head = make_user(tree.county_b, [Role.SECTION_HEAD], "head_b")
    assert queues.extensions_to_approve(other_county_head, 5).count == 0
    lifecycle.item_extend(actor=cast.handling_head(), item_id=item.pk, on=date(2025, 4, 2))
    assert queues.extensions_to_approve(cast.handling_head(), 5).count == 0  # decided: off the queue


def test_overdue_items_of_the_subtree_most_overdue_first(
    item_factory: ItemFactory, cast: Cast, tree: Tree, make_user: Callable[..., User]
):
    older = item_factory.make(Status.REGISTERED, received_on=date(2025, 3, 3))
    newer = item_factory.make(Status.REGISTERED, received_on=date(2025, 3, 20))
    closed_like = item_factory.make(Status.REPLIED)  # a reply clears the handling clock
    page = queues.overdue_items(cast.head, 5)
    assert numbers(page)[:2] == [older.number, newer.number]
    assert closed_like.number not in numbers(page)
    assert queues.overdue_items(make_user(tree.county_b, [Role.SECTION_HEAD], "head_b"), 5).count == 0


def test_the_count_is_of_all_rows_while_only_the_first_page_is_listed(item_factory: ItemFactory, cast: Cast):
    for day in range(3):
        item_factory.make(Status.REGISTERED, received_on=date(2025, 3, 3) + timedelta(days=day))
    page = queues.waiting_to_forward(cast.clerk, 2)
    assert (page.count, len(page.rows)) == (3, 2)


def test_each_queue_reads_one_page_query_whatever_the_rows(
    item_factory: ItemFactory, cast: Cast, django_assert_max_num_queries
):
    for _ in range(4):
        item_factory.make(Status.ACCEPTED)
    queues.in_handling(cast.handler, 5)  # the calendar is read once per process
    for provider in (queues.in_handling, queues.due_this_week, queues.returned_for_rework):
        # the subtree ids, the page with its count, the calendar version: never one per row
        with django_assert_max_num_queries(3):
            provider(cast.handler, 5)


def test_an_extension_request_notifies_the_responsible_units_section_heads_on_commit(
    item_factory: ItemFactory,
    cast: Cast,
    tree: Tree,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks,
):
    item = item_factory.make(Status.ACCEPTED)
    inactive_head = make_user(tree.county_a_department, [Role.SECTION_HEAD], "gone_head", is_active=False)
    other_head = make_user(tree.county_b, [Role.SECTION_HEAD], "head_b")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_extension(cast, item.pk)
    assert not Notification.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    told = Notification.objects.get()
    assert told.recipient == cast.handling_head()
    assert told.url == reverse("petitions:item_detail", args=[item.pk])
    assert item.number in told.title
    assert "30" in told.body
    assert not Notification.objects.filter(recipient__in=[cast.head, inactive_head, other_head]).exists()


def test_deciding_an_extension_settles_every_approvers_notice_of_it(
    item_factory: ItemFactory,
    cast: Cast,
    tree: Tree,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks,
):
    item = item_factory.make(Status.ACCEPTED)
    other = item_factory.make(Status.ACCEPTED)
    unit_leader = make_user(tree.county_a_department, [Role.LEADER], "unit_leader")
    with django_capture_on_commit_callbacks(execute=True):
        request_extension(cast, item.pk)
    with django_capture_on_commit_callbacks(execute=True):
        request_extension(cast, other.pk)
    told = Notification.objects.filter(read_at__isnull=True)
    assert set(told.values_list("recipient", flat=True)) == {cast.handling_head().pk, unit_leader.pk}
    assert told.count() == 4

    lifecycle.item_extend(actor=unit_leader, item_id=item.pk, on=date(2025, 4, 2))

    still_waiting = told.all()
    assert {notice.url for notice in still_waiting} == {reverse("petitions:item_detail", args=[other.pk])}
    assert still_waiting.count() == 2  # the other item's request still waits for both approvers


def test_a_request_decided_before_its_commit_tells_no_one(
    item_factory: ItemFactory, cast: Cast, django_capture_on_commit_callbacks
):
    """Entered after the fact, a request and its approval can be one transaction: nothing is left waiting."""
    item = item_factory.make(Status.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        request_extension(cast, item.pk)
        lifecycle.item_extend(actor=cast.handling_head(), item_id=item.pk, on=date(2025, 4, 2))
    assert not Notification.objects.exists()

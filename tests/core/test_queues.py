"""Work queues on the home page and at /api/v1/me/queue/: per role, scoped, counted, with a bounded query count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.queues import orders_awaiting_reply, orders_naming_my_unit, orders_open, replies_to_close
from accountability.services.supervision import supervision_issue
from core.choices import Role
from core.models import User
from core.queues import QueuePage, QueueRow, queue_page, queue_specs_for
from ledger.models import KeyCase
from ledger.queues import my_key_cases, screening_reports_to_file
from ledger.services.screening import screening_rounds_open
from petitions.choices import Status
from tests.support.accounts import Personas, Tree
from tests.support.helpers import travel_to
from tests.support.items import Cast, ItemFactory
from tests.support.keycases import LedgerCast
from tests.support.supervision import finding_on

pytestmark = pytest.mark.django_db

QUEUE_URL = "/api/v1/me/queue/"


def names(user: User) -> list[str]:
    return [spec.name for spec in queue_specs_for(user)]


def test_each_role_sees_its_own_queues(personas: Personas):
    assert names(personas.clerk_a) == ["petitions.registered_today", "petitions.waiting_to_forward"]
    assert names(personas.handler_a) == [
        "petitions.waiting_for_acceptance",
        "petitions.due_this_week",
        "petitions.in_handling",
        "petitions.returned_for_rework",
        "accountability.orders_awaiting_reply",
    ]
    assert names(personas.section_head) == [
        "petitions.extensions_to_approve",
        "ledger.strike_offs_waiting",
        "petitions.overdue",
        "ledger.screening_to_file",
    ]
    assert names(personas.leader) == [
        "petitions.extensions_to_approve",
        "ledger.my_key_cases",
        "accountability.orders_naming_my_unit",
        "accountability.circulars_naming_my_unit",
        "dashboard.day_figures",
    ]
    assert names(personas.supervisor) == [
        "petitions.overdue",
        "accountability.orders_open",
        "accountability.replies_to_close",
    ]
    assert names(personas.system_admin) == []


def test_a_page_counts_working_days_left_from_today():
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = queue_page(
        "t", 1, [QueueRow(url="/", number="1", summary="s", due_on=tomorrow), QueueRow("/", "2", "s")]
    )
    assert page.rows[0].days_left in {0, 1}  # tomorrow: one working day left unless it is a rest day
    assert page.rows[1].days_left is None
    assert isinstance(page, QueuePage)


def test_the_home_page_shows_a_handlers_queue_with_links(client_for, item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ACCEPTED)
    page = client_for(cast.handler).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="queue-petitions.in_handling"' in html
    assert reverse("petitions:item_detail", args=[item.pk]) in html
    assert item.number in html
    assert "暂无待办" in html  # the empty queues (nothing to accept) say so


def test_the_home_page_of_another_county_shows_none_of_county_a_items(
    client_for, item_factory: ItemFactory, tree: Tree, make_user: Callable[..., User]
):
    item = item_factory.make(Status.ACCEPTED)
    outsider = make_user(tree.county_b, [Role.HANDLER], "handler_b")
    html = client_for(outsider).get("/").content.decode()
    assert item.number not in html
    assert 'data-testid="queue-petitions.in_handling"' in html


def test_the_home_page_query_count_does_not_grow_with_the_rows(
    client_for, item_factory: ItemFactory, cast: Cast, django_assert_max_num_queries
):
    item_factory.make(Status.ACCEPTED)
    client = client_for(cast.handler)
    client.get("/")
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    for _ in range(4):
        item_factory.make(Status.ACCEPTED)
    with django_assert_max_num_queries(len(few)):
        client.get("/")


def test_anonymous_is_sent_to_sign_in_and_the_api_refuses(client, api_for):
    assert client.get("/").status_code == 302
    assert api_for(None).get(QUEUE_URL).status_code in {401, 403}


def test_the_api_returns_the_callers_queues_with_counts_and_rows(
    api_for, item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ACCEPTED)
    response = api_for(cast.handler).get(QUEUE_URL)
    assert response.status_code == 200
    queues = {queue["name"]: queue for queue in response.json()}
    handling = queues["petitions.in_handling"]
    assert handling["title"] == "办理中"
    assert handling["count"] == 1
    (row,) = handling["items"]
    item.refresh_from_db()
    assert item.obligation_due_on is not None
    assert row == {
        "url": reverse("petitions:item_detail", args=[item.pk]),
        "number": item.number,
        "summary": item.summary[:40],
        "due_on": item.obligation_due_on.isoformat(),
        "days_left": row["days_left"],
    }
    assert row["days_left"] < 0
    assert queues["petitions.waiting_for_acceptance"] == {
        "name": "petitions.waiting_for_acceptance",
        "title": "待受理审查",
        "count": 0,
        "items": [],
        "figures": [],
    }


def test_the_api_shows_an_admin_no_queue(api_for, personas: Personas):
    response = api_for(personas.system_admin).get(QUEUE_URL)
    assert (response.status_code, response.json()) == (200, [])


def test_a_leader_sees_own_open_key_cases_most_urgent_first(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast
):
    today = timezone.localdate()
    later = make_case(resolve_by=today + timedelta(days=60))
    sooner = make_case(resolve_by=today + timedelta(days=10))
    make_case(owner_id=ledger_cast.county_leader.pk)
    page = my_key_cases(ledger_cast.leader, 5)
    assert [row.number for row in page.rows] == [sooner.number, later.number]
    assert page.rows[0].url == reverse("ledger:case_detail", args=[sooner.pk])
    assert page.rows[0].due_on == sooner.resolve_by
    assert my_key_cases(ledger_cast.county_b_leader, 5).count == 0


def test_supervision_orders_reach_the_supervised_unit_and_the_issuing_supervisor(
    personas: Personas, tree: Tree, make_user: Callable[..., User]
):
    order = supervision_issue(
        actor=personas.supervisor,
        unit=tree.county_a_department,
        subject=finding_on(tree.county_a_department),
        ground="not_closed",
        method="written",
        requirement="请于五个工作日内书面报告办理情况。",
        issued_on=date(2025, 4, 1),
    )
    assert [row.number for row in orders_awaiting_reply(personas.handler_a, 5).rows] == [order.number]
    assert orders_open(personas.supervisor, 5).count == 1
    assert replies_to_close(personas.supervisor, 5).count == 0
    department_leader = make_user(tree.county_a_department, [Role.LEADER], "leader_zj")
    assert orders_naming_my_unit(department_leader, 5).count == 1
    assert orders_naming_my_unit(personas.leader, 5).count == 0  # the city is not the unit named
    outsider = make_user(tree.county_b, [Role.HANDLER], "handler_b")
    assert orders_awaiting_reply(outsider, 5).count == 0


def test_a_section_head_sees_the_screening_reports_their_unit_has_not_filed(ledger_cast: LedgerCast):
    with travel_to(date(2025, 9, 15)):
        screening_rounds_open()
    page = screening_reports_to_file(ledger_cast.county_head, 5)
    assert page.count == 1
    (row,) = page.rows
    assert "2025-09-15" in row.summary
    assert row.due_on is not None
    assert row.url.startswith("/ledger/")
    # another county's head sees only its own unit's report, never county A's
    other = screening_reports_to_file(ledger_cast.county_b_head, 5)
    assert other.count == 1
    assert other.rows[0].url != row.url

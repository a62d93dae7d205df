"""The leader's 点名本单位的通报 queue: a 通报 from above that names the leader's unit, for a month, and readable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Circular
from accountability.queues import CIRCULAR_QUEUE_DAYS, circulars_naming_my_unit_recently
from accountability.services.supervision import circular_issue
from core.choices import Role
from core.models import User
from petitions.choices import Status
from tests.support.accounts import Personas, Tree
from tests.support.items import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def circular(item_factory: ItemFactory, personas: Personas) -> Circular:
    """The city's 通报 of 2025: county A's department let an item's handling clock run out."""
    item_factory.make(Status.ACCEPTED)  # handling due in May 2025, never replied
    return circular_issue(actor=personas.supervisor, start=date(2025, 1, 1), end=date(2025, 12, 31))


@pytest.fixture
def department_leader(tree: Tree, make_user: Callable[..., User]) -> User:
    return make_user(tree.county_a_department, [Role.LEADER], "leader_zj")


def test_a_leader_whose_unit_the_circular_names_sees_it_with_the_units_line(
    circular: Circular, department_leader: User
):
    page = circulars_naming_my_unit_recently(department_leader, 5)

    assert page.count == 1
    (row,) = page.rows
    assert row.number == circular.number
    assert row.url == reverse("accountability:circular_detail", args=[circular.pk])
    assert "本单位超期1" in row.summary
    assert circulars_naming_my_unit_recently(department_leader, 0).count == 1  # the menu's count-only reading


def test_leaders_of_units_it_does_not_name_do_not_see_it(
    circular: Circular, personas: Personas, tree: Tree, make_user: Callable[..., User]
):
    county_b_leader = make_user(tree.county_b, [Role.LEADER], "leader_b")

    assert circulars_naming_my_unit_recently(county_b_leader, 5).count == 0
    assert circulars_naming_my_unit_recently(personas.leader, 5).count == 0  # the city itself is not named


def test_a_circular_leaves_the_queue_a_month_after_it_was_issued(circular: Circular, department_leader: User):
    Circular.objects.filter(pk=circular.pk).update(
        issued_at=timezone.now() - timedelta(days=CIRCULAR_QUEUE_DAYS + 1)
    )

    assert circulars_naming_my_unit_recently(department_leader, 5).count == 0


def test_the_named_unit_reads_the_circular_and_another_county_gets_404(
    circular: Circular,
    department_leader: User,
    tree: Tree,
    make_user: Callable[..., User],
    client_for,
    api_for,
):
    county_b_leader = make_user(tree.county_b, [Role.LEADER], "leader_b")
    url = reverse("accountability:circular_detail", args=[circular.pk])
    api_url = f"/api/v1/accountability/circulars/{circular.pk}/"

    assert client_for(department_leader).get(url).status_code == 200
    assert api_for(department_leader).get(api_url).status_code == 200
    assert (
        circular.number
        in client_for(department_leader).get(reverse("accountability:circular_list")).content.decode()
    )
    assert client_for(county_b_leader).get(url).status_code == 404
    assert api_for(county_b_leader).get(api_url).status_code == 404


def test_the_leaders_home_page_and_menu_show_the_circular(
    circular: Circular, department_leader: User, client_for
):
    html = client_for(department_leader).get("/").content.decode()

    assert 'data-testid="queue-accountability.circulars_naming_my_unit"' in html
    assert circular.number in html
    assert (
        'data-testid="menu-queue-accountability.circulars_naming_my_unit">点名本单位的通报 <span class="badge">1</span>'
        in html
    )

"""The leader's 今日数据 card: today's new items, clocks due today and overdue, this year's on-time rate, scoped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from accountability.measures import Period
from core.choices import Role
from core.models import User
from core.queues import queue_menu_for, queue_specs_for
from dashboard.queues import day_figures
from dashboard.situation import situation_for
from petitions.choices import Status
from tests.support.accounts import Tree
from tests.support.helpers import travel_to
from tests.support.items import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaders(tree: Tree, make_user: Callable[..., User]) -> tuple[User, User]:
    return make_user(tree.county_a, [Role.LEADER], "leader_a"), make_user(
        tree.county_b, [Role.LEADER], "leader_b"
    )


def figures(user: User) -> dict[str, str]:
    return {str(figure.label): figure.value for figure in day_figures(user, 5).figures}


def test_the_figures_count_the_day_in_the_leaders_subtree_only(
    item_factory: ItemFactory, leaders: tuple[User, User], tree: Tree
):
    leader_a, leader_b = leaders
    due_today = item_factory.register(received_on=date(2025, 3, 3))  # forwarding clock due 15 days later
    item_factory.register(received_on=date(2025, 2, 10))  # forwarding clock already run out by then
    due_today.refresh_from_db()  # the earliest open obligation is kept by a trigger
    day = due_today.obligation_due_on
    assert day is not None

    with travel_to(day):
        item_factory.register(received_on=day)
        mine, theirs = figures(leader_a), figures(leader_b)
        page = day_figures(leader_a, 5)
        dashboard = situation_for(tree.county_a, Period(date(day.year, 1, 1), day, day), trend_unit="month")

    assert (mine["今日新件"], mine["今日到期"], mine["当前超期"]) == ("1", "1", "1")
    assert (theirs["今日新件"], theirs["今日到期"], theirs["当前超期"]) == ("0", "0", "0")
    assert page.count == 1  # the overdue clocks
    assert (
        next(f.value for f in dashboard.workload if f.label == "当前超期") == 1
    )  # the dashboard says the same
    assert mine["本年按期办结率"] == "—（本年尚无到期事项）"  # no handling clock fell due in 2025 yet


def test_the_on_time_rate_is_the_dashboards_and_each_figure_links_to_its_list(
    item_factory: ItemFactory, leaders: tuple[User, User], tree: Tree
):
    leader_a, _leader_b = leaders
    item_factory.make(Status.ACCEPTED)  # handling clock due 2025-05-06, never met

    with travel_to(date(2025, 6, 2)):
        page = day_figures(leader_a, 5)
        year = Period(date(2025, 1, 1), date(2025, 6, 2), date(2025, 6, 2))
        dashboard = situation_for(tree.county_a, year, trend_unit="month")

    on_time = next(m for m in dashboard.measures if m.code == "on_time_closing")
    values = {str(figure.label): figure for figure in page.figures}
    assert (on_time.numerator, on_time.denominator) == (0, 1)
    assert values["本年按期办结率"].value == "0.0%（0/1）"
    assert values["本年按期办结率"].url == "/dashboard/"
    overdue = urlsplit(values["当前超期"].url)
    assert overdue.path == "/petitions/"
    assert parse_qs(overdue.query) == {"clock_unit": [str(tree.county_a.pk)], "overdue": ["true"]}
    assert parse_qs(urlsplit(values["今日到期"].url).query)["due_within"] == ["0"]
    assert parse_qs(urlsplit(values["今日新件"].url).query) == {
        "area": [str(tree.county_a.pk)],
        "received_after": ["2025-06-02"],
        "received_before": ["2025-06-02"],
    }


def test_the_figures_card_is_a_leaders_and_the_menu_does_not_count_it(leaders: tuple[User, User]):
    leader_a, _leader_b = leaders

    assert "dashboard.day_figures" in {spec.name for spec in queue_specs_for(leader_a)}
    assert "dashboard.day_figures" not in {queue.name for queue in queue_menu_for(leader_a).queues}


def test_the_leaders_home_page_shows_the_figures_card(
    item_factory: ItemFactory, leaders: tuple[User, User], client_for
):
    leader_a, _leader_b = leaders
    item_factory.make(Status.ACCEPTED)

    html = client_for(leader_a).get("/").content.decode()

    assert 'data-testid="queue-dashboard.day_figures"' in html
    assert "今日新件" in html
    assert "本年按期办结率" in html

"""Work-queue counts in the menu: the same numbers as the home page's cards, one COUNT per queue, only the user's."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import Role
from core.models import User
from core.queues import queue_menu_for, queue_specs_for
from petitions.choices import Status
from tests.support.accounts import Personas, Tree
from tests.support.items import Cast, ItemFactory

pytestmark = pytest.mark.django_db

CARD = re.compile(
    r'data-testid="queue-(?P<name>[\w.]+)">\s*<h2>[^<]*<span class="tag" data-testid="queue-count">(?P<count>\d+)</span>'
)
MENU = re.compile(r'data-testid="menu-queue-(?P<name>[\w.]+)">[^<]*<span class="badge">(?P<count>\d+)</span>')
TOTAL = re.compile(r'data-testid="menu-queue-total" title="待办合计">(\d+)</span>')


def cards(html: str) -> dict[str, int]:
    return {match["name"]: int(match["count"]) for match in CARD.finditer(html)}


def menu(html: str) -> dict[str, int]:
    return {match["name"]: int(match["count"]) for match in MENU.finditer(html)}


def test_the_menu_shows_each_card_count_on_the_home_page_and_on_every_other_page(
    client_for, item_factory: ItemFactory, cast: Cast
):
    for status in (Status.ACCEPTED, Status.ACCEPTED, Status.ASSIGNED):
        item_factory.make(status)
    client = client_for(cast.handler)

    home = client.get("/").content.decode()
    other = client.get("/petitions/").content.decode()

    on_cards = {name: count for name, count in cards(home).items() if count}
    assert on_cards["petitions.in_handling"] == 2
    assert on_cards["petitions.waiting_for_acceptance"] == 1
    assert menu(home) == on_cards  # the menu lists the queues with something in them, at the cards' numbers
    assert menu(other) == on_cards
    assert TOTAL.findall(home) == TOTAL.findall(other) == [str(sum(on_cards.values()))]


def test_the_menu_counts_with_one_query_per_queue_and_reads_no_rows(item_factory: ItemFactory, cast: Cast):
    item_factory.make(Status.ACCEPTED)
    counted = [spec for spec in queue_specs_for(cast.handler) if spec.in_menu]

    with CaptureQueriesContext(connection) as queries:
        found = queue_menu_for(cast.handler)

    counts = [query["sql"] for query in queries if query["sql"].startswith('SELECT COUNT(*) AS "__count"')]
    assert len(counts) == len(counted)  # one plain COUNT per queue: no rows, no window
    assert len(queries) == len(counted) + 1  # and the user's subtree ids, read once for all of them
    assert not any("OVER" in sql for sql in counts)
    assert [queue.name for queue in found.queues] == [spec.name for spec in counted]


def test_another_countys_handler_counts_none_of_county_as_items(
    client_for, item_factory: ItemFactory, tree: Tree, make_user: Callable[..., User]
):
    item_factory.make(Status.ACCEPTED)
    outsider = make_user(tree.county_b, [Role.HANDLER], "handler_b")

    assert queue_menu_for(outsider).total == 0
    html = client_for(outsider).get("/petitions/").content.decode()
    assert 'data-testid="menu-queue-total"' not in html
    assert menu(html) == {}


def test_roles_without_queues_read_nothing_for_the_menu(personas: Personas, client_for):
    with CaptureQueriesContext(connection) as queries:
        assert queue_menu_for(personas.system_admin).queues == []
    assert len(queries) == 0
    assert 'data-testid="menu-queues"' not in client_for(personas.system_admin).get("/").content.decode()


def test_a_fragment_without_the_menu_counts_nothing(client_for, cast: Cast, item_factory: ItemFactory):
    item_factory.make(Status.ACCEPTED)
    client = client_for(cast.clerk)
    client.get("/petitions/new-suggestions/?summary=工资")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/petitions/new-suggestions/?summary=工资")

    assert response.status_code == 200
    assert not any("petitions_item" in q["sql"] and "COUNT(" in q["sql"].upper() for q in queries)

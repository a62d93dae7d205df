"""The items' reach (the units that see each item): kept by triggers, and the whole list read through it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Unit, User
from core.services.units import unit_move
from petitions.choices import Channel, Status
from petitions.models import Item, ItemReach
from petitions.projections.reach import item_reach_rebuild
from petitions.selectors import item_reach_for_user
from tests.support.accounts import Personas, Tree
from tests.support.items import ItemFactory


def _reached(unit: Unit) -> set[int]:
    return set(ItemReach.objects.filter(unit=unit).values_list("item_id", flat=True))


def _seen_from_the_unit_columns(unit: Unit) -> set[int]:
    """What the unit's subtree sees, counted from the items' four unit columns directly."""
    ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))
    seen = Item.objects.filter(
        Q(registered_unit_id__in=ids)
        | Q(responsible_unit_id__in=ids)
        | Q(review_unit_id__in=ids)
        | Q(recheck_unit_id__in=ids)
    )
    return set(seen.values_list("id", flat=True))


def _every_unit_reaches_what_it_sees() -> None:
    for unit in Unit.objects.all():
        assert _reached(unit) == _seen_from_the_unit_columns(unit), unit.name


@pytest.fixture
def walked(item_factory: ItemFactory) -> list[Item]:
    """Items at every stage, so each of the four unit columns is set on some of them."""
    return [item_factory.make(status) for status in (Status.REGISTERED, Status.ASSIGNED, Status.CLOSED)]


def test_each_unit_reaches_exactly_the_items_its_subtree_sees(walked: list[Item], tree: Tree):
    closed = walked[-1]
    assert closed.review_unit_id  # the walk set all four columns
    assert closed.recheck_unit_id
    _every_unit_reaches_what_it_sees()
    assert {item.pk for item in walked} <= _reached(tree.city)
    assert _reached(tree.county_b) == set()
    # one row per unit and item, however many of the item's units lie below that unit
    assert ItemReach.objects.filter(unit=tree.city, item=closed).count() == 1
    assert ItemReach.objects.get(unit=tree.city, item=closed).received_on == closed.received_on


def test_moving_a_unit_moves_the_reach_of_its_items(walked: list[Item], tree: Tree, personas: Personas):
    handled = walked[1]
    assert handled.responsible_unit_id == tree.county_a_department.pk
    assert handled.pk not in _reached(tree.county_b)

    unit_move(
        actor=personas.system_admin, unit_id=tree.county_a_department.pk, new_parent_id=tree.county_b.pk
    )

    assert handled.pk in _reached(tree.county_b)
    _every_unit_reaches_what_it_sees()


ROW = ("unit_id", "item_id", "received_on", "status", "channel", "obligation_due_on")


def test_a_rebuild_writes_again_the_rows_the_triggers_keep(walked: list[Item], tree: Tree):
    # The walk changed statuses step by step: the triggers kept each row's status as it went.
    kept = sorted(ItemReach.objects.values_list(*ROW))
    assert {row[3] for row in kept} == {Status.REGISTERED, Status.ASSIGNED, Status.CLOSED}
    ItemReach.objects.filter(unit=tree.city).delete()
    ItemReach.objects.create(unit=tree.county_b, item=walked[0], received_on=walked[0].received_on)

    assert item_reach_rebuild() == len(kept)
    assert sorted(ItemReach.objects.values_list(*ROW)) == kept


def _list_numbers(client: Client, **params: str | list[str]) -> tuple[list[str], str]:
    response = client.get(reverse("petitions:item_list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'<a href="/petitions/\d+/">(XF\d{4}-\d{6})</a>', html), html


def test_the_whole_list_read_through_the_reach_pages_and_counts_like_the_items(
    item_factory: ItemFactory, personas: Personas, client_for: Callable[[User | None], Client]
):
    first = date(2025, 1, 2)
    made = [item_factory.register(received_on=first + timedelta(days=n)) for n in range(33)]
    newest_first = [item.number for item in sorted(made, key=lambda item: item.received_on, reverse=True)]
    client = client_for(personas.clerk_a)

    whole, html = _list_numbers(client)
    second, _ = _list_numbers(client, page="2")
    # An order the reach does not carry reads the item table (registered in the same order as received here).
    chosen, chosen_html = _list_numbers(client, ordering="-registered_at")

    assert whole + second == newest_first
    assert whole == chosen
    assert "共 33 件" in html
    assert "共 33 件" in chosen_html


def _count_statement(client: Client, **params: str) -> str:
    """The statement that counted the list."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("petitions:item_list"), params).status_code == 200
    return next(query["sql"] for query in queries.captured_queries if "COUNT(*)" in query["sql"])


def test_an_order_by_date_received_chosen_by_hand_pages_through_the_reach_with_ties_in_id_order(
    item_factory: ItemFactory, personas: Personas, client_for: Callable[[User | None], Client]
):
    days = [date(2025, 1, 2) + timedelta(days=n % 4) for n in range(33)]  # many items share a date
    made = [item_factory.register(received_on=day) for day in days]
    client = client_for(personas.clerk_a)
    oldest_first = [item.number for item in sorted(made, key=lambda item: (item.received_on, item.pk))]
    newest_first = [item.number for item in sorted(made, key=lambda item: (item.received_on, item.pk))[::-1]]

    for ordering, expected in (("received_on", oldest_first), ("-received_on", newest_first)):
        first, html = _list_numbers(client, ordering=ordering)
        second, _ = _list_numbers(client, ordering=ordering, page="2")
        assert first + second == expected, ordering
        assert "共 33 件" in html
        assert "petitions_itemreach" in _count_statement(client, ordering=ordering)
    # An order the reach does not carry reads the items, its ties broken by id too: every item once, in id order.
    by_status = (
        _list_numbers(client, ordering="status")[0] + _list_numbers(client, ordering="status", page="2")[0]
    )
    assert by_status == [item.number for item in sorted(made, key=lambda item: item.pk)]
    # the witness: that order counts the items themselves
    assert "petitions_itemreach" not in _count_statement(client, ordering="number")
    assert _list_numbers(client, ordering="number")[1].count("共 33 件") == 1


def test_the_three_admin_roles_and_disabled_users_reach_no_item(
    walked: list[Item], personas: Personas, tree: Tree
):
    assert _reached(tree.city)  # the admins' own unit reaches items; they still read none
    clerk = personas.clerk_a
    assert item_reach_for_user(clerk).count() == len(walked)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])

    for user in (personas.system_admin, personas.security_admin, personas.audit_admin, clerk):
        assert not item_reach_for_user(user).exists()


def _mixed(item_factory: ItemFactory, count: int) -> None:
    """`count` items received a day apart, registered or assigned in turn, by phone or in person."""
    first = date(2025, 1, 2)
    for n in range(count):
        item_factory.make(
            Status.ASSIGNED if n % 2 else Status.REGISTERED,
            received_on=first + timedelta(days=n),
            channel=Channel.PHONE if n % 3 else Channel.VISIT,
        )


def test_a_list_narrowed_by_status_and_channel_reads_the_reach_like_the_items(
    item_factory: ItemFactory, personas: Personas, client_for: Callable[[User | None], Client]
):
    _mixed(item_factory, 8)
    client = client_for(personas.clerk_a)
    for params in (
        {"status": "assigned"},
        {"channel": "phone"},
        {"status": ["assigned", "registered"], "channel": "visit"},
    ):
        narrowed, html = _list_numbers(client, **params)
        chosen, chosen_html = _list_numbers(client, ordering="-registered_at", **params)
        statuses, channels = params.get("status", Status.values), params.get("channel", Channel.values)
        expected = Item.objects.filter(
            status__in=[statuses] if isinstance(statuses, str) else statuses,
            channel__in=[channels] if isinstance(channels, str) else channels,
        )
        assert narrowed == chosen
        assert len(narrowed) == expected.count()
        assert f"共 {expected.count()} 件" in html
        assert f"共 {expected.count()} 件" in chosen_html


def test_a_list_narrowed_by_due_dates_reads_the_reach_like_the_items(
    item_factory: ItemFactory, personas: Personas, client_for: Callable[[User | None], Client]
):
    old = [
        item_factory.make(Status.ASSIGNED, received_on=date(2025, 1, 2) + timedelta(days=n)) for n in range(4)
    ]
    fresh = item_factory.register(received_on=timezone.localdate())  # its routing clock runs 15 more days
    client = client_for(personas.clerk_a)
    for params, expected in (
        ({"overdue": "true"}, old),
        ({"overdue": "false"}, [fresh]),
        ({"due_within": "20"}, [fresh]),
        ({"due_within": "20", "channel": "phone"}, []),
        ({"overdue": "true", "status": "assigned"}, old),
    ):
        narrowed, html = _list_numbers(client, **params)
        chosen, chosen_html = _list_numbers(client, ordering="number", **params)
        assert sorted(narrowed) == sorted(chosen) == sorted(item.number for item in expected), params
        assert f"共 {len(expected)} 件" in html
        assert f"共 {len(expected)} 件" in chosen_html
    # the most pressing first: the earliest due date
    by_due = Item.objects.filter(pk__in=[item.pk for item in old]).order_by("obligation_due_on", "id")
    assert _list_numbers(client, overdue="true")[0] == [item.number for item in by_due]


API = "/api/v1/petitions/"
# A filter the reach does not carry that narrows nothing: the same list, read from the items.
THROUGH_THE_ITEMS = {"received_after": "1900-01-01"}


def _api_pages(api: APIClient, params: dict[str, str]) -> tuple[list[str], int, list[dict[str, object]]]:
    """Every page of an API list five rows at a time: the numbers in order, the count, and each page's links."""
    numbers: list[str] = []
    links: list[dict[str, object]] = []
    page = 1
    while True:
        body = api.get(API, {**params, "page_size": "5", "page": str(page)}).json()
        numbers += [row["number"] for row in body["results"]]
        links.append({"next": body["next"] is not None, "previous": body["previous"] is not None})
        if body["next"] is None:
            return numbers, body["count"], links
        page += 1


def test_the_api_list_reads_the_reach_with_the_same_rows_count_and_pages_as_the_items(
    item_factory: ItemFactory, personas: Personas, api_for: Callable[[User | None], APIClient]
):
    _mixed(item_factory, 12)
    api = api_for(personas.clerk_a)
    for params in (
        {},
        {"status": "assigned"},
        {"channel": "phone", "ordering": "received_on"},
        {"overdue": "true"},
        {"status": "registered", "channel": "visit", "ordering": "-received_on"},
    ):
        through_reach = _api_pages(api, params)
        through_items = _api_pages(api, {**params, **THROUGH_THE_ITEMS})
        assert through_reach == through_items, params
        assert through_reach[1] > 0
        with CaptureQueriesContext(connection) as reach_queries:
            api.get(API, params)
        with CaptureQueriesContext(connection) as item_queries:
            api.get(API, {**params, **THROUGH_THE_ITEMS})
        assert any("petitions_itemreach" in query["sql"] for query in reach_queries.captured_queries)
        assert not any("petitions_itemreach" in query["sql"] for query in item_queries.captured_queries)
    # the same page rules: past the last page is 404 either way
    assert api.get(API, {"page": "9"}).status_code == 404
    assert api.get(API, {"page": "9", **THROUGH_THE_ITEMS}).status_code == 404

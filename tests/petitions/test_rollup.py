"""The item roll-ups the triggers keep agree with a direct count; drifted days and months are rebuilt."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from core.models import User
from core.rollups import DailyRollUp
from core.services.units import unit_move
from petitions.choices import Channel, CloseReason, Marker, Satisfaction, Status
from petitions.models import Item, ItemDayCount, ItemMonthCount, ItemSubtreeMonthCount
from petitions.projections.rollups import ITEM_MONTH_ROLLUP, ITEM_ROLLUP, REPLY_MONTH_ROLLUP, REPLY_ROLLUP
from petitions.projections.subtree_sums import months_changed, subtree_months_refresh
from tests.support.accounts import Personas, Tree
from tests.support.helpers import listed_count
from tests.support.items import ItemFactory, random_items

pytestmark = pytest.mark.django_db


def direct_totals() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(head_count), count(*) FILTER (WHERE original_id IS NOT NULL) FROM petitions_item"
        )
        return tuple(int(v or 0) for v in cursor.fetchone())


def rolled_up_totals() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(items), sum(persons), sum(repeats) FROM petitions_itemdaycount")
        return tuple(int(v or 0) for v in cursor.fetchone())


def test_the_roll_up_agrees_with_a_direct_count_after_random_inserts_updates_and_deletes(
    personas: Personas, tree: Tree
):
    rng = random.Random(20261202)
    items = random_items(rng, personas, tree, 300)
    units = [tree.city_department, tree.county_a, tree.county_a_department, tree.county_b, None]
    for item in rng.sample(items, 150):
        item.status = rng.choice(Status.values)
        item.responsible_unit = rng.choice(units)
        item.channel = rng.choice(Channel.values)
        item.head_count = rng.choice([1, 3, 9])
        item.markers = rng.sample(Marker.values, rng.choice([0, 1]))
        item.received_on = item.received_on + timedelta(days=rng.choice([0, 1, -1]))
        item.registered_on = max(item.registered_on, item.received_on)
        if rng.random() < 0.3:
            item.original = rng.choice(items[:50]) if item.pk not in {i.pk for i in items[:50]} else None
        if rng.random() < 0.5:
            item.replied_on = item.received_on + timedelta(days=rng.randrange(30))
            item.evaluated_on = rng.choice([None, item.replied_on + timedelta(days=2)])
            item.satisfaction = rng.choice(["", *Satisfaction.values]) if item.evaluated_on else ""
            item.close_reason = rng.choice(["", CloseReason.REVIEW_WINDOW_LAPSED, CloseReason.ACCEPTED_REPLY])
        item.save()
    Item.objects.filter(pk__in=[item.pk for item in rng.sample(items[100:], 40)]).delete()

    assert ITEM_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 3, 1)) == []
    assert REPLY_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 5, 1)) == []
    assert ITEM_MONTH_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 3, 1)) == []
    assert REPLY_MONTH_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 5, 1)) == []
    assert rolled_up_totals() == direct_totals()


def test_a_drifted_day_is_found_and_rebuilt_by_the_nightly_repair(personas: Personas, tree: Tree):
    random_items(random.Random(7), personas, tree, 60)
    row = ItemDayCount.objects.filter(items__gt=0).order_by("day").first()
    assert row is not None
    ItemDayCount.objects.filter(pk=row.pk).update(items=row.items + 5)

    assert ITEM_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == [row.day]
    assert ITEM_ROLLUP.repair(days_back=800, today=date(2026, 12, 2)) == [row.day]
    assert ITEM_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == []


def test_a_drifted_month_is_found_and_rebuilt_from_the_items(personas: Personas, tree: Tree):
    random_items(random.Random(8), personas, tree, 60)
    row = ItemMonthCount.objects.filter(items__gt=0, facet="status").order_by("month").first()
    assert row is not None
    ItemMonthCount.objects.filter(pk=row.pk).update(items=row.items + 2)

    assert ITEM_MONTH_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == [row.month]
    assert ITEM_MONTH_ROLLUP.repair(days_back=800, today=date(2026, 12, 2)) == [row.month]
    assert ITEM_MONTH_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == []


# Items per unit subtree, month received and facet, counted from the items and the unit tree.
DIRECT_SUBTREE_COUNTS = """
SELECT a.id, date_trunc('month', i.received_on)::date, f.facet, f.value, count(*), sum(i.head_count)
FROM petitions_item i
LEFT JOIN petitions_item o ON o.id = i.original_id
JOIN core_unit u ON u.id = coalesce(i.responsible_unit_id, o.responsible_unit_id, i.registered_unit_id)
JOIN core_unit a ON u.path LIKE a.path || '%%'
JOIN petitions_category c ON c.id = i.category_id
JOIN petitions_category top ON top.path = substr(c.path, 1, 4)
CROSS JOIN LATERAL (VALUES ('channel', i.channel), ('purpose', i.purpose), ('category', top.id::text),
                           ('status', i.status)) AS f (facet, value)
GROUP BY 1, 2, 3, 4
"""


def subtree_counts() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(stored, direct) sums per unit subtree, month and facet, sorted."""
    stored = ItemSubtreeMonthCount.objects.filter(items__gt=0).values_list(
        "unit_id", "month", "facet", "value", "items", "persons"
    )
    with connection.cursor() as cursor:
        cursor.execute(DIRECT_SUBTREE_COUNTS)
        direct = cursor.fetchall()
    return sorted(stored), sorted(direct)


def test_the_sums_per_subtree_agree_with_a_direct_count_after_random_changes_and_a_unit_move(
    personas: Personas, tree: Tree
):
    rng = random.Random(17)
    items = random_items(rng, personas, tree, 150, spread=100)
    subtree_months_refresh()
    stored, direct = subtree_counts()
    assert len(stored) > 100
    assert stored == direct

    for item in rng.sample(items, 50):
        item.status = rng.choice(Status.values)
        item.responsible_unit = rng.choice([tree.county_a_department, tree.county_b, None])
        item.received_on += timedelta(days=rng.choice([-20, 0, 20]))
        item.registered_on = max(item.registered_on, item.received_on)
        item.save()
    changed = months_changed()
    assert changed  # named, not yet summed
    assert subtree_months_refresh() == changed
    assert subtree_counts()[0] == subtree_counts()[1]

    unit_move(actor=personas.system_admin, unit_id=tree.township_a.pk, new_parent_id=tree.county_b.pk)
    assert months_changed() != []  # a move changes every subtree above the unit, before and after
    subtree_months_refresh()
    stored, direct = subtree_counts()
    assert stored == direct


ITEM_ROLLUPS = (ITEM_ROLLUP, REPLY_ROLLUP, ITEM_MONTH_ROLLUP, REPLY_MONTH_ROLLUP)


def stored_rows(rollup: DailyRollUp) -> list[tuple[object, ...]]:
    """The key and counts of every row of the roll-up's table with a count other than zero, sorted."""
    columns = ", ".join(rollup.key + rollup.counts)
    nonzero = " OR ".join(f"{column} <> 0" for column in rollup.counts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {rollup.table} WHERE {nonzero} ORDER BY {columns}")  # noqa: S608
        return cursor.fetchall()


def test_a_full_rebuild_reproduces_the_rows_the_trigger_kept(
    item_factory: ItemFactory, personas: Personas, tree: Tree
):
    items = random_items(random.Random(11), personas, tree, 80)
    # Through the services: registered, assigned to county A's housing bureau, answered, closed after a recheck.
    walked = [item_factory.make(status) for status in (Status.REGISTERED, Status.ASSIGNED, Status.REPLIED)]
    walked.append(item_factory.make(Status.CLOSED))
    original = walked[1]
    repeat = item_factory.register(original_id=original.pk)  # counts where its original is handled
    # Reassigned: the original moves, and its repeat with it; the repeat then gets a unit of its own and loses it.
    Item.objects.filter(pk=original.pk).update(responsible_unit=tree.township_a)
    Item.objects.filter(pk=repeat.pk).update(responsible_unit=tree.county_b)
    Item.objects.filter(pk=original.pk).update(responsible_unit=tree.city_department)
    Item.objects.filter(pk=repeat.pk).update(responsible_unit=None)
    # Evaluated; closed as the review window lapsed; made a repeat of another item and taken back; deleted.
    answered = walked[2]
    Item.objects.filter(pk=answered.pk).update(
        evaluated_on=answered.replied_on, satisfaction=Satisfaction.BASICALLY
    )
    Item.objects.filter(pk=items[0].pk).update(
        status=Status.CLOSED,
        replied_on=items[0].received_on,
        closed_on=items[0].received_on + timedelta(days=40),
        close_reason=CloseReason.REVIEW_WINDOW_LAPSED,
    )
    Item.objects.filter(pk__in=[item.pk for item in items[1:6]]).update(
        original=items[6], responsible_unit=None
    )
    Item.objects.filter(pk=items[1].pk).update(original=None)
    Item.objects.filter(pk=items[6].pk).update(responsible_unit=tree.county_a_department)
    Item.objects.filter(pk__in=[item.pk for item in items[60:70]]).delete()
    kept = {rollup.table: stored_rows(rollup) for rollup in ITEM_ROLLUPS}
    assert all(kept.values())

    # From scratch: the daily tables (their triggers carry the rebuild into the months), then the months.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM petitions_itemdaycount; DELETE FROM petitions_itemreplycount")
    result = ITEM_ROLLUP.rebuild()
    REPLY_ROLLUP.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM petitions_itemmonthcount; DELETE FROM petitions_itemreplymonthcount")
    ITEM_MONTH_ROLLUP.rebuild()
    REPLY_MONTH_ROLLUP.rebuild()

    assert {rollup.table: stored_rows(rollup) for rollup in ITEM_ROLLUPS} == kept
    assert result.rows == len(kept[ITEM_ROLLUP.table])


def test_a_repeat_without_a_responsible_unit_counts_where_its_original_is_handled_and_follows_it(
    item_factory: ItemFactory, tree: Tree, personas: Personas, client_for: Callable[[User | None], Client]
):
    original = item_factory.make(Status.ACCEPTED)  # handled by county A's housing bureau
    repeat = item_factory.register(original_id=original.pk, channel=Channel.ONLINE)
    client = client_for(personas.leader)

    def counted_and_listed(unit_pk: int) -> tuple[int, int]:
        counted = ItemDayCount.objects.filter(unit_id=unit_pk).aggregate(n=Sum("repeats"))["n"] or 0
        listed = listed_count(client, reverse("petitions:item_list") + f"?area={unit_pk}&repeat=true")
        return counted, listed

    assert Item.objects.get(pk=repeat.pk).responsible_unit_id is None
    assert counted_and_listed(tree.county_a_department.pk) == (1, 1)
    Item.objects.filter(pk=original.pk).update(responsible_unit=tree.township_a)
    assert counted_and_listed(tree.county_a_department.pk) == (0, 0)
    assert counted_and_listed(tree.township_a.pk) == (1, 1)
    assert ITEM_ROLLUP.mismatches(first=date(2024, 1, 1), last=date(2026, 12, 31)) == []

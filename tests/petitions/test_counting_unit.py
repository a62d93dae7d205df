"""The unit an item counts for (属地单位) and what it adds to the roll-ups are defined once, and everything uses them."""

from __future__ import annotations

import random
import re

import pytest
from django.db import connection

from core.models import Unit
from petitions.models import Item
from petitions.projections.counting_unit import CountingUnit, CountsFor
from petitions.selectors import subtree_unit_ids
from tests.database_map import ROOT, definitions, python_modules
from tests.support.accounts import Personas, Tree
from tests.support.items import random_items

pytestmark = pytest.mark.django_db

DEFINING_MODULE = "petitions/projections/counting_unit.py"

# --- one definition ---


def function_source(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef(%s::regproc)", [name])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("caller", "callee"),
    [
        ("petitions_item_area", "petitions_item_counting_unit"),
        ("petitions_item_roll_up", "petitions_item_counting_unit"),
        ("petitions_item_counts_for", "petitions_item_counting_unit"),
        ("petitions_item_count", "petitions_item_day_row"),
        ("petitions_item_count", "petitions_item_reply_row"),
        ("petitions_itemdaycount_facets", "petitions_item_month_facets"),
    ],
)
def test_the_trigger_functions_call_the_definitions(caller: str, callee: str):
    assert f"{callee}(" in function_source(caller)


# What each definition spells out, and the one database function allowed to spell it out.
SPELLED_OUT_IN_SQL = {
    r"coalesce\([^)]*responsible": "petitions_item_counting_unit",
    r"markers @>": "petitions_item_day_row",
    r"review_window_lapsed|satisfaction IN": "petitions_item_reply_row",
    r"petitions_category": "petitions_item_month_facets",
}


@pytest.mark.parametrize(("pattern", "owner"), SPELLED_OUT_IN_SQL.items())
def test_only_the_defining_database_function_spells_the_rule_out(pattern: str, owner: str):
    spelled = sorted(name for name, body in definitions().items() if re.search(pattern, body, re.IGNORECASE))
    assert spelled == [owner]


# The rule written out in Python: an SQL coalesce over the unit columns, the original's responsible unit reached
# through SQL or the ORM, the rule function called with its arguments, and the per-item counts of the roll-ups.
SPELLED_OUT_IN_PYTHON = [
    r"coalesce\(\s*\w*\.?responsible_unit_id",
    r"\bo\.responsible_unit_id",
    r"original__responsible_unit",
    r"petitions_item_counting_unit\(",
    r"markers\s*@>",
    r"evaluated_on IS NOT NULL",
]


def spelled_out(text: str) -> list[str]:
    """The patterns above that `text` contains."""
    return [pattern for pattern in SPELLED_OUT_IN_PYTHON if re.search(pattern, text, re.IGNORECASE)]


def test_the_checker_finds_each_way_of_spelling_the_rule_out():
    sample = """
    JOIN grp g ON g.unit_id = coalesce(i.responsible_unit_id, o.responsible_unit_id, i.registered_unit_id)
    Q(original__responsible_unit_id__in=ids)
    petitions_item_counting_unit(i.responsible_unit_id, x, i.registered_unit_id)
    count(*) FILTER (WHERE i.markers @> ARRAY['collective']::varchar[])
    count(*) FILTER (WHERE i.evaluated_on IS NOT NULL)
    """
    assert spelled_out(sample) == SPELLED_OUT_IN_PYTHON
    assert spelled_out("JOIN core_unit u ON u.id = k.responsible_unit_id") == []


def test_no_python_module_but_the_defining_one_spells_the_rule_out():
    found = {str(path.relative_to(ROOT)): spelled_out(path.read_text()) for path in python_modules()}
    assert {module for module, patterns in found.items() if patterns} == {DEFINING_MODULE}


# --- the rule ---


@pytest.fixture
def items(personas: Personas, tree: Tree) -> list[Item]:
    """Random items, a third of them repeats: of originals with a responsible unit and of originals without one."""
    rng = random.Random(41)
    made = random_items(rng, personas, tree, 90)
    originals = made[:10]
    Item.objects.filter(pk__in=[item.pk for item in originals[:5]]).update(responsible_unit=None)
    for item in made[10:40]:
        item.original = rng.choice(originals)
        item.responsible_unit = rng.choice([None, None, item.responsible_unit])
        item.save()
    return list(Item.objects.select_related("original").order_by("pk"))


def by_hand(item: Item) -> int:
    """属地单位 as the leaders' pages explain it."""
    if item.responsible_unit_id is not None:
        return item.responsible_unit_id
    if item.original is not None and item.original.responsible_unit_id is not None:
        return item.original.responsible_unit_id
    return item.registered_unit_id


def branch(item: Item) -> str:
    """Which part of the rule decides the item's unit."""
    if item.responsible_unit_id is not None:
        return "responsible"
    if item.original is not None and item.original.responsible_unit_id is not None:
        return "original"
    return "registered"


def test_an_item_counts_for_its_responsible_unit_else_its_originals_else_the_registering_unit(
    items: list[Item],
):
    assert {branch(item) for item in items} == {"responsible", "original", "registered"}
    assert any(item.original is not None and branch(item) == "registered" for item in items)
    assert any(item.original is not None and branch(item) == "responsible" for item in items)
    counted = dict(Item.objects.annotate(unit=CountingUnit()).values_list("pk", "unit"))
    assert counted == {item.pk: by_hand(item) for item in items}


def test_the_list_filter_selects_the_items_that_count_for_the_subtree(items: list[Item], tree: Tree):
    for unit in Unit.objects.filter(path__startswith=tree.city.path):
        ids = subtree_unit_ids(unit)
        selected = set(Item.objects.filter(CountsFor(ids)).values_list("pk", flat=True))
        assert selected == {item.pk for item in items if by_hand(item) in ids}, unit.name


def test_the_list_filter_reads_an_index_on_the_responsible_unit(items: list[Item], tree: Tree):
    with connection.cursor() as cursor:
        # The few rows here would otherwise be read whole, by a sequential scan or a walk of the whole primary key
        # index; with both off, the items can only be read through a bitmap on an index the condition names.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = Item.objects.filter(CountsFor(subtree_unit_ids(tree.county_a))).explain()
    assert "Index Cond: (responsible_unit_id = ANY " in plan
    assert "Index Cond: (responsible_unit_id IS NULL)" in plan

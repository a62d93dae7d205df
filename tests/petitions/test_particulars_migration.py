"""Migration 0011 on a copy of the demo data: every item keeps the particulars its petitioner row held, none lost."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.audit.chain import audit_chain_verify
from core.models import AuditEvent
from petitions.models import ItemPetitioner

BEFORE = ("petitions", "0010_item_reach_due_index")
AFTER = ("petitions", "0011_petitioner_particulars_per_item")

Snapshot = dict[tuple[int, int], tuple[Any, ...]]


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return MigrationExecutor(connection)


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "petitions"]


def _particulars_held_by_people(executor: MigrationExecutor) -> Snapshot:
    """At 0010: each item's petitioners with the particulars their shared person row holds."""
    old = executor.loader.project_state([BEFORE]).apps
    people = {person.pk: person for person in old.get_model("petitions", "Petitioner").objects.all()}
    snapshot: Snapshot = {}
    for link in old.get_model("petitions", "ItemPetitioner").objects.all():
        person = people[link.petitioner_id]
        snapshot[(link.item_id, link.petitioner_id)] = (
            person.name,
            person.id_number,
            person.phone,
            person.address_division_id,
            person.address_detail,
            link.is_representative,
            link.position,
        )
    return snapshot


def _particulars_on_items() -> Snapshot:
    return {
        (link.item_id, link.petitioner_id): (
            link.name,
            link.id_number,
            link.phone,
            link.address_division_id,
            link.address_detail,
            link.is_representative,
            link.position,
        )
        for link in ItemPetitioner.objects.all()
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_datas_particulars_survive_the_move_to_the_items_unchanged_both_ways():
    call_command("seed_demo", stdout=io.StringIO())
    on_items = _particulars_on_items()
    audit_rows = AuditEvent.objects.count()
    assert len(on_items) > 300
    assert any(value[1] for value in on_items.values())  # real ID numbers, phones and addresses to move
    latest = _latest()
    try:
        # Back to one row per person, as before 0011: each person holds their newest item's particulars …
        executor = _migrate(BEFORE)
        held_by_people = _particulars_held_by_people(executor)
        assert held_by_people.keys() == on_items.keys()
        agreeing = [key for key, value in on_items.items() if held_by_people[key] == value]
        assert len(agreeing) >= len(on_items) - 1  # the demo's one person with two phones holds the newer one
        # … and forward again: each item gets exactly what its person row held, every link kept.
        _migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert _particulars_on_items() == held_by_people
    assert AuditEvent.objects.count() == audit_rows
    assert audit_chain_verify().intact

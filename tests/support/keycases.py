"""Fixture plugin for the key-case ledger: leaders and section heads in the shared tree, a case factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.choices import Role
from core.models import User
from ledger.choices import RiskLevel, Source
from ledger.models import KeyCase
from ledger.services.keycases import KeyCaseInput, keycase_create
from tests.support.accounts import Personas, Tree


@dataclass
class LedgerCast:
    """Who acts on the ledger.

    head: section head of the city (the ledger office of cases made by `make_case`).
    county_head: section head of county A (may only run cases inside county A).
    county_b_head: section head of county B (outsider to county A's cases).
    leader: leader of the city (default owner of cases).
    county_leader: leader of county A.
    county_b_leader: leader of county B (not in county A's line).
    handler: handler in county A's department (default responsible unit and person).
    township_handler: handler in county A's township.
    township_clerk: clerk in county A's township.
    city_dept_handler: handler in the city's department.
    """

    head: User
    county_head: User
    county_b_head: User
    leader: User
    county_leader: User
    county_b_leader: User
    handler: User
    township_handler: User
    township_clerk: User
    city_dept_handler: User
    personas: Personas
    tree: Tree


@pytest.fixture
def ledger_cast(personas: Personas, tree: Tree, make_user: Callable[..., User]) -> LedgerCast:
    return LedgerCast(
        head=personas.section_head,
        county_head=make_user(tree.county_a, [Role.SECTION_HEAD], "head_a", full_name="李科长"),
        county_b_head=make_user(tree.county_b, [Role.SECTION_HEAD], "head_b", full_name="赵科长"),
        leader=personas.leader,
        county_leader=make_user(tree.county_a, [Role.LEADER], "leader_a", full_name="王区长"),
        county_b_leader=make_user(tree.county_b, [Role.LEADER], "leader_b", full_name="陈县长"),
        handler=personas.handler_a,
        township_handler=make_user(tree.township_a, [Role.HANDLER], "handler_dm", full_name="周干事"),
        township_clerk=make_user(tree.township_a, [Role.CLERK], "clerk_dm", full_name="吴登记员"),
        city_dept_handler=make_user(tree.city_department, [Role.HANDLER], "handler_rs", full_name="郑科员"),
        personas=personas,
        tree=tree,
    )


def keycase_input(cast: LedgerCast, **overrides: Any) -> KeyCaseInput:
    """A valid key case for the city section head: owned by the city leader, run by county A's department.

    Dates default to today (opened) and today + 60 days (化解时限), read when called so time_machine applies.
    """
    today = timezone.localdate()
    values: dict[str, Any] = {
        "title": "原民办教师要求落实养老待遇",
        "problem": "二十余名原民办教师多次到市集体上访，要求按公办教师标准落实养老保险待遇。",
        "source": Source.CITY_LEADER,
        "risk_level": RiskLevel.HIGH,
        "owner_id": cast.leader.pk,
        "responsible_unit_id": cast.tree.county_a_department.pk,
        "responsible_person_id": cast.handler.pk,
        "measures": "一、逐人核实教龄；二、对照政策测算补缴金额；三、每周面谈一次。",
        "resolve_by": today + timedelta(days=60),
        "group_concerned": "民办教师",
        "head_count": 23,
        "opened_on": today,
    }
    values.update(overrides)
    return KeyCaseInput(**values)


@pytest.fixture
def make_case(ledger_cast: LedgerCast) -> Callable[..., KeyCase]:
    """Put a case on the ledger through keycase_create; `actor=` picks who, any KeyCaseInput field overrides."""

    def make(**overrides: Any) -> KeyCase:
        actor = overrides.pop("actor", ledger_cast.head)
        return keycase_create(actor=actor, data=keycase_input(ledger_cast, **overrides))

    return make

"""Fixture plugin for petition items walked through the real services, hand-counted items and random items."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pytest

from core.choices import Role
from core.models import User
from petitions.choices import Channel, Marker, Outcome, Purpose, ReviewDecision, Route, Status
from petitions.models import Category, Item
from petitions.services import lifecycle
from petitions.services.intake import IntakeInput, PetitionerInput, item_register
from tests.support.accounts import Personas, Tree

# A valid GB 11643 resident ID (check character computed), used by default for the petitioner.
DEFAULT_ID_NUMBER = "11010519491231002X"


@dataclass(frozen=True)
class Schedule:
    """The dates each step of the default walk happens on (all in 2025, well before any window ends)."""

    received_on: date = date(2025, 3, 3)
    assign_on: date = date(2025, 3, 5)
    accept_on: date = date(2025, 3, 7)
    reply_on: date = date(2025, 4, 10)
    review_on: date = date(2025, 4, 20)
    review_decision_on: date = date(2025, 5, 12)
    recheck_on: date = date(2025, 5, 20)
    recheck_decision_on: date = date(2025, 6, 10)


SCHEDULE = Schedule()


@dataclass
class Cast:
    """Who takes each step: the county A clerk registers, routes and reviews; the county A department handles and
    its own section head sends a reply back for rework; the city section head approves extensions and rechecks."""

    clerk: User
    handler: User
    head: User
    personas: Personas
    tree: Tree
    unit_head: User | None = None

    def handling_head(self) -> User:
        """The handling unit's own section head, who sends a reply back for rework (the `cast` fixture makes one)."""
        assert self.unit_head is not None, (
            "a Cast made by hand has no handling unit head: use the cast fixture"
        )
        return self.unit_head


@pytest.fixture
def cast(personas: Personas, tree: Tree, make_user: Callable[..., User]) -> Cast:
    return Cast(
        clerk=personas.clerk_a,
        handler=personas.handler_a,
        head=personas.section_head,
        personas=personas,
        tree=tree,
        unit_head=personas.handler_head_a,
    )


def intake_input(**overrides: Any) -> IntakeInput:
    """A valid visit registration; any field can be overridden."""
    values: dict[str, Any] = {
        "channel": Channel.VISIT,
        "purpose": Purpose.DEMAND,
        "category_id": Category.objects.get(code="0301").pk,
        "received_on": SCHEDULE.received_on,
        "registered_on": None,
        "summary": "某建筑公司拖欠农民工工资三个月未发放。",
        "demand": "请求督促该公司尽快支付拖欠的工资。",
        "petitioners": [PetitionerInput(name="张三", id_number=DEFAULT_ID_NUMBER, phone="13800138000")],
    }
    values.update(overrides)
    if values["registered_on"] is None:
        values["registered_on"] = values["received_on"]
    return IntakeInput(**values)


# The walk from registration; each status is reached by the steps before it.
WALK = [
    Status.REGISTERED,
    Status.ASSIGNED,
    Status.ACCEPTED,
    Status.REPLIED,
    Status.REVIEW,
    Status.REVIEWED,
    Status.RECHECK,
    Status.CLOSED,
]


@dataclass
class ItemFactory:
    """`make(status)` registers an item and advances it through the real services to `status`."""

    cast: Cast
    schedule: Schedule = field(default_factory=Schedule)

    def register(self, **overrides: Any) -> Item:
        return item_register(actor=self.cast.clerk, data=intake_input(**overrides))

    def make(self, status: str = Status.REGISTERED, **overrides: Any) -> Item:
        """Statuses on the main walk, plus not_accepted (rejected to the litigation route)."""
        cast, when = self.cast, self.schedule
        item = self.register(**overrides)
        if status == Status.REGISTERED:
            return item
        lifecycle.item_assign(
            actor=cast.clerk, item_id=item.pk, unit_id=cast.tree.county_a_department.pk, on=when.assign_on
        )
        if status == Status.NOT_ACCEPTED:
            lifecycle.item_reject(
                actor=cast.handler, item_id=item.pk, on=when.accept_on, route=Route.LITIGATION
            )
            return Item.objects.get(pk=item.pk)
        target = WALK.index(Status(status))
        steps: list[Callable[[], Any]] = [
            lambda: lifecycle.item_accept(actor=cast.handler, item_id=item.pk, on=when.accept_on),
            lambda: lifecycle.item_reply(
                actor=cast.handler,
                item_id=item.pk,
                on=when.reply_on,
                outcome=Outcome.SUPPORTED,
                opinion="经调查，支持信访人的诉求，责令该公司十日内支付工资。",
            ),
            lambda: lifecycle.item_request_review(actor=cast.clerk, item_id=item.pk, on=when.review_on),
            lambda: lifecycle.item_review_decision(
                actor=cast.clerk,
                item_id=item.pk,
                on=when.review_decision_on,
                decision=ReviewDecision.UPHELD,
                opinion="原处理意见事实清楚，予以维持。",
            ),
            lambda: lifecycle.item_request_recheck(actor=cast.head, item_id=item.pk, on=when.recheck_on),
            lambda: lifecycle.item_recheck_decision(
                actor=cast.head,
                item_id=item.pk,
                on=when.recheck_decision_on,
                decision=ReviewDecision.UPHELD,
                opinion="复查意见正确，予以维持。",
            ),
        ]
        for step in steps[: target - 1]:
            step()
        return Item.objects.get(pk=item.pk)


@pytest.fixture
def item_factory(cast: Cast) -> ItemFactory:
    """Make items in any life-cycle status through the real services (see ItemFactory.make)."""
    return ItemFactory(cast)


@dataclass
class Hand:
    """Six items: four registered by county A, one by county B in 2025, one by county B in 2024."""

    county_leader: User
    items: list[Item]


@pytest.fixture
def hand(item_factory: ItemFactory, tree: Tree, personas: Personas, make_user: Callable[..., User]) -> Hand:
    """Items counted by hand for the dashboard and roll-up checks, and a leader of county A."""
    items = [
        # county A registers; the first, third and fourth go to its housing bureau (county_a_department)
        item_factory.make(Status.ACCEPTED, channel=Channel.VISIT, purpose=Purpose.DEMAND),
        item_factory.make(
            Status.REGISTERED,
            channel=Channel.ONLINE,
            purpose=Purpose.SUGGESTION,
            head_count=6,
            markers=[Marker.COLLECTIVE],
        ),
        item_factory.make(
            Status.ACCEPTED, channel=Channel.VISIT, purpose=Purpose.DEMAND, markers=[Marker.SKIP_LEVEL]
        ),
        item_factory.make(Status.REPLIED, channel=Channel.PHONE, purpose=Purpose.APPEAL),
    ]
    clerk_b_factory = ItemFactory(replace(item_factory.cast, clerk=personas.clerk_b))
    items.append(clerk_b_factory.make(Status.REGISTERED, channel=Channel.VISIT, purpose=Purpose.DEMAND))
    items.append(
        clerk_b_factory.make(
            Status.REGISTERED, channel=Channel.VISIT, purpose=Purpose.DEMAND, received_on=date(2024, 3, 5)
        )
    )
    county_leader = make_user(tree.county_a, [Role.LEADER], "county_leader")
    return Hand(county_leader, items)


def random_items(
    rng: random.Random,
    personas: Personas,
    tree: Tree,
    count: int,
    *,
    spread: int = 40,
    numbered_from: int = 900000,
) -> list[Item]:
    """`count` items with random facets received from 1 January 2025 on, written directly (the triggers count them)."""
    units = [tree.city_department, tree.county_a, tree.county_a_department, tree.township_a, tree.county_b]
    categories = list(Category.objects.filter(depth=2).values_list("pk", flat=True))
    made = []
    for n in range(count):
        received = date(2025, 1, 1) + timedelta(days=rng.randrange(spread))
        made.append(
            Item(
                number=f"XF2025-{numbered_from + n:06d}",
                query_code="ABCD1234",
                channel=rng.choice(Channel.values),
                purpose=rng.choice(Purpose.values),
                item_type="appeal_demand",
                category_id=rng.choice(categories),
                received_on=received,
                registered_on=received,
                summary="随机事项",
                demand="随机诉求",
                head_count=rng.choice([1, 1, 1, 5, 12]),
                markers=rng.sample(Marker.values, rng.choice([0, 0, 1, 2])),
                registered_unit=rng.choice(units),
                registered_by=personas.clerk_a,
                responsible_unit=rng.choice([None, *units]),
                status=rng.choice(Status.values),
            )
        )
    return Item.objects.bulk_create(made)

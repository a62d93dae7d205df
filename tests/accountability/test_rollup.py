"""The clock roll-up the deadline triggers keep agrees with the clocks after the life cycle and random changes."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db.models import Sum

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineDayCount
from accountability.rollup import CLOCK_ROLLUP
from petitions.models import ItemDayCount
from tests.support.accounts import Tree
from tests.support.items import Hand

pytestmark = pytest.mark.django_db


def test_the_clock_roll_up_agrees_with_the_clocks_after_the_life_cycle_and_random_changes(
    hand: Hand, tree: Tree
):
    rng = random.Random(5)
    clocks = list(Deadline.objects.all())
    assert len(clocks) >= 6
    for clock in clocks:
        Deadline.objects.filter(pk=clock.pk).update(
            due_on=clock.due_on + timedelta(days=rng.choice([0, 3, -2])),
            unit=rng.choice([tree.county_a, tree.county_b, clock.unit]),
            status=rng.choice([clock.status, DeadlineStatus.MET_LATE]),
        )
    Deadline.objects.filter(pk=clocks[0].pk).delete()

    assert CLOCK_ROLLUP.mismatches(first=date(2024, 1, 1), last=date(2026, 12, 31)) == []
    assert ItemDayCount.objects.exists()
    stored = DeadlineDayCount.objects.aggregate(total=Sum("clocks"))["total"]
    assert stored == Deadline.objects.count()

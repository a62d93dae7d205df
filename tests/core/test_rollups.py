"""The nightly repair of every roll-up and the rebuild command's check, on items and clocks counted by hand."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from accountability.models import DeadlineDayCount
from core.tasks import rollups_repair_task
from petitions.models import ItemDayCount
from tests.support.items import Hand

pytestmark = pytest.mark.django_db


def test_the_nightly_task_repairs_every_roll_up_and_the_command_reports_agreement(hand: Hand):
    DeadlineDayCount.objects.update(clocks=F("clocks") + 1)
    ItemDayCount.objects.filter(pk=ItemDayCount.objects.order_by("pk").first().pk).update(items=99)  # type: ignore[union-attr]

    repaired_days = rollups_repair_task.apply(kwargs={"days_back": 1000}).get()

    assert repaired_days >= 2
    out = StringIO()
    call_command("rollup_rebuild", "--check", stdout=out)
    assert out.getvalue().count("与直接计数一致") == 5  # clocks, items, replies, item months, reply months

"""Lock order: a clock recompute and a handler's step on the same item wait for each other and never deadlock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from accountability.choices import DeadlineChangeCause, DeadlineStatus
from accountability.models import Deadline, DeadlineRule
from accountability.services.deadlines import deadlines_recompute
from petitions.choices import ACCEPTANCE_CLOCK, Status
from petitions.models import Item
from petitions.services import lifecycle
from tests.support.items import SCHEDULE, Cast, ItemFactory


def _wait_until_a_backend_waits_on_a_lock(timeout: float = 10.0) -> None:
    """Return once another connection of this database is blocked on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the recompute never reached a lock wait")


def _in_thread(work: Callable[[], object], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_recompute_waits_for_a_step_holding_the_item_and_neither_is_aborted(
    transactional_db, item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.ASSIGNED)
    clock = Deadline.objects.get(subject_id=item.pk, rule_id=ACCEPTANCE_CLOCK, status=DeadlineStatus.OPEN)
    # A shorter acceptance period moves the clock's due date, so the recompute writes the item's date too.
    DeadlineRule.objects.filter(kind=ACCEPTANCE_CLOCK).update(days=10)
    item_is_locked, recompute_is_waiting = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def handler_step() -> None:
        with transaction.atomic():
            Item.objects.select_for_update().get(pk=item.pk)
            item_is_locked.set()
            recompute_is_waiting.wait(10)
            # The step locks the item's clock next: had the recompute locked the clock first, this would deadlock.
            lifecycle.item_accept(actor=cast.handler, item_id=item.pk, on=SCHEDULE.accept_on)

    def recompute() -> None:
        item_is_locked.wait(10)
        deadlines_recompute(cause=DeadlineChangeCause.RECOMPUTED_RULE, actor=None, kind=ACCEPTANCE_CLOCK)

    step = _in_thread(handler_step, errors)
    batch = _in_thread(recompute, errors)
    _wait_until_a_backend_waits_on_a_lock()
    recompute_is_waiting.set()
    step.join(20)
    batch.join(20)

    assert errors == []
    assert Item.objects.get(pk=item.pk).status == Status.ACCEPTED
    clock.refresh_from_db()
    # The step met the clock first; the recompute then found it closed and left it as met.
    assert (clock.status, clock.days) == (DeadlineStatus.MET_ON_TIME, 15)

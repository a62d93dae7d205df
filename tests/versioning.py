"""Shared by the stale-edit tests: a refused edit leaves its rows and the audit log as they were; two clients
racing to edit one record."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models

from core.models import AuditEvent


def stored(record: models.Model) -> dict[str, Any]:
    """The record's row as the database holds it now."""
    return type(record)._default_manager.filter(pk=record.pk).values().get()


@contextmanager
def nothing_written(*records: models.Model) -> Iterator[None]:
    """Assert that the block changes none of `records` and appends no audit row."""
    before = [stored(record) for record in records]
    audit_rows = AuditEvent.objects.count()
    yield
    assert [stored(record) for record in records] == before
    assert AuditEvent.objects.count() == audit_rows


def bumped(record: models.Model) -> int:
    """The record's stored version, after an edit by someone else (read back, not trusted from memory)."""
    return int(stored(record)["version"])


def in_form_error(html: str, message: str) -> bool:
    """True when `message` is shown in the error box above a form (not only in a flash message)."""
    start = html.find('class="form-error"')
    return start != -1 and message in html[start : html.find("</div>", start)]


@dataclass
class RaceTally:
    """What happened in each round of a race: per client, what `write` answered ("won", "conflict", …)."""

    outcomes: list[list[str]]
    seen: list[list[Any]] = field(default_factory=list)

    @property
    def rounds(self) -> int:
        return len(self.outcomes)

    def count(self, outcome: str) -> int:
        return sum(row.count(outcome) for row in self.outcomes)

    def winners(self) -> list[int]:
        """The client that won each round (the test fails elsewhere if a round had no single winner)."""
        return [row.index("won") for row in self.outcomes]


def race(rounds: int, read: Callable[[int], Any], write: Callable[[int, int, Any], str]) -> RaceTally:
    """Two clients, each in its own thread with its own database connection, edit the same record `rounds` times.

    In every round both read the record, wait for each other, then both write what they read plus their own
    change; they wait again before the next round. `read(client)` returns what the client saw; `write(client,
    round, seen)` returns the outcome. Errors in either thread fail the race.
    """
    barrier = threading.Barrier(2, timeout=60)
    tally = RaceTally(outcomes=[["", ""] for _ in range(rounds)], seen=[[None, None] for _ in range(rounds)])
    errors: list[BaseException] = []

    def run(client: int) -> None:
        try:
            for number in range(rounds):
                tally.seen[number][client] = read(client)
                barrier.wait()
                tally.outcomes[number][client] = write(client, number, tally.seen[number][client])
                barrier.wait()
        except BaseException as error:  # handed to the test's thread below
            errors.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(client,)) for client in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = next((error for error in errors if not isinstance(error, threading.BrokenBarrierError)), None)
    if first is not None or errors:
        raise first or errors[0]
    return tally

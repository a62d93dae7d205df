"""Two API clients edit one key case from the same version, round after round: one wins, one gets 409, and
every winning edit is in the final text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent, User
from ledger.models import KeyCase
from tests.versioning import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 100
CASES = "/api/v1/ledger/key-cases/"


def token(client: int, number: int) -> str:
    """The note a client appends in a round, distinct from every other client's and round's."""
    return f"[{number}{'AB'[client]}]"


def test_two_clients_editing_the_same_case_from_the_same_version_lose_no_update(
    make_case: Callable[..., KeyCase], ledger_cast
):
    case = make_case(measures="措施：")
    head: User = ledger_cast.head
    clients = [APIClient(), APIClient()]
    for client in clients:
        client.force_authenticate(head)

    def read(client: int) -> tuple[int, str]:
        body = clients[client].get(f"{CASES}{case.pk}/").json()
        return body["version"], body["measures"]

    def write(client: int, number: int, seen: tuple[int, str]) -> str:
        version, measures = seen
        response = clients[client].patch(
            f"{CASES}{case.pk}/",
            {"measures": measures + token(client, number), "version": version},
            format="json",
        )
        if response.status_code == 409:
            assert response.json() == {"non_field_errors": ["该台账已被他人修改，请刷新后重试。"]}
            return "conflict"
        assert response.status_code == 200, response.content
        return "won"

    tally = race(ROUNDS, read, write)

    # Every round had exactly one winner and one refusal, and both started from the same version.
    assert [sorted(row) for row in tally.outcomes] == [["conflict", "won"]] * ROUNDS
    assert all(seen[0] == seen[1] for seen in tally.seen)
    # Nothing lost, nothing extra: the text is every winning note in order, and nothing a refused edit sent.
    stored = KeyCase.objects.get(pk=case.pk)
    won = [token(client, number) for number, client in enumerate(tally.winners())]
    refused = [token(1 - client, number) for number, client in enumerate(tally.winners())]
    assert stored.measures == "措施：" + "".join(won)
    assert stored.version == 1 + ROUNDS
    assert (
        AuditEvent.objects.filter(action="ledger.keycase.updated", object_id=str(case.pk)).count() == ROUNDS
    )
    lost = sum(note not in stored.measures for note in won)
    assert lost == 0
    assert not any(note in stored.measures for note in refused)
    print(  # the figures quoted in the README (pytest -s shows them)
        f"rounds={tally.rounds} wins={tally.count('won')} conflicts={tally.count('conflict')} "
        f"lost_updates={lost} won_by_A={tally.winners().count(0)} won_by_B={tally.winners().count(1)}"
    )

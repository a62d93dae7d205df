"""Two system admins save the same unit on its admin page from the same version, round after round: one is
saved, the other is refused above the form, and every saved name is what both saw next."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import Role
from core.models import AuditEvent, Unit, User
from tests.core.test_versions import unit_form
from tests.versioning import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 100
VERSION = re.compile(r'name="record_version" value="(\d+)"')
NAME = re.compile(r'name="name" value="([^"]*)"')


def test_two_admins_saving_the_same_unit_from_the_same_version_lose_no_update(
    tree, personas, make_user: Callable[..., User], client_for: Callable[[User | None], Client]
):
    unit = tree.county_b
    url = reverse("admin:core_unit_change", args=[unit.pk])
    clients = [
        client_for(personas.system_admin),
        client_for(make_user(tree.city, [Role.SYSTEM_ADMIN], "sysadmin2")),
    ]

    def read(client: int) -> tuple[int, str]:
        html = unescape(clients[client].get(url).content.decode())
        return int(VERSION.search(html)[1]), NAME.search(html)[1]  # type: ignore[index]

    def name(client: int, number: int) -> str:
        return f"青山县{number}{'AB'[client]}"

    def write(client: int, number: int, seen: tuple[int, str]) -> str:
        response = clients[client].post(url, unit_form(unit, seen[0], name=name(client, number)))
        if response.status_code == 302:
            return "won"
        assert "该单位已被他人修改，请刷新页面后重试。" in response.content.decode()
        return "conflict"

    tally = race(ROUNDS, read, write)

    assert [sorted(row) for row in tally.outcomes] == [["conflict", "won"]] * ROUNDS
    saved = [name(client, number) for number, client in enumerate(tally.winners())]
    # Both admins start each round from what the previous round's winner saved: no save was lost or undone.
    assert [seen[0] for seen in tally.seen] == [seen[1] for seen in tally.seen]
    assert [seen[0][1] for seen in tally.seen[1:]] == saved[:-1]
    stored = Unit.objects.get(pk=unit.pk)
    assert (stored.name, stored.version) == (saved[-1], 1 + ROUNDS)
    assert AuditEvent.objects.filter(action="core.unit.updated", object_id=str(unit.pk)).count() == ROUNDS

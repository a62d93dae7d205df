"""Stored XSS: payloads typed into every user-editable text field come back on every page only as escaped text.

Each payload is stored through the real services in the free-text fields of an item, its reply, a key case and its
progress, a 督办单 and its reply, a 追责 record, a sensitive period and a 通报. Every page that shows them is then
rendered: it must show the payload escaped and never as a live tag, attribute or `javascript:` link, and template
syntax must come back as typed. The ledger's Excel export must keep each payload as an inert text cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from accountability.services.supervision import (
    accountability_record_create,
    circular_issue,
    supervision_issue,
    supervision_reply,
)
from core.models import User
from ledger.services.keycases import keycase_create, progress_add
from ledger.services.sensitive import sensitive_period_create
from petitions.models import Document
from petitions.services import lifecycle
from petitions.services.intake import PetitionerInput, item_register
from tests.attacks.world import NOW, TODAY
from tests.support.accounts import Personas, Tree, signed_in_verified
from tests.support.items import DEFAULT_ID_NUMBER, intake_input
from tests.support.keycases import LedgerCast, keycase_input
from tests.support.supervision import finding_on

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
]
LIVE = [
    re.compile(r"<script>alert\(1\)", re.I),
    re.compile(r"<img[^>]*onerror", re.I),
    re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I),
]


@dataclass
class Stored:
    """The pages to look at (URL and who looks), and how many fields hold the payload."""

    pages: list[tuple[str, User]]
    fields: int


def store_everywhere(payload: str, personas: Personas, tree: Tree) -> Stored:
    """Type the payload into every free-text field of one object of each kind, through the services."""
    text = f"甲{payload}乙"  # inside ordinary text, as a user would paste it
    fields = 0
    item = item_register(
        actor=personas.clerk_a,
        data=intake_input(
            received_on=date(2026, 3, 2),
            summary=text,
            demand=text,
            problem_address=text,
            complained_unit_name=text,
            petitioners=[PetitionerInput(name="张三", id_number=DEFAULT_ID_NUMBER, address_detail=text)],
        ),
    )
    fields += 5
    unit = personas.handler_a.unit
    lifecycle.item_assign(actor=personas.clerk_a, item_id=item.pk, unit_id=unit.pk, on=date(2026, 3, 3))
    lifecycle.item_accept(actor=personas.handler_a, item_id=item.pk, on=date(2026, 3, 4))
    lifecycle.item_reply(
        actor=personas.handler_a, item_id=item.pk, on=TODAY, outcome="supported", opinion=text
    )
    fields += 1
    reply_document = Document.objects.filter(item=item).order_by("-id").first()
    assert reply_document is not None
    cast = LedgerCast(
        head=personas.section_head,
        county_head=personas.section_head,
        county_b_head=personas.section_head,
        leader=personas.leader,
        county_leader=personas.leader,
        county_b_leader=personas.leader,
        handler=personas.handler_a,
        township_handler=personas.handler_a,
        township_clerk=personas.clerk_a,
        city_dept_handler=personas.handler_a,
        personas=personas,
        tree=tree,
    )
    case = keycase_create(
        actor=personas.section_head,
        data=keycase_input(
            cast, title=text, problem=text, group_concerned=text, measures=text, source_note=text
        ),
    )
    progress_add(actor=personas.handler_a, case_id=case.pk, reported_on=TODAY, done=text, next_step=text)
    fields += 7
    order = supervision_issue(
        actor=personas.supervisor,
        unit=tree.county_a_department,
        subject=finding_on(tree.county_a_department),
        ground="not_closed",
        method="written",
        requirement=text,
        issued_on=TODAY,
    )
    supervision_reply(actor=personas.handler_a, order=order, reply=text, replied_on=TODAY)
    accountability_record_create(
        actor=personas.supervisor,
        unit=tree.county_a_department,
        person_name=text,
        person_title=text,
        liability="principal",
        measure="reminder_talk",
        reason=text,
        decided_by=text,
        decided_on=TODAY,
    )
    circular = circular_issue(
        actor=personas.supervisor, start=date(2026, 3, 1), end=date(2026, 3, 9), title=text
    )
    period = sensitive_period_create(
        actor=personas.section_head,
        name=text[:50],
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=3),
        unit_ids=[tree.county_a.pk],
        note=text,
    )
    fields += 10
    return Stored(
        pages=[
            ("/petitions/", personas.clerk_a),
            (f"/petitions/{item.pk}/", personas.clerk_a),
            (f"/petitions/{item.pk}/documents/{reply_document.pk}/", personas.clerk_a),
            ("/ledger/", personas.section_head),
            (f"/ledger/{case.pk}/", personas.section_head),
            ("/ledger/mine/", personas.leader),
            ("/accountability/supervision/", personas.supervisor),
            (f"/accountability/supervision/{order.pk}/", personas.supervisor),
            ("/accountability/records/", personas.supervisor),
            ("/accountability/circulars/", personas.supervisor),
            (f"/accountability/circulars/{circular.pk}/", personas.supervisor),
            ("/ledger/periods/", personas.section_head),
            (f"/ledger/periods/{period.pk}/", personas.section_head),
            ("/", personas.clerk_a),  # the sensitive-period banner
        ],
        fields=fields,
    )


@pytest.fixture
def pinned() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def page(user: User, url: str) -> str:
    client = Client()
    signed_in_verified(client, user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def live_spots(html: str, payload: str) -> list[str]:
    """Where the payload runs instead of showing: raw markup, or a tag, handler or link it made."""
    spots = [pattern.pattern for pattern in LIVE if pattern.search(html)]
    if "<" in payload and payload in html:
        spots.append("raw payload")
    return spots


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_page_shows_a_stored_payload_only_as_escaped_text(pinned, personas, tree, payload):
    stored = store_everywhere(payload, personas, tree)
    live: dict[str, list[str]] = {}
    unseen: list[str] = []
    for url, user in stored.pages:
        html = page(user, url)
        if escape(payload) not in html:
            unseen.append(url)
        if spots := live_spots(html, payload):
            live[url] = spots
    print(f"\nstored XSS: 1 payload × {stored.fields} fields × {len(stored.pages)} pages")

    assert live == {}
    assert unseen == []  # each page does show the payload, so the check above looked at it


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_ledger_export_keeps_a_stored_payload_as_an_inert_text_cell(pinned, personas, tree, payload):
    store_everywhere(payload, personas, tree)
    client = Client()
    signed_in_verified(client, personas.section_head)

    response = client.get("/ledger/export/")

    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    cells = [
        cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None
    ]
    holding = [cell for cell in cells if payload in str(cell.value)]
    assert holding, "the export shows the payload"
    assert all(cell.data_type == "s" and f"甲{payload}乙" in str(cell.value) for cell in holding)
    assert not any(str(cell.value).startswith("=") for cell in cells)

"""The section head's 待审批销号 queue: pending strike-off requests of the cases their unit keeps, scoped, counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from core.queues import queue_specs_for
from ledger.choices import CaseStatus
from ledger.models import KeyCase
from ledger.queues import strike_offs_waiting
from ledger.services.keycases import progress_add, strike_off_decide, strike_off_request
from tests.support.helpers import travel_to
from tests.support.keycases import LedgerCast

pytestmark = pytest.mark.django_db

RESOLVED_ON = date(2025, 7, 10)
REQUESTED_ON = date(2025, 7, 11)


@pytest.fixture
def resolved_case(make_case: Callable[..., KeyCase], ledger_cast: LedgerCast) -> KeyCase:
    """A case the city's ledger office keeps, run by county A's department and resolved on 2025-07-10."""
    with travel_to(date(2025, 6, 2)):
        case = make_case(opened_on=date(2025, 6, 2), resolve_by=date(2025, 8, 1))
    with travel_to(RESOLVED_ON):
        progress_add(
            actor=ledger_cast.handler,
            case_id=case.pk,
            reported_on=RESOLVED_ON,
            done="待遇全部落实。",
            status_after=CaseStatus.RESOLVED,
        )
    return case


def request(case: KeyCase, actor) -> None:
    with travel_to(REQUESTED_ON):
        strike_off_request(
            actor=actor, case_id=case.pk, on=REQUESTED_ON, reason="待遇已落实，当事人签字息诉。"
        )


def test_the_ledger_offices_section_head_sees_a_pending_strike_off_request(
    resolved_case: KeyCase, ledger_cast: LedgerCast
):
    request(resolved_case, ledger_cast.handler)

    page = strike_offs_waiting(ledger_cast.head, 5)

    assert page.count == 1
    (row,) = page.rows
    assert row.number == resolved_case.number
    assert row.url == reverse("ledger:case_detail", args=[resolved_case.pk])
    assert "07-11申请销号" in row.summary
    assert "待遇已落实" in row.summary
    assert strike_offs_waiting(ledger_cast.head, 0).count == page.count  # the menu's count-only reading


def test_section_heads_who_may_not_decide_do_not_see_it(resolved_case: KeyCase, ledger_cast: LedgerCast):
    request(resolved_case, ledger_cast.handler)

    # another county's head, and county A's own head (below the ledger office, which is the city)
    assert strike_offs_waiting(ledger_cast.county_b_head, 5).count == 0
    assert strike_offs_waiting(ledger_cast.county_head, 5).count == 0
    assert strike_offs_waiting(ledger_cast.county_b_head, 0).count == 0
    # handlers and leaders have no such queue at all
    assert "ledger.strike_offs_waiting" not in {spec.name for spec in queue_specs_for(ledger_cast.handler)}
    assert "ledger.strike_offs_waiting" not in {spec.name for spec in queue_specs_for(ledger_cast.leader)}


def test_a_section_head_does_not_see_the_request_they_made_themselves(
    resolved_case: KeyCase, ledger_cast: LedgerCast
):
    request(resolved_case, ledger_cast.head)  # the city head is above the responsible unit, so may ask

    assert strike_offs_waiting(ledger_cast.head, 5).count == 0  # strike_off_decide would refuse them


def test_a_decided_request_leaves_the_queue(resolved_case: KeyCase, ledger_cast: LedgerCast):
    request(resolved_case, ledger_cast.handler)
    with travel_to(date(2025, 7, 14)):
        strike_off_decide(
            actor=ledger_cast.head, case_id=resolved_case.pk, approve=True, on=date(2025, 7, 14)
        )

    assert strike_offs_waiting(ledger_cast.head, 5).count == 0


def test_the_home_page_and_the_menu_show_the_same_count(
    resolved_case: KeyCase, ledger_cast: LedgerCast, client_for
):
    request(resolved_case, ledger_cast.handler)
    client = client_for(ledger_cast.head)

    home = client.get("/").content.decode()
    ledger = client.get(reverse("ledger:case_list")).content.decode()

    assert 'id="queue-ledger.strike_offs_waiting"' in home
    assert resolved_case.number in home
    for html in (home, ledger):
        assert (
            'data-testid="menu-queue-ledger.strike_offs_waiting">待审批销号 <span class="badge">1</span>'
            in html
        )

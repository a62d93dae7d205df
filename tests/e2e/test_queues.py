"""Browser: a handler finds its work queue on the home page; a section head opens a pending extension request and
a strike-off request; a leader's home page shows their key cases, the 通报 naming their unit and the day's figures;
the menu's counts are the cards' counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from accountability.services.supervision import circular_issue
from core.choices import Role
from core.models import User
from ledger.choices import CaseStatus
from ledger.models import KeyCase
from ledger.services.keycases import progress_add, strike_off_request
from petitions.choices import Status
from petitions.services import lifecycle
from tests.support.accounts import PASSWORD, Tree
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.helpers import travel_to
from tests.support.items import Cast, ItemFactory
from tests.support.keycases import LedgerCast

VIEWPORTS = [(1440, 900), (390, 844)]


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_a_handler_sees_its_items_in_handling_on_the_home_page(
    page: Page, base_url: str, cast: Cast, width: int, height: int
):
    accepted = ItemFactory(cast).make(Status.ACCEPTED)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, base_url, cast.handler.username, PASSWORD)
    queue = page.get_by_test_id("queue-petitions.in_handling")
    expect(queue.get_by_test_id("queue-count")).to_have_text("1")
    expect(queue).to_contain_text("超期")
    expect(page.get_by_test_id("queue-petitions.waiting_for_acceptance")).to_contain_text("暂无待办")
    menu_entry = page.get_by_test_id("main-nav").get_by_role("link", name="信访事项")
    if width < 760:  # on a phone the menu is folded under one line, so the queues are on the first screen
        expect(menu_entry).to_be_hidden()
        expect(queue).to_be_in_viewport()
        page.get_by_test_id("nav-fold").click()
    expect(menu_entry).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"queues-handler-{width}.png"), full_page=True)
    queue.get_by_role("link", name=accepted.number).click()
    expect(page).to_have_url(f"{base_url}/petitions/{accepted.pk}/")


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_a_section_head_sees_a_pending_extension_request_and_opens_the_item(
    page: Page, base_url: str, cast: Cast, width: int, height: int
):
    item = ItemFactory(cast).make(Status.ACCEPTED)
    lifecycle.item_request_extension(
        actor=cast.handler, item_id=item.pk, on=date(2025, 4, 1), days=20, reason="需要会同人社部门联合调查。"
    )
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, base_url, cast.handling_head().username, PASSWORD)
    queue = page.get_by_test_id("queue-petitions.extensions_to_approve")
    expect(queue.get_by_test_id("queue-count")).to_have_text("1")
    expect(queue).to_contain_text("申请延长20日：需要会同人社部门联合调查。")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"queues-section-head-{width}.png"), full_page=True)
    queue.get_by_role("link", name=item.number).click()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/")
    expect(page.locator("body")).to_contain_text(item.number)


def expect_menu_matches_card(page: Page, name: str, count: str) -> None:
    """The menu's badge for a queue shows the same number as the queue's card on 工作台."""
    expect(page.get_by_test_id(f"queue-{name}").get_by_test_id("queue-count")).to_have_text(count)
    expect(page.get_by_test_id(f"menu-queue-{name}").locator(".badge")).to_have_text(count)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_a_leaders_home_page_shows_key_cases_the_circular_naming_the_unit_and_the_days_figures(
    page: Page,
    base_url: str,
    cast: Cast,
    tree: Tree,
    make_user: Callable[..., User],
    make_case: Callable[..., KeyCase],
    width: int,
    height: int,
):
    leader = make_user(tree.county_a_department, [Role.LEADER], "leader_zj", full_name="孙局长")
    case = make_case(owner_id=leader.pk, title="建设路工地欠薪群体")
    ItemFactory(cast).make(Status.ACCEPTED)  # county A's department let the handling clock run out in 2025
    circular = circular_issue(actor=cast.personas.supervisor, start=date(2025, 1, 1), end=date(2025, 12, 31))
    page.set_viewport_size({"width": width, "height": height})

    sign_in(page, base_url, leader.username, PASSWORD)

    cases = page.get_by_test_id("queue-ledger.my_key_cases")
    expect(cases).to_contain_text(case.number)
    expect(cases).to_contain_text("建设路工地欠薪群体")
    circulars = page.get_by_test_id("queue-accountability.circulars_naming_my_unit")
    expect(circulars).to_contain_text(circular.number)
    expect(circulars).to_contain_text("本单位超期1")
    figures = page.get_by_test_id("queue-dashboard.day_figures")
    expect(figures).to_contain_text("今日新件")
    expect(figures.get_by_role("link", name="1", exact=True)).to_have_count(1)  # 当前超期: the handling clock
    expect(figures).to_contain_text("本年按期办结率")
    expect_menu_matches_card(page, "ledger.my_key_cases", "1")
    expect_menu_matches_card(page, "accountability.circulars_naming_my_unit", "1")
    expect(page.get_by_test_id("menu-queue-dashboard.day_figures")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"queues-leader-{width}.png"), full_page=True)

    circulars.get_by_role("link", name=circular.number).click()  # the named unit may read the whole 通报
    expect(page).to_have_url(f"{base_url}/accountability/circulars/{circular.pk}/")
    expect(page.locator("body")).to_contain_text(tree.county_a_department.name)


def test_a_section_head_sees_a_strike_off_request_in_the_queue_and_the_menu_and_opens_the_case(
    page: Page, base_url: str, ledger_cast: LedgerCast, make_case: Callable[..., KeyCase]
):
    with travel_to(date(2025, 6, 2)):
        case = make_case(opened_on=date(2025, 6, 2), resolve_by=date(2025, 8, 1))
    with travel_to(date(2025, 7, 10)):
        progress_add(
            actor=ledger_cast.handler,
            case_id=case.pk,
            reported_on=date(2025, 7, 10),
            done="待遇全部落实。",
            status_after=CaseStatus.RESOLVED,
        )
        strike_off_request(
            actor=ledger_cast.handler,
            case_id=case.pk,
            on=date(2025, 7, 10),
            reason="待遇已落实，当事人签字息诉。",
        )

    sign_in(page, base_url, ledger_cast.head.username, PASSWORD)

    queue = page.get_by_test_id("queue-ledger.strike_offs_waiting")
    expect(queue).to_contain_text("待遇已落实")
    expect_menu_matches_card(page, "ledger.strike_offs_waiting", "1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "queues-section-head-strike-off.png"), full_page=True)
    queue.get_by_role("link", name=case.number).click()
    expect(page).to_have_url(f"{base_url}/ledger/{case.pk}/")
    expect(page.locator("details.step[data-action='strike_off_decide']")).to_have_count(1)
    # on any other page the menu still says how many wait, and its link leads back to the card
    page.get_by_test_id("menu-queue-ledger.strike_offs_waiting").click()
    expect(page).to_have_url(f"{base_url}/#queue-ledger.strike_offs_waiting")

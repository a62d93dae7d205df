"""Browser: a handler finds its work queue on the home page; a section head opens a pending extension request."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from petitions.choices import Status
from petitions.services import lifecycle
from tests.support.accounts import PASSWORD
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.items import Cast, ItemFactory

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

"""Browser: the handling unit's head sends an undelivered reply back for rework (退回重办) from the item page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from petitions.choices import Status
from petitions.models import Item
from tests.support.accounts import PASSWORD
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.items import Cast, ItemFactory


def test_the_units_head_sends_a_reply_back_and_a_missing_reason_is_shown_at_its_field(
    page: Page, base_url: str, cast: Cast, item_factory: ItemFactory
):
    item = item_factory.make(Status.REPLIED)
    sign_in(page, base_url, cast.handling_head().username, PASSWORD)
    page.goto(f"{base_url}/petitions/{item.pk}/")

    step = page.locator('details[data-step="rework"]')
    step.locator("summary").click()
    step.get_by_role("button", name="退回重办").click()  # no reason yet
    reason = page.locator('details[data-step="rework"] textarea')
    expect(page.get_by_test_id("error-rework-reason")).to_be_visible()
    reason.fill("处理意见未回应信访人的第二项诉求，请补充调查后重新答复。")
    page.locator('details[data-step="rework"]').get_by_role("button", name="退回重办").click()

    expect(page.get_by_test_id("withdrawn")).to_contain_text("已撤回重办")
    expect(page.get_by_test_id("timeline")).to_contain_text("退回重办")
    page.screenshot(path=str(ARTIFACTS / "rework-sent-back.png"), full_page=True)
    assert Item.objects.get(pk=item.pk).status == Status.ACCEPTED

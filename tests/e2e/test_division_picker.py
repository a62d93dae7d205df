"""Browser: the 行政区划查询 page, picking 北京市 → 东城区 → a township with the keyboard alone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.accounts import PASSWORD
from tests.support.browser import sign_in


def test_a_clerk_picks_a_township_of_dongcheng_with_the_keyboard_and_sees_its_path_and_code(
    page: Page, base_url: str, personas
):
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/divisions/")
    province = page.get_by_label("省级")
    city = page.get_by_label("地级")
    county = page.get_by_label("县级")
    township = page.get_by_label("乡级")
    expect(province).to_be_focused()  # the page opens on the first select

    page.keyboard.press("ArrowDown")  # 北京市, the first province by code
    expect(province).to_have_value("110000")
    # 北京市 has no 地级: the city select is hidden and the counties arrive in the county select.
    expect(county.locator("option", has_text="东城区")).to_have_count(1)
    expect(city).to_be_hidden()

    page.keyboard.press("Tab")
    expect(county).to_be_focused()
    page.keyboard.press("ArrowDown")  # 东城区, the first county of 北京市
    expect(county).to_have_value("110101")
    expect(township.locator("option", has_text="东华门街道")).to_have_count(1)

    page.keyboard.press("Tab")
    expect(township).to_be_focused()
    page.keyboard.press("ArrowDown")  # 东华门街道, the first township of 东城区
    expect(township).to_have_value("110101001")
    expect(page.locator("#id_code")).to_have_value("110101001")

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="查看")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_test_id("division-code")).to_have_text("110101001")
    expect(page.get_by_test_id("division-path")).to_have_text("北京市 / 东城区 / 东华门街道")
    # The picker comes back on the chosen township, still without the 地级 select.
    expect(township).to_have_value("110101001")
    expect(city).to_be_hidden()

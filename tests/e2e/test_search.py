"""Browser: a phone inquiry — the clerk types the caller's name in the list's search box, finds the item, opens it
and the caller's file (信访人档案)."""

from __future__ import annotations

from urllib.parse import unquote

from playwright.sync_api import Page, expect

from petitions.services.intake import PetitionerInput
from tests.support.accounts import PASSWORD, Personas
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.items import ItemFactory


def test_a_clerk_finds_a_callers_item_by_name_and_the_name_never_enters_the_address(
    page: Page, base_url: str, personas: Personas, item_factory: ItemFactory
):
    wanted = item_factory.register(
        petitioners=[PetitionerInput(name="欧阳娜娜", phone="13912345678")],
        summary="房屋拆迁补偿标准过低。",
        demand="请求提高拆迁补偿。",
    )
    other = item_factory.register()  # 张三's wages: not the caller's
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/petitions/")
    box = page.get_by_test_id("item-search-q")
    box.click()
    page.keyboard.type("欧阳")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "欧阳" not in unquote(page.url)
    assert "/petitions/?s=" in page.url
    table = page.get_by_test_id("item-table")
    expect(table).to_contain_text(wanted.number)
    expect(table).not_to_contain_text(other.number)
    expect(page.get_by_test_id("item-count")).to_have_text("共 1 件")
    expect(box).to_have_value("欧阳")
    page.screenshot(path=str(ARTIFACTS / "search-by-name.png"), full_page=True)

    table.get_by_role("link", name=wanted.number).click()
    expect(page).to_have_url(f"{base_url}/petitions/{wanted.pk}/")
    expect(page.get_by_test_id("petitioners")).to_contain_text("欧")

    page.get_by_test_id("petitioners").get_by_test_id(
        "petitioner-file-link"
    ).click()  # the caller's whole history
    expect(page.get_by_test_id("file-item-count")).to_have_text("1")
    expect(page.get_by_test_id("file-items")).to_contain_text(wanted.number)
    expect(page.get_by_test_id("file-new-visit")).to_be_visible()

"""Browser: a letter with three mistakes is refused once with every error listed and linked, fixed in one round,
the scan chosen the first time kept on the server, then the registration receipt (登记回执) is printed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from core.idcard import id_number_check_character
from core.models import AuditEvent
from petitions.choices import Purpose
from petitions.models import Item
from tests.support.accounts import PASSWORD, Personas
from tests.support.browser import ARTIFACTS, choose_by_arrows, pick_searchable, sign_in, tab_to

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # Monday 2 March 2026
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
GOOD_ID = "13010219690315004" + id_number_check_character("13010219690315004")
BAD_ID = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}])
def test_a_letter_with_three_mistakes_is_fixed_in_one_round_and_its_receipt_printed(
    page: Page, base_url: str, personas: Personas, tmp_path, viewport
):
    width = viewport["width"]
    page.set_viewport_size(viewport)
    scan = tmp_path / "来信扫描.png"
    scan.write_bytes(PNG)
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/petitions/new/letter/")
    name = page.locator("#id_petitioners-0-name")
    expect(name).to_be_focused()  # a name typed at once lands in 姓名
    page.keyboard.type("李建国")
    tab_to(page, page.locator("#id_petitioners-0-id_number"), limit=1)
    page.keyboard.type(BAD_ID)  # mistake 1: a wrong check character
    page.locator("#id_purpose").focus()
    choose_by_arrows(page, page.locator("#id_purpose"), Purpose.SUGGESTION)
    # mistake 2: no category; mistake 3: no summary
    page.locator("#id_demand").fill("建议主管部门督促公开账目。")
    page.locator("#id_letter_scan").set_input_files(str(scan))
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    summary = page.get_by_test_id("intake-error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("有3处需要修改")
    links = summary.locator("a")
    expect(links).to_have_count(3)
    assert [links.nth(i).get_attribute("href") for i in range(3)] == [
        "#id_petitioners-0-id_number",
        "#id_category",
        "#id_summary",
    ]
    expect(page.get_by_test_id("error-petitioners-0-id_number")).to_have_text(
        "身份证号校验位不正确，请核对号码。"
    )
    expect(page.get_by_test_id("error-category")).to_be_visible()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    id_field = page.locator("#id_petitioners-0-id_number")
    expect(id_field).to_be_focused()  # the first error has the cursor
    expect(id_field).to_have_value(BAD_ID)  # nothing typed is lost
    expect(name).to_have_value("李建国")
    expect(page.locator("#id_demand")).to_have_value("建议主管部门督促公开账目。")
    assert Item.objects.count() == 0
    expect(page.get_by_test_id("held-file")).to_contain_text("来信扫描件：来信扫描.png")  # the scan is kept
    expect(page.get_by_test_id("reattach-hint")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / f"intake-three-mistakes-{width}.png"), full_page=True)

    # One round of fixes: each summary link puts the cursor in its field.
    page.keyboard.press("Control+a")
    page.keyboard.type(GOOD_ID)
    links.nth(1).click()
    expect(page.locator("#id_category-ts-control")).to_be_focused()
    pick_searchable(page, "category", "物业", "物业管理")
    links.nth(2).click()
    expect(page.locator("#id_summary")).to_be_focused()
    page.keyboard.type("来信反映小区物业公司长期不公开维修资金使用情况。")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    item = Item.objects.get()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/")
    assert [a.original_name for a in item.attachments.all()] == ["来信扫描.png"]
    assert item.item_petitioners.get().id_number == GOOD_ID

    receipt_link = page.get_by_test_id("receipt-link")
    expect(receipt_link).to_be_visible()
    page.goto(f"{base_url}{receipt_link.get_attribute('href')}")
    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_contain_text(item.number)
    expect(page.get_by_test_id("receipt-code")).to_have_text(item.query_code)
    expect(page.get_by_test_id("receipt-next")).to_have_text(
        re.compile(r"本机关将于2026年3月\d+日前将您的信访事项转送、交办有关机关或告知您")
    )
    expect(page.get_by_test_id("receipt-query-url")).to_contain_text("/query/")
    assert AuditEvent.objects.filter(action="petitions.item.receipt_printed", object_id=str(item.pk)).exists()
    page.screenshot(path=str(ARTIFACTS / f"intake-receipt-{width}.png"), full_page=True)

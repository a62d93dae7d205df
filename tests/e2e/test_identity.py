"""Browser: a person's particulars stay with the item that received them, at another county's window and at a
repeat visit; the registering clerk corrects a typo on one item only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from playwright.sync_api import Page, ViewportSize, expect

from petitions.models import Item, ItemPetitioner
from tests.e2e.test_petitions import NOW, WANG_ID, fill_person_by_keyboard, open_intake, register
from tests.support.accounts import PASSWORD, Personas, Tree
from tests.support.browser import ARTIFACTS, pick_searchable, sign_in, sign_out, tab_to

pytestmark = pytest.mark.e2e

PHONE = "13803110001"


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def particulars(item: Item) -> tuple[str, str, str, str | None, str]:
    row = ItemPetitioner.objects.get(item=item)
    return (row.name, row.id_number, row.phone, row.address_division_id, row.address_detail)


def register_by_keyboard(page: Page, base_url: str, *, name: str, id_number: str, phone: str = "") -> Item:
    """A visit typed at the desk with the address picker left where it starts."""
    open_intake(page, base_url, "visit")
    fill_person_by_keyboard(page, name=name, id_number=id_number, phone=phone)
    tab_to(page, page.locator("#id_category-ts-control"), limit=12)
    pick_searchable(page, "category", "拖欠", "拖欠工资")
    tab_to(page, page.locator("#id_summary"), limit=1)
    page.keyboard.type("包工头拖欠工资两万三千元，再次来访。")
    tab_to(page, page.locator("#id_demand"), limit=1)
    page.keyboard.type("要求结清工资。")
    before = set(Item.objects.values_list("id", flat=True))
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    return Item.objects.exclude(id__in=before).get()


def test_another_countys_window_typing_a_known_id_number_sees_nothing_of_the_first_record(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    original = register(personas.clerk_a, summary="包工头拖欠工资两万三千元。", id_number=WANG_ID)
    before = particulars(original)

    sign_in(page, base_url, "clerk_b", PASSWORD)
    probe = register_by_keyboard(page, base_url, name="无名氏", id_number=WANG_ID)
    expect(page).to_have_url(f"{base_url}/petitions/{probe.pk}/")
    people = page.get_by_test_id("petitioners")
    expect(people).to_contain_text("无名氏")
    expect(people).not_to_contain_text("王秀英")
    expect(people).not_to_contain_text("建北街")
    assert people.get_by_role("button", name="查看").count() == 1  # only the ID number that was typed here
    people.get_by_test_id("reveal-id").click()
    expect(people).to_contain_text(WANG_ID)
    assert PHONE not in page.content()
    page.screenshot(path=str(ARTIFACTS / "identity-other-county.png"), full_page=True)
    assert particulars(original) == before

    sign_out(page)
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/petitions/{original.pk}/")
    expect(page.get_by_test_id("petitioners")).to_contain_text("王秀英")
    expect(page.get_by_test_id("petitioners")).to_contain_text("138****0001")


def test_a_repeat_visit_with_the_picker_at_its_default_leaves_the_first_visits_address_alone(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    original = register(personas.clerk_a, summary="包工头拖欠工资两万三千元。", id_number=WANG_ID)
    before = particulars(original)
    sign_in(page, base_url, "clerk_a", PASSWORD)
    repeat = register_by_keyboard(page, base_url, name="王秀英", id_number=WANG_ID)
    expect(page).to_have_url(f"{base_url}/petitions/{repeat.pk}/")
    assert particulars(original) == before
    assert (
        ItemPetitioner.objects.get(item=repeat).petitioner_id
        == ItemPetitioner.objects.get(item=original).petitioner_id
    )
    page.goto(f"{base_url}/petitions/{original.pk}/")
    expect(page.get_by_test_id("petitioners")).to_contain_text("建北街****")
    expect(page.get_by_test_id("petitioners")).to_contain_text("138****0001")


@pytest.mark.parametrize(
    "viewport",
    [ViewportSize(width=1440, height=900), ViewportSize(width=390, height=844)],
    ids=["1440", "390"],
)
def test_the_registering_clerk_corrects_a_phone_typo_on_one_item_and_the_other_keeps_its_own(
    page: Page, base_url: str, personas: Personas, tree: Tree, viewport: ViewportSize
):
    page.set_viewport_size(viewport)
    first = register(personas.clerk_a, summary="包工头拖欠工资两万三千元。", id_number=WANG_ID)
    second = register(personas.clerk_a, summary="再次反映拖欠工资。", id_number=WANG_ID)
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/petitions/{second.pk}/")
    page.get_by_test_id("correct-petitioner").click()
    expect(page.get_by_test_id("correct-form")).to_contain_text("138****0001")
    page.locator("#id_phone").fill("1390311000")  # one digit short
    page.get_by_role("button", name="保存更正").click()
    expect(page.get_by_test_id("error-phone")).to_contain_text("11位手机号码")
    expect(page.locator("#id_phone")).to_have_value("1390311000")
    page.locator("#id_phone").fill("13903110002")
    page.screenshot(path=str(ARTIFACTS / f"identity-correct-{viewport['width']}.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="保存更正").click()
    expect(page.locator(".messages")).to_contain_text("已更正信访人信息")
    expect(page.get_by_test_id("petitioners")).to_contain_text("139****0002")
    expect(page.locator("body")).to_contain_text("更正信访人信息：联系电话")
    page.screenshot(path=str(ARTIFACTS / f"identity-corrected-item-{viewport['width']}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert particulars(second)[2] == "13903110002"
    assert particulars(first)[2] == PHONE

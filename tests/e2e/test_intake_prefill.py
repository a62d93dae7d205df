"""Browser: 关联为重件 opens the visit form prefilled from an earlier item; a collective visit's representatives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accountability.models import Notification
from core.choices import Role
from core.idcard import id_number_check_character
from core.models import User
from petitions.choices import Channel, Marker, Purpose, Status
from petitions.models import Category, Item
from petitions.services.intake import IntakeInput, PetitionerInput, item_register
from tests.support.accounts import PASSWORD, Personas, Tree
from tests.support.browser import ARTIFACTS, pick_searchable, sign_in

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TOWNSHIP = "110105002"
WANG_ID = "13010219690315004" + id_number_check_character("13010219690315004")


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def _earlier(personas: Personas) -> Item:
    data = IntakeInput(
        channel=Channel.VISIT,
        purpose=Purpose.DEMAND,
        category_id=Category.objects.get(name="拖欠工资").pk,
        received_on=date(2026, 2, 10),
        registered_on=date(2026, 2, 10),
        summary="建设路工地包工头拖欠工资两万三千元。",
        demand="要求结清工资。",
        problem_division_code=TOWNSHIP,
        problem_address="建设路工地",
        complained_unit_name="某建筑劳务公司",
        petitioners=[
            PetitionerInput(
                name="王秀英",
                id_number=WANG_ID,
                phone="13803110001",
                division_code="110105001",
                address_detail="育才小区3号楼",
            )
        ],
    )
    return item_register(actor=personas.clerk_a, data=data)


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_a_repeat_visit_is_registered_from_the_petitioners_file_by_typing_only_the_new_summary(
    page: Page, base_url: str, personas: Personas, width: int, height: int
):
    original = _earlier(personas)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/petitions/{original.pk}/")
    page.get_by_test_id("petitioners").get_by_test_id("petitioner-file-link").click()
    expect(page.get_by_test_id("file-items")).to_contain_text(original.number)
    with page.expect_navigation():
        page.get_by_test_id("file-items").get_by_test_id("file-link-repeat").first.click()  # 关联为重件

    expect(page.locator("#id_petitioners-0-name")).to_have_value("王秀英")
    expect(page.locator("#id_petitioners-0-id_number")).to_have_value(WANG_ID)
    expect(page.locator("#id_petitioners-0-phone")).to_have_value("13803110001")
    expect(page.locator("#id_petitioners-0-address_detail")).to_have_value("育才小区3号楼")
    expect(page.locator("#id_problem_address")).to_have_value("建设路工地")
    expect(page.locator("#id_problem_division_level4")).to_have_value(
        TOWNSHIP
    )  # the township, not the default
    expect(page.locator("#id_problem_division")).to_have_value(TOWNSHIP)
    expect(page.locator("#id_petitioners-0-address_division_level4")).to_have_value("110105001")
    expect(page.get_by_test_id("repeat-link")).to_be_visible()
    expect(page.locator("#repeat-link-number")).to_have_text(original.number)
    expect(page.locator("#id_summary")).to_have_value("")
    expect(page.get_by_test_id("suggestion").first).to_contain_text(original.number)  # hinted at once
    page.screenshot(path=str(ARTIFACTS / f"intake-prefilled-repeat-{width}.png"), full_page=True)

    page.locator("#id_summary").fill("工资仍未结清，再次来访。")
    page.locator("#id_demand").fill("要求尽快结清。")
    with page.expect_navigation():
        page.get_by_test_id("intake-submit").click()

    repeat = Item.objects.exclude(pk=original.pk).get()
    expect(page).to_have_url(f"{base_url}/petitions/{repeat.pk}/")
    expect(page.get_by_test_id("item-status")).to_have_text("重复件（并入原件）")
    assert repeat.original_id == original.pk
    assert repeat.status == Status.REPEAT
    assert repeat.problem_division_id == TOWNSHIP
    link = repeat.item_petitioners.get()
    assert link.petitioner_id == original.item_petitioners.get().petitioner_id
    assert (link.id_number, link.phone, link.address_division_id) == (WANG_ID, "13803110001", "110105001")


def test_a_collective_visit_lists_its_representatives_checks_each_for_repeats_and_tells_the_leaders(
    page: Page, base_url: str, personas: Personas, tree: Tree, make_user: Callable[..., User]
):
    original = _earlier(personas)
    leader = make_user(tree.county_a, [Role.LEADER], "leader_county_a")
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/petitions/new/visit/")
    page.locator("#id_petitioners-0-name").fill("赵甲")
    add = page.get_by_role("button", name="增加信访人")
    add.click()
    page.locator("#id_petitioners-1-name").fill("王秀英")
    page.locator("#id_petitioners-1-id_number").fill(WANG_ID)
    suggestion = page.get_by_test_id("suggestion")
    expect(suggestion.first).to_contain_text(original.number)  # found through the second row, not the first
    expect(suggestion.first).to_contain_text("王秀英：同一身份证号")

    add.click()
    page.locator("#id_petitioners-2-name").fill("钱丙")
    page.locator("[data-row]").nth(2).get_by_role("button", name="上移").click()
    expect(page.locator("#id_petitioners-1-name")).to_have_value("钱丙")
    expect(page.locator("#id_petitioners-2-name")).to_have_value("王秀英")
    expect(page.locator("#id_petitioners-2-id_number")).to_have_value(WANG_ID)
    page.locator("[data-row]").nth(1).get_by_role("button", name="删除").click()
    expect(page.locator("[data-row]")).to_have_count(2)
    expect(page.locator('[name="petitioners-TOTAL_FORMS"]')).to_have_value("2")
    expect(page.locator("#id_petitioners-1-name")).to_have_value("王秀英")

    for index in range(2):
        page.locator(f"#id_petitioners-{index}-is_representative").check()
    page.locator("#id_head_count").fill("30")
    page.locator("#id_category-ts-control").focus()
    pick_searchable(page, "category", "拖欠", "拖欠工资")
    page.locator("#id_summary").fill("三十名务工人员集体反映拖欠工资。")
    page.locator("#id_demand").fill("要求结清工资。")
    page.screenshot(path=str(ARTIFACTS / "intake-collective-1440.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("intake-submit").click()

    item = Item.objects.exclude(pk=original.pk).get()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/")
    assert [link.name for link in item.item_petitioners.order_by("position")] == ["赵甲", "王秀英"]
    assert Marker.COLLECTIVE in item.markers
    told = Notification.objects.get(recipient=leader)
    assert item.number in told.title

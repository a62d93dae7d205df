"""Browser: a refused step on an item page comes back scrolled to its error, with the focus on it; the petitioner
rows of a collective visit move with the keyboard, and without scripts 增加信访人 and 上移 still work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from petitions.choices import Action, Status
from tests.support.accounts import PASSWORD, Personas
from tests.support.browser import ARTIFACTS, sign_in, tab_to
from tests.support.items import Cast, ItemFactory


@pytest.mark.parametrize(("width", "height"), [(1280, 860), (390, 844)])
def test_a_refused_step_shows_its_error_where_the_user_is_looking(
    page: Page, base_url: str, cast: Cast, width: int, height: int
):
    item = ItemFactory(cast).make(Status.ACCEPTED)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, base_url, cast.handler.username, PASSWORD)
    page.goto(f"{base_url}/petitions/{item.pk}/")

    step = page.locator(f"details.step[data-step='{Action.REPLY}']")
    step.locator("summary").click()
    form = step.locator("form")
    form.get_by_label("处理意见书正文").fill("")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    error = page.get_by_test_id("step-error")
    expect(error).to_contain_text("请修改下面标出的内容")
    expect(error).to_be_focused()
    expect(error).to_be_in_viewport()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/steps/{Action.REPLY}/#step-error")
    expect(page.locator(f"details.step[data-step='{Action.REPLY}']")).to_have_attribute("open", "")
    expect(page.get_by_test_id("error-reply-opinion")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"step-error-{width}.png"))  # the viewport: what the user sees


def test_petitioner_rows_are_added_moved_and_removed_with_the_keyboard(
    page: Page, base_url: str, personas: Personas
):
    sign_in(page, base_url, personas.clerk_a.username, PASSWORD)
    page.goto(f"{base_url}/petitions/new/visit/")
    page.keyboard.type("赵甲")  # the cursor starts in the first petitioner's name
    add = page.get_by_role("button", name="增加信访人")
    tab_to(page, add, limit=12)
    page.keyboard.press("Enter")
    expect(page.locator("#id_petitioners-1-name")).to_be_focused()
    page.keyboard.type("钱乙")

    page.keyboard.press("Alt+ArrowUp")  # the row the cursor is in goes up, the cursor with it
    expect(page.locator("#id_petitioners-0-name")).to_have_value("钱乙")
    expect(page.locator("#id_petitioners-1-name")).to_have_value("赵甲")
    expect(page.locator("#id_petitioners-0-name")).to_be_focused()

    second = page.locator("[data-row]").nth(1)
    remove = second.get_by_role("button", name="删除")
    tab_to(page, remove, limit=20)  # the row buttons are ordinary tab stops after the row's fields
    page.keyboard.press("Enter")
    expect(page.locator("[data-row]")).to_have_count(1)
    expect(page.locator('[name="petitioners-TOTAL_FORMS"]')).to_have_value("1")
    expect(page.locator("#id_petitioners-0-name")).to_have_value("钱乙")
    expect(page.locator("#id_petitioners-0-name")).to_be_focused()  # the row left in its place


def test_a_sixth_representative_is_refused_at_its_row_as_soon_as_it_is_ticked(
    page: Page, base_url: str, personas: Personas
):
    sign_in(page, base_url, personas.clerk_a.username, PASSWORD)
    page.goto(f"{base_url}/petitions/new/visit/")
    add = page.get_by_role("button", name="增加信访人")
    for index in range(6):
        if index:
            add.click()
        page.locator(f"#id_petitioners-{index}-name").fill(f"代表{index + 1}")
        page.locator(f"#id_petitioners-{index}-is_representative").check()

    message = page.get_by_test_id("error-petitioners-5-is_representative")
    expect(message).to_contain_text("集体访推选的代表不得超过5人")
    expect(page.get_by_test_id("error-petitioners-4-is_representative")).to_have_count(0)
    page.locator("#id_petitioners-5-is_representative").uncheck()
    expect(message).to_have_count(0)


@pytest.fixture
def page_without_scripts(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 860},
        java_script_enabled=False,
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / "intake-rows-without-scripts.png"), full_page=True)
    context.close()


def test_without_scripts_adding_and_moving_a_row_keeps_what_was_typed(
    page_without_scripts: Page, base_url: str, personas: Personas
):
    page = page_without_scripts
    sign_in(page, base_url, personas.clerk_a.username, PASSWORD)
    page.goto(f"{base_url}/petitions/new/visit/")
    page.locator("#id_petitioners-0-name").fill("赵甲")
    page.locator("#id_petitioners-0-phone").fill("13800138000")
    page.locator("#id_summary").fill("三十名务工人员集体反映拖欠工资。")

    with page.expect_navigation():
        page.get_by_role("button", name="增加信访人").click()

    expect(page.locator("[data-row]")).to_have_count(2)
    expect(page.locator("#id_petitioners-0-name")).to_have_value("赵甲")
    expect(page.locator("#id_petitioners-0-phone")).to_have_value("13800138000")
    expect(page.locator("#id_summary")).to_have_value("三十名务工人员集体反映拖欠工资。")
    expect(page.locator("#id_petitioners-1-name")).to_be_focused()  # autofocus: no script needed
    expect(page.locator(".field-error")).to_have_count(0)  # nothing judged yet
    page.keyboard.type("钱乙")

    with page.expect_navigation():
        page.locator("[data-row]").nth(1).get_by_role("button", name="上移").click()

    expect(page.locator("#id_petitioners-0-name")).to_have_value("钱乙")
    expect(page.locator("#id_petitioners-1-name")).to_have_value("赵甲")
    expect(page.locator("#id_petitioners-1-phone")).to_have_value("13800138000")

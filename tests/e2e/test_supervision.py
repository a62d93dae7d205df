"""Browser: a handler finds the overdue reminder in the inbox, a 督办单 is issued and answered, the sweep's health."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from accountability.models import SupervisionOrder
from accountability.services.sweep import sweep
from petitions.choices import Status
from tests.support.accounts import PASSWORD, Personas, Tree
from tests.support.browser import ARTIFACTS, choose_by_arrows, pick_searchable, sign_in, sign_out, tab_to
from tests.support.items import Cast as PetitionCast
from tests.support.items import ItemFactory

HANDLING_DUE = date(2025, 5, 6)  # accepted 2025-03-07 + 60 日 (the default walk of the petition tests)


def test_a_handler_sees_the_overdue_reminder_in_the_inbox_and_opens_the_item_from_it(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    cast = PetitionCast(
        clerk=personas.clerk_a,
        handler=personas.handler_a,
        head=personas.section_head,
        personas=personas,
        tree=tree,
    )
    item = ItemFactory(cast).make(Status.ACCEPTED)
    run = sweep(today=date(2025, 5, 7))
    assert run is not None
    assert run.escalations_created == 1

    sign_in(page, base_url, "handler_a", PASSWORD)
    inbox_link = page.get_by_test_id("inbox-link")
    expect(inbox_link).to_have_text("消息 1")
    inbox_link.click()
    row = page.get_by_test_id("inbox-row")
    expect(row).to_have_count(1)
    expect(row).to_have_class("unread")
    expect(row).to_contain_text("【预警与超期】每日汇总 2025-05-07")  # the day's digest names the item
    expect(row).to_contain_text(f"【超期】办理答复 {item.number}")
    expect(row).to_contain_text("期限 2025-05-06")
    page.screenshot(path=str(ARTIFACTS / "inbox-overdue-reminder.png"), full_page=True)
    row.get_by_role("link", name=item.number).click()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/")
    expect(page.get_by_test_id("inbox-link")).to_have_text("消息")  # read once opened


def test_a_supervisor_issues_a_supervision_order_on_an_item_the_item_page_shows_it_and_the_unit_replies(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    cast = PetitionCast(
        clerk=personas.clerk_a,
        handler=personas.handler_a,
        head=personas.section_head,
        personas=personas,
        tree=tree,
    )
    item = ItemFactory(cast).make(Status.ACCEPTED)
    sign_in(page, base_url, "supervisor", PASSWORD)
    page.goto(f"{base_url}/petitions/{item.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("issue-on-subject").click()
    expect(page.locator("#id_item")).to_have_value(item.number)  # the item page fills in its number
    requirement = page.locator("#id_requirement")
    expect(requirement).to_be_focused()
    page.keyboard.type("拖欠工资信访事项已超期，请于十个工作日内书面说明原因和办理进度。")
    tab_to(page, page.locator("#id_unit-ts-control"), limit=1)
    pick_searchable(page, "unit", "住房", "城关区住房和城乡建设局")
    tab_to(page, page.locator("#id_ground"), limit=2)
    choose_by_arrows(page, page.locator("#id_ground"), "evasion")
    tab_to(page, page.locator("#id_method"), limit=1)
    choose_by_arrows(page, page.locator("#id_method"), "joint")
    with page.expect_navigation():
        page.get_by_role("button", name="发出督办单").click()

    order = SupervisionOrder.objects.get()
    expect(page.get_by_test_id("order-status")).to_have_text("待答复")
    expect(page.get_by_test_id("reply-due")).to_contain_text("进行中")
    assert (order.unit, order.ground, order.method) == (tree.county_a_department, "evasion", "joint")
    assert (order.subject_type, order.subject_id) == ("petitions.item", item.pk)
    expect(page.get_by_test_id("order-subject")).to_contain_text(item.number)
    page.goto(f"{base_url}/petitions/{item.pk}/")
    block = page.get_by_test_id("subject-order")
    expect(block).to_have_count(1)
    expect(block).to_contain_text(order.number)
    expect(block).to_contain_text("拖欠工资信访事项已超期")
    expect(block).to_contain_text("待答复")
    page.screenshot(path=str(ARTIFACTS / "supervision-on-item.png"), full_page=True)
    sign_out(page)

    sign_in(page, base_url, "handler_a", PASSWORD)
    expect(page.get_by_test_id("inbox-link")).to_have_text("消息 1")
    page.goto(f"{base_url}/accountability/supervision/")
    page.get_by_role("link", name=order.number).click()
    reply = page.locator("#id_reply")
    expect(reply).to_be_focused()
    with page.expect_navigation():
        page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("error-reply")).to_have_text("请填写答复内容。")
    page.locator("#id_reply").fill("已约谈施工方，拖欠工资已于本周发放完毕。")
    with page.expect_navigation():
        page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("order-status")).to_have_text("已答复")
    expect(page.get_by_test_id("inbox-link")).to_have_text("消息")  # the 督办 notice was read on this page
    expect(page.get_by_test_id("order-reply")).to_have_text("已约谈施工方，拖欠工资已于本周发放完毕。")
    page.screenshot(path=str(ARTIFACTS / "supervision-replied.png"), full_page=True)
    sign_out(page)

    sign_in(page, base_url, "supervisor", PASSWORD)
    page.goto(f"{base_url}/accountability/supervision/{order.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("close-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("已办结")


def test_the_health_page_shows_the_last_sweep(page: Page, base_url: str, personas: Personas):
    sign_in(page, base_url, "sysadmin", PASSWORD)
    page.goto(f"{base_url}/accountability/health/")
    expect(page.get_by_test_id("sweep-health")).to_contain_text("尚无巡检记录")
    expect(page.get_by_test_id("sweep-health")).to_have_class("card health-late")
    sweep()
    page.reload()
    expect(page.get_by_test_id("sweep-health")).to_have_class("card health-ok")
    expect(page.get_by_test_id("last-sweep")).to_contain_text("最近一次完成")
    page.screenshot(path=str(ARTIFACTS / "sweep-health.png"), full_page=True)

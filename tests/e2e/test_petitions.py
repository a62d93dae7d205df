"""Browser: registering visits and letters with the keyboard, repeat linking, the handling steps, the public query."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from accountability.models import Deadline
from core.idcard import id_number_check_character
from core.models import User
from petitions.choices import ITEM_SUBJECT, Action, Channel, Purpose, Status
from petitions.models import Category, Item
from petitions.services.intake import IntakeInput, PetitionerInput, item_register
from petitions.services.lifecycle import item_accept, item_assign
from tests.support.accounts import PASSWORD, Personas, Tree
from tests.support.browser import ARTIFACTS, choose_by_arrows, pick_searchable, sign_in, sign_out, tab_to

# Monday 2 March 2026, 09:00 in Beijing: a plain working day, so every date below is fixed.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
NUMBER = re.compile(r"XF2026-\d{6}")
# Smallest PNG there is: enough for the content sniffing of the upload service.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def valid_id(first17: str) -> str:
    return first17 + id_number_check_character(first17)


WANG_ID = valid_id("13010219690315004")  # born 1969-03-15, registered in 石家庄市长安区


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    """Server-side 'today' is 2026-03-02 (the live server runs in this process, so it sees the same clock)."""
    with time_machine.travel(NOW, tick=True):
        yield


def category(name: str) -> Category:
    return Category.objects.get(name=name)


def register(
    clerk: User, *, summary: str, id_number: str, received_on: date = TODAY, demand: str = "要求结清工资。"
) -> Item:
    """Set-up: an item registered through the service, as an earlier visit would have been."""
    data = IntakeInput(
        channel=Channel.VISIT,
        purpose=Purpose.DEMAND,
        category_id=category("拖欠工资").pk,
        received_on=received_on,
        summary=summary,
        demand=demand,
        petitioners=[
            PetitionerInput(
                name="王秀英",
                id_number=id_number,
                phone="13803110001",
                address_detail="建北街道育才小区3号楼",
            )
        ],
        registered_on=received_on,
    )
    return item_register(actor=clerk, data=data)


def pick_division(page: Page, name: str, path: list[str]) -> None:
    """Walk the 省/市/县/乡 picker of field `name` with the keyboard; focus starts on the 省 select."""
    for level, code in enumerate(path, start=1):
        select = page.locator(f"#id_{name}_level{level}")
        if level > 1:
            expect(select).to_be_enabled()  # the options arrived (htmx) before the clerk tabs on
            tab_to(page, select, limit=1)
        choose_by_arrows(page, select, code)
        if level < len(path):
            expect(page.locator(f"#id_{name}_level{level + 1} option[value='{path[level]}']")).to_have_count(
                1
            )
    expect(page.locator(f"#id_{name}")).to_have_value(path[-1])


def open_intake(page: Page, base_url: str, channel: str) -> None:
    page.goto(f"{base_url}/petitions/new/{channel}/")
    # Keyboard-first: the page opens on the petitioner's name (the date defaults to today), the clerk does not tab
    # through the menu.
    expect(page.locator("#id_petitioners-0-name")).to_be_focused()
    expect(page.locator("#id_received_on")).to_have_value(TODAY.isoformat())


def fill_person_by_keyboard(page: Page, *, name: str, id_number: str, phone: str) -> None:
    expect(page.locator("#id_petitioners-0-name")).to_be_focused()
    page.keyboard.type(name)
    tab_to(page, page.locator("#id_petitioners-0-id_number"), limit=1)
    page.keyboard.type(id_number)
    tab_to(page, page.locator("#id_petitioners-0-phone"), limit=1)
    page.keyboard.type(phone)


def test_a_clerk_registers_a_visit_with_the_keyboard_alone_and_lands_on_the_new_item(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    sign_in(page, base_url, "clerk_a", PASSWORD)
    open_intake(page, base_url, "visit")
    expect(page.get_by_role("heading", name="来访登记")).to_be_visible()

    fill_person_by_keyboard(page, name="王秀英", id_number=WANG_ID.lower(), phone="138 0311 0001")
    tab_to(page, page.locator("#id_petitioners-0-address_division_level1"), limit=2)
    pick_division(page, "petitioners-0-address_division", ["130000", "130100", "130102", "130102001"])
    tab_to(page, page.locator("#id_petitioners-0-address_detail"), limit=1)
    page.keyboard.type("育才小区3号楼2单元")

    tab_to(
        page, page.locator("#id_problem_address"), limit=4
    )  # past 增加信访人, 信访人数 and the empty 问题属地
    page.keyboard.type("城关区东门街道建设路18号工地")
    tab_to(page, page.locator("#id_complained_unit-ts-control"), limit=1)
    pick_searchable(page, "complained_unit", "住房", "城关区住房和城乡建设局")
    tab_to(page, page.locator("#id_purpose"), limit=2)
    choose_by_arrows(page, page.locator("#id_purpose"), Purpose.DEMAND)
    tab_to(page, page.locator("#id_category-ts-control"), limit=1)
    pick_searchable(page, "category", "拖欠", "拖欠工资")
    tab_to(page, page.locator("#id_summary"), limit=1)
    page.keyboard.type("在建设路工地做木工三个月，包工头拖欠工资两万三千元。")
    tab_to(page, page.locator("#id_demand"), limit=1)
    page.keyboard.type("要求结清拖欠的工资。")
    submit = page.get_by_test_id("intake-submit")
    tab_to(page, submit, limit=12)  # past the eight markers and the attachments
    with page.expect_navigation():
        page.keyboard.press("Enter")

    item = Item.objects.get()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/")
    assert NUMBER.fullmatch(item.number)
    expect(page.get_by_role("heading", level=1)).to_contain_text(item.number)
    expect(page.locator(".messages")).to_contain_text(f"已登记 {item.number}，查询码 {item.query_code}")
    expect(page.get_by_test_id("item-status")).to_have_text("已登记待转送")
    expect(page.get_by_test_id("item-summary")).to_have_text(
        "在建设路工地做木工三个月，包工头拖欠工资两万三千元。"
    )
    expect(page.get_by_test_id("petitioners")).to_contain_text("130102********004")  # masked in the page
    person = item.item_petitioners.get()
    assert (item.channel, item.category.name, item.complained_unit) == (
        Channel.VISIT,
        "拖欠工资",
        tree.county_a_department,
    )
    assert (person.name, person.id_number, person.phone) == ("王秀英", WANG_ID, "13803110001")
    assert person.address_division_id == "130102001"
    assert item.received_on == item.registered_on == TODAY


def test_a_clerk_registers_a_letter_with_its_scan_attached_and_the_keyboard_for_the_rest(
    page: Page, base_url: str, personas: Personas, tmp_path
):
    scan = tmp_path / "来信扫描.png"
    scan.write_bytes(PNG)
    sign_in(page, base_url, "clerk_a", PASSWORD)
    open_intake(page, base_url, "letter")
    expect(page.get_by_role("heading", name="来信登记")).to_be_visible()

    fill_person_by_keyboard(page, name="李建国", id_number="", phone="0311-86012345")
    tab_to(page, page.locator("#id_problem_address"), limit=7)
    page.keyboard.type("东门街道幸福小区")
    tab_to(page, page.locator("#id_purpose"), limit=3)
    choose_by_arrows(page, page.locator("#id_purpose"), Purpose.SUGGESTION)
    tab_to(page, page.locator("#id_category-ts-control"), limit=1)
    pick_searchable(page, "category", "物业", "物业管理")
    tab_to(page, page.locator("#id_summary"), limit=1)
    page.keyboard.type("来信反映小区物业公司长期不公开维修资金使用情况。")
    tab_to(page, page.locator("#id_demand"), limit=1)
    page.keyboard.type("建议主管部门督促公开账目。")
    letter_scan = page.locator("#id_letter_scan")
    tab_to(page, letter_scan, limit=10)  # the scan field is reachable right after the markers
    letter_scan.set_input_files(str(scan))  # the operating system's file chooser is out of the page's reach
    tab_to(page, page.get_by_test_id("intake-submit"), limit=3)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    item = Item.objects.get()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(item.number)
    assert NUMBER.fullmatch(item.number)
    expect(page.locator(".facts")).to_contain_text("来信")
    attachments = page.get_by_test_id("attachments")
    expect(attachments).to_contain_text("来信扫描.png")
    expect(attachments).to_contain_text("来信扫描件")
    stored = item.attachments.get()
    assert (stored.kind, stored.content_type, stored.size) == ("letter_scan", "image/png", len(PNG))
    assert (item.channel, item.purpose, item.category.name) == (
        Channel.LETTER,
        Purpose.SUGGESTION,
        "物业管理",
    )


def test_a_wrong_id_number_is_shown_in_chinese_at_the_id_field_and_nothing_typed_is_lost(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    wrong = WANG_ID[:17] + ("0" if WANG_ID[17] != "0" else "1")
    sign_in(page, base_url, "clerk_a", PASSWORD)
    open_intake(page, base_url, "visit")
    fill_person_by_keyboard(page, name="王秀英", id_number=wrong, phone="13803110001")
    tab_to(page, page.locator("#id_petitioners-0-address_division_level1"), limit=2)
    pick_division(page, "petitioners-0-address_division", ["130000", "130100", "130102", "130102002"])
    tab_to(page, page.locator("#id_petitioners-0-address_detail"), limit=1)
    page.keyboard.type("青园街道和平路5号")
    tab_to(page, page.locator("#id_problem_address"), limit=4)
    page.keyboard.type("建设路18号")
    tab_to(page, page.locator("#id_complained_unit-ts-control"), limit=1)
    pick_searchable(page, "complained_unit", "住房", "城关区住房和城乡建设局")
    tab_to(page, page.locator("#id_category-ts-control"), limit=3)
    pick_searchable(page, "category", "拖欠", "拖欠工资")
    tab_to(page, page.locator("#id_summary"), limit=1)
    page.keyboard.type("包工头拖欠工资两万三千元。")
    tab_to(page, page.locator("#id_demand"), limit=1)
    page.keyboard.type("要求结清工资。")
    tab_to(page, page.locator("#id_markers_4"), limit=5)  # 扬言
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    error = page.get_by_test_id("error-petitioners-0-id_number")
    expect(error).to_have_text("身份证号校验位不正确，请核对号码。")
    id_field = page.locator("#id_petitioners-0-id_number")
    expect(id_field.locator("xpath=..")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(id_field).to_be_focused()  # the clerk corrects the number at once
    assert Item.objects.count() == 0
    expect(id_field).to_have_value(wrong)
    expect(page.locator("#id_petitioners-0-name")).to_have_value("王秀英")
    expect(page.locator("#id_petitioners-0-phone")).to_have_value("13803110001")
    expect(page.locator("#id_petitioners-0-address_division")).to_have_value("130102002")
    expect(page.locator("#id_petitioners-0-address_division_level2")).to_have_value("130100")
    expect(page.locator("#id_petitioners-0-address_division_level4")).to_have_value("130102002")
    expect(page.locator("#id_petitioners-0-address_detail")).to_have_value("青园街道和平路5号")
    expect(page.locator("#id_problem_address")).to_have_value("建设路18号")
    expect(page.locator("#id_complained_unit")).to_have_value(str(tree.county_a_department.pk))
    expect(page.locator("#id_category")).to_have_value(str(category("拖欠工资").pk))
    expect(page.locator("#id_summary")).to_have_value("包工头拖欠工资两万三千元。")
    expect(page.locator("#id_demand")).to_have_value("要求结清工资。")
    expect(page.locator("#id_markers_4")).to_be_checked()
    page.screenshot(path=str(ARTIFACTS / "intake-refused-id-number.png"), full_page=True)

    page.keyboard.press("Control+a")
    page.keyboard.type(WANG_ID)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    item = Item.objects.get()
    expect(page).to_have_url(f"{base_url}/petitions/{item.pk}/")
    person = item.item_petitioners.get()
    assert (person.id_number, person.address_division_id, person.address_detail) == (
        WANG_ID,
        "130102002",
        "青园街道和平路5号",
    )
    assert (item.problem_address, item.complained_unit, item.markers) == (
        "建设路18号",
        tree.county_a_department,
        ["threat"],
    )


def test_an_earlier_item_of_the_same_person_is_suggested_while_typing_and_linked_as_a_repeat(
    page: Page, base_url: str, personas: Personas
):
    original = register(
        personas.clerk_a,
        summary="建设路工地包工头拖欠工资两万三千元。",
        id_number=WANG_ID,
        received_on=date(2026, 2, 10),
    )
    clocks_before = Deadline.objects.filter(subject_type=ITEM_SUBJECT).count()
    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.clock.install()  # the page's timers run normally until the test holds them
    open_intake(page, base_url, "visit")
    fill_person_by_keyboard(page, name="王秀英", id_number=WANG_ID, phone="1380311")  # four digits short

    suggestion = page.get_by_test_id("suggestion")
    expect(suggestion).to_have_count(1)  # shown while the clerk is still typing
    expect(suggestion).to_contain_text(original.number)
    expect(suggestion).to_contain_text("同一身份证号")
    expect(page.locator("#id_petitioners-0-phone")).to_be_focused()  # the refresh did not take the focus away
    page.keyboard.press("Alt+s")  # Alt+S jumps straight to the suggestions …
    expect(page.get_by_role("button", name="关联为重件")).to_be_focused()
    page.locator("#id_petitioners-0-phone").focus()  # … and the clerk goes back to where they were

    tab_to(
        page, page.locator("#id_category-ts-control"), limit=14
    )  # the address pickers, 代表, 信访人数 and the matter fields come first
    pick_searchable(page, "category", "拖欠", "拖欠工资")
    tab_to(page, page.locator("#id_summary"), limit=1)
    # Hold the page's clock: the refresh the summary schedules (400 ms after the last key) waits until the
    # clerk has tabbed into the suggestions panel, then lands while the focus is there.
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    page.keyboard.type("建设路工地包工头拖欠工资两万三千元，至今未解决。")
    tab_to(page, page.locator("#id_demand"), limit=1)
    page.keyboard.type("要求尽快结清。")
    tab_to(page, page.get_by_test_id("intake-submit"), limit=12)
    link_button = page.get_by_role("button", name="关联为重件")
    tab_to(page, link_button, limit=3)  # the suggestions panel follows the submit button
    expect(suggestion).not_to_contain_text("内容相似")
    page.clock.resume()
    expect(suggestion).to_contain_text("内容相似")  # the list was refreshed …
    expect(link_button).to_be_focused()  # … and the clerk is still on the same button
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("repeat-link")).to_be_visible()
    expect(page.get_by_test_id("repeat-link")).to_contain_text(original.number)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    # The short phone number is refused; the page comes back still linked to the original, by its number.
    expect(page.get_by_test_id("error-petitioners-0-phone")).to_contain_text("11位手机号码")
    expect(page.get_by_test_id("repeat-link")).to_be_visible()
    expect(page.locator("#repeat-link-number")).to_have_text(original.number)
    expect(page.locator("#id_petitioners-0-phone")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("13803110001")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    repeat = Item.objects.exclude(pk=original.pk).get()
    expect(page).to_have_url(f"{base_url}/petitions/{repeat.pk}/")
    expect(page.get_by_test_id("item-status")).to_have_text("重复件（并入原件）")
    expect(page.get_by_text(f"本件为 {original.number} 的重复件。")).to_be_visible()
    expect(page.get_by_test_id("deadlines")).to_contain_text("无")  # no clock of its own
    assert not Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=repeat.pk).exists()
    assert Deadline.objects.filter(subject_type=ITEM_SUBJECT).count() == clocks_before

    page.get_by_role("link", name=original.number).click()
    expect(page).to_have_url(f"{base_url}/petitions/{original.pk}/")
    facts = page.locator(".facts")
    expect(facts).to_contain_text("重复信访")
    expect(facts).to_contain_text("1 次")
    expect(page.get_by_role("link", name=repeat.number)).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text(f"收到重复件{repeat.number}（第1次）")
    original.refresh_from_db()
    assert (original.repeat_count, original.status) == (1, Status.REGISTERED)


def open_step(page: Page, action: str) -> Locator:
    """Expand a step of the 办理 card and return its form."""
    step = page.locator(f"details.step[data-step='{action}']")
    step.locator("summary").click()
    return step.locator("form")


def deadline_row(page: Page, kind: str) -> Locator:
    return page.get_by_test_id("deadlines").locator(f"tr[data-kind='{kind}']")


def test_a_handler_accepts_asks_for_an_extension_the_units_own_head_approves_and_the_handler_replies(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    item = register(personas.clerk_a, summary="工地拖欠工资两万三千元。", id_number=WANG_ID)
    item_assign(actor=personas.clerk_a, item_id=item.pk, unit_id=tree.county_a_department.pk, on=TODAY)
    url = f"{base_url}/petitions/{item.pk}/"

    sign_in(page, base_url, "handler_a", PASSWORD)
    page.goto(url)
    expect(page.get_by_test_id("item-status")).to_have_text("受理申请审查中")
    form = open_step(page, Action.ACCEPT)
    expect(form.get_by_label("办理日期")).to_have_value("2026-03-02")
    form.get_by_label("说明").fill("属本单位职责，予以受理。")
    with page.expect_navigation():
        form.get_by_role("button", name="受理").click()
    expect(page.get_by_test_id("item-status")).to_have_text("受理（办理中）")
    # 2026-03-02 + 60 日 = 05-01, in the 劳动节 holiday (05-01..05-05): rolled forward to 05-06.
    expect(deadline_row(page, "petition.handling")).to_contain_text("2026-05-06")
    expect(page.get_by_test_id("documents")).to_contain_text("受理告知书")

    form = open_step(page, Action.REQUEST_EXTENSION)
    expect(form.get_by_label("申请延长（日）")).to_have_value("30")
    form.get_by_label("延期理由").fill("涉及多个分包单位，需调取工程款支付凭证。")
    with page.expect_navigation():
        form.get_by_role("button", name="申请延期").click()
    expect(page.get_by_test_id("pending-extension")).to_contain_text("延长30日")
    expect(page.locator("details.step[data-step='extend']")).to_have_count(0)  # not the handler's to approve
    sign_out(page)

    sign_in(
        page, base_url, "head", PASSWORD
    )  # the city office's head sees the request but may not approve it
    page.goto(url)
    expect(page.get_by_test_id("pending-extension")).to_contain_text("涉及多个分包单位")
    expect(page.locator("details.step[data-step='extend']")).to_have_count(0)
    sign_out(page)

    sign_in(page, base_url, "handler_head_a", PASSWORD)  # the handling unit's own head (第三十四条)
    page.goto(url)
    expect(page.get_by_test_id("pending-extension")).to_contain_text("涉及多个分包单位")
    form = open_step(page, Action.EXTEND)
    expect(form.get_by_label("延长（日）")).to_have_value("30")  # the request's values, ready to approve
    expect(form.get_by_label("延期理由（告知信访人）")).to_have_value(
        "涉及多个分包单位，需调取工程款支付凭证。"
    )
    with page.expect_navigation():
        form.get_by_role("button", name="批准延期").click()
    expect(page.get_by_test_id("pending-extension")).to_have_count(0)
    handling = deadline_row(page, "petition.handling")
    # Same start, 60 + 30 = 90 日: 05-31 is a Sunday, so the last day is Monday 06-01.
    expect(handling).to_contain_text("延30日")
    expect(handling).to_contain_text("2026-06-01")
    expect(page.get_by_test_id("documents")).to_contain_text("延期告知书")
    sign_out(page)

    sign_in(page, base_url, "handler_a", PASSWORD)
    page.goto(url)
    form = open_step(page, Action.REPLY)
    form.locator("select[name=reply-outcome]").select_option(label="予以支持")
    form.get_by_label("处理意见书正文").fill("经核实，责令施工单位于三十日内结清所欠工资。")
    with page.expect_navigation():
        form.get_by_role("button", name="出具处理意见").click()
    expect(page.get_by_test_id("item-status")).to_have_text("已作出处理意见")
    expect(deadline_row(page, "petition.handling")).to_contain_text("按期完成 03-02")
    expect(page.get_by_test_id("documents")).to_contain_text("信访处理意见书")
    timeline = page.get_by_test_id("timeline")
    for step in ("受理", "申请延期", "批准延期", "出具处理意见"):
        expect(timeline).to_contain_text(step)
    item.refresh_from_db()
    assert (item.status, item.accepted_on, item.replied_on, item.outcome) == (
        Status.REPLIED,
        TODAY,
        TODAY,
        "supported",
    )
    handling_clock = Deadline.objects.get(
        subject_type=ITEM_SUBJECT, subject_id=item.pk, rule_id="petition.handling"
    )
    assert (handling_clock.due_on, handling_clock.extension_days, handling_clock.met_on) == (
        date(2026, 6, 1),
        30,
        TODAY,
    )

    # Not delivered yet: the 复查 window runs from the presumed delivery day 03-09 (issue + 7), + 30 日 → 04-08.
    reply_row = page.get_by_test_id("documents").locator("tr", has_text="信访处理意见书")
    expect(reply_row.get_by_test_id("presumed-delivery")).to_have_text(
        "未登记送达，按推定送达日 2026-03-09 起算复查期限"
    )
    expect(deadline_row(page, "petition.review_window")).to_contain_text("2026-04-08")
    reply_row.get_by_label("送达方式").select_option(label="邮寄送达")
    reply_row.get_by_label("送达对象（签收人）").fill("王某某")
    with page.expect_navigation():
        reply_row.get_by_role("button", name="登记送达").click()
    # refused at the row, which keeps the method and the receiver: only the missing number is typed
    reply_row = page.get_by_test_id("documents").locator("tr", has_text="信访处理意见书")
    expect(reply_row.get_by_test_id("delivery-error")).to_have_text("邮件单号：邮寄送达须填写邮件单号。")
    expect(reply_row.get_by_test_id("delivery-error")).to_be_focused()
    expect(reply_row.get_by_label("送达方式")).to_have_value("post")
    expect(reply_row.get_by_label("送达对象（签收人）")).to_have_value("王某某")
    reply_row.get_by_label("邮件单号").fill("EMS1234567890CN")
    with page.expect_navigation():
        reply_row.get_by_role("button", name="登记送达").click()
    delivery = reply_row.get_by_test_id("delivery")
    expect(delivery).to_contain_text("邮寄送达 · 签收人 王某某 · 邮件单号 EMS1234567890CN")
    expect(reply_row.get_by_test_id("presumed-delivery")).to_have_count(0)
    # Delivered on 03-02: the window runs again from that day, + 30 日 → 04-01.
    window = Deadline.objects.get(
        subject_type=ITEM_SUBJECT, subject_id=item.pk, rule_id="petition.review_window", status="open"
    )
    assert (window.starts_on, window.due_on) == (TODAY, date(2026, 4, 1))


def test_a_petitioner_queries_with_number_and_code_and_sees_status_and_dates_but_nothing_personal(
    page: Page, base_url: str, personas: Personas, tree: Tree
):
    from django.core.cache import cache

    cache.clear()  # this test's own Redis database: no failed tries left over from an earlier run
    item = register(
        personas.clerk_a,
        summary="建设路工地包工头拖欠工资两万三千元。",
        id_number=WANG_ID,
        received_on=date(2026, 2, 24),
        demand="要求结清工资并赔偿损失。",
    )
    item_assign(
        actor=personas.clerk_a, item_id=item.pk, unit_id=tree.county_a_department.pk, on=date(2026, 2, 25)
    )
    item_accept(actor=personas.handler_a, item_id=item.pk, on=TODAY)
    item.refresh_from_db()

    page.goto(f"{base_url}/query/")
    number = page.get_by_label("信访件编号")
    expect(number).to_be_focused()
    page.keyboard.type(item.number)
    page.keyboard.press("Tab")
    page.keyboard.type("WRONG234")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("query-error")).to_have_text("编号或查询码不正确。")
    expect(page.get_by_test_id("public-status")).to_have_count(0)

    page.get_by_label("查询码").fill(item.query_code.lower())  # typed in lower case, still found
    with page.expect_navigation():
        page.get_by_label("查询码").press("Enter")
    status = page.get_by_test_id("public-status")
    expect(status.get_by_role("heading", level=2)).to_have_text(f"{item.number}：受理（办理中）")
    facts = status.locator(".facts")
    expect(facts).to_contain_text("信访日期2026-02-24")
    expect(facts).to_contain_text("登记日期2026-02-24")
    expect(facts).to_contain_text("受理日期2026-03-02")
    expect(facts).to_contain_text("当前期限2026-05-06")
    expect(facts).to_contain_text("城关区住房和城乡建设局")
    timeline = status.locator(".timeline")
    expect(timeline).to_contain_text("2026-02-25 转送交办")
    expect(timeline).to_contain_text("2026-03-02 受理")

    # the item number is public; it can end in the same digits as the phone number, so it is left out of the check
    text = page.locator("body").inner_text().replace(item.number, "")
    personal = [
        "王秀英",
        WANG_ID,
        WANG_ID[:6],
        WANG_ID[-4:],
        "13803110001",
        "0001",
        "育才小区",
        "拖欠工资两万三千元",
        "赔偿损失",
        "拖欠工资",  # the category says what the matter is about
        personas.handler_a.full_name,
    ]
    assert [value for value in personal if value in text] == []
    expect(page.get_by_test_id("main-nav")).to_have_count(0)  # anonymous: no internal menu

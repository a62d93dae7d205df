"""Browser: the key-case ledger (review, progress and strike-off, Excel export and import), screening reports."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from core.choices import Role
from core.models import User
from ledger.choices import CaseStatus, FocusArea, ReportState, RiskLevel, Source, StrikeOffState
from ledger.models import Finding, KeyCase, ScreeningReport
from ledger.services.keycases import KeyCaseInput, keycase_create, progress_add
from ledger.services.screening import screening_rounds_open
from tests.support.accounts import PASSWORD, Personas, Tree
from tests.support.browser import ARTIFACTS, choose_by_arrows, pick_searchable, sign_in, sign_out, tab_to

# Monday 2 March 2026, 09:00 in Beijing: a plain working day, so every date below is fixed.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
CASE_NUMBER = re.compile(r"ZD2026-\d{4}")


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    """Server-side 'today' is 2026-03-02 (the live server runs in this process, so it sees the same clock)."""
    with time_machine.travel(NOW, tick=True):
        yield


@dataclass
class Cast:
    """The people of these scenes, with names a clerk can type into a searchable box."""

    head: User  # section head of the city: keeps the ledger
    leader: User  # leader of the city: owns the cases made in set-up
    county_leader: User  # 王区长, leader of county A
    handler: User  # handler of county A's housing bureau: the responsible unit's staff
    township_clerk: User  # clerk of 东门街道
    township_handler: User  # handler of 东门街道
    tree: Tree


@pytest.fixture
def cast(personas: Personas, tree: Tree, make_user: Callable[..., User]) -> Cast:
    personas.section_head.full_name = "刘科长"
    personas.section_head.save(update_fields=["full_name"])
    personas.leader.full_name = "孙市长"
    personas.leader.save(update_fields=["full_name"])
    personas.handler_a.full_name = "钱科员"
    personas.handler_a.save(update_fields=["full_name"])
    return Cast(
        head=personas.section_head,
        leader=personas.leader,
        county_leader=make_user(tree.county_a, [Role.LEADER], "leader_a", full_name="王区长"),
        handler=personas.handler_a,
        township_clerk=make_user(tree.township_a, [Role.CLERK], "clerk_dm", full_name="吴登记员"),
        township_handler=make_user(tree.township_a, [Role.HANDLER], "handler_dm", full_name="周干事"),
        tree=tree,
    )


def put_on_ledger(cast: Cast, **overrides: Any) -> KeyCase:
    """Set-up: a case the city section head put on the ledger earlier, through the service."""
    values: dict[str, Any] = {
        "title": "原民办教师要求落实养老待遇",
        "problem": "二十余名原民办教师多次到市集体上访，要求按公办教师标准落实养老保险待遇。",
        "source": Source.CITY_LEADER,
        "risk_level": RiskLevel.HIGH,
        "owner_id": cast.leader.pk,
        "responsible_unit_id": cast.tree.county_a_department.pk,
        "responsible_person_id": cast.handler.pk,
        "measures": "一、逐人核实教龄；二、对照政策测算补缴金额；三、每周面谈一次。",
        "resolve_by": date(2026, 4, 30),
        "group_concerned": "民办教师",
        "head_count": 23,
        "opened_on": date(2026, 2, 2),
    }
    values.update(overrides)
    return keycase_create(actor=cast.head, data=KeyCaseInput(**values))


def report_progress(actor: User, case: KeyCase, on: date, done: str, status: str | None = None) -> None:
    """Set-up: a progress report the responsible unit filed earlier."""
    progress_add(actor=actor, case_id=case.pk, reported_on=on, done=done, status_after=status)


def open_action(page: Page, action: str) -> Locator:
    """Open a step of the case page's 办理 card with the keyboard and return its form."""
    step = page.locator(f"details.step[data-action='{action}']")
    summary = step.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(step).to_have_attribute("open", "")
    return step.locator("form")


def row_numbers(page: Page) -> list[str]:
    return (
        page.get_by_test_id("case-table")
        .locator("tbody tr[data-number]")
        .evaluate_all("rows => rows.map(row => row.dataset.number)")
    )


# --- (1) the section head reviews the ledger ---


def test_a_section_head_sees_overdue_cases_first_and_stale_ones_flagged_filters_and_opens_a_case(
    page: Page, base_url: str, cast: Cast
):
    overdue = put_on_ledger(cast, title="原民办教师要求落实养老待遇", resolve_by=date(2026, 2, 27))
    report_progress(cast.handler, overdue, date(2026, 2, 28), "已逐人核实教龄，测算方案报区政府。")
    resolved = put_on_ledger(
        cast,
        title="退役运动员要求安排工作",
        problem="十一名退役运动员要求按政策安排工作。",
        group_concerned="退役运动员",
        opened_on=date(2026, 1, 10),
        resolve_by=date(2026, 2, 15),
    )
    report_progress(
        cast.handler, resolved, date(2026, 2, 12), "十一人均已安排到体育场馆工作。", CaseStatus.RESOLVED
    )
    stale = put_on_ledger(
        cast,
        title="东门街道建设路征地补偿纠纷",
        problem="建设路拓宽征地，三十户农户认为补偿标准偏低。",
        group_concerned="被征地农户",
        responsible_unit_id=cast.tree.township_a.pk,
        responsible_person_id=cast.township_handler.pk,
        resolve_by=date(2026, 4, 30),
    )
    report_progress(cast.township_handler, stale, date(2026, 2, 10), "召开征地农户座谈会一次。")
    fresh = put_on_ledger(
        cast,
        title="青山县采石场拖欠工资",
        problem="采石场停产，拖欠四十名工人工资。",
        group_concerned="采石场工人",
        responsible_unit_id=cast.tree.county_b.pk,
        responsible_person_id=None,
        opened_on=date(2026, 2, 27),
        resolve_by=date(2026, 3, 20),
    )

    sign_in(page, base_url, "head", PASSWORD)
    page.get_by_test_id("main-nav").get_by_role("link", name="重点台账").click()
    expect(page).to_have_url(f"{base_url}/ledger/")
    expect(page.get_by_role("heading", name="重点信访问题台账")).to_be_visible()
    expect(page.get_by_test_id("case-count")).to_contain_text("共 4 件")
    # Overdue first, although the resolved case's 化解时限 (02-15) is earlier; then by 化解时限.
    assert row_numbers(page) == [overdue.number, resolved.number, fresh.number, stale.number]
    table = page.get_by_test_id("case-table")
    first = table.locator(f"tr[data-number='{overdue.number}']")
    expect(first).to_have_class(re.compile(r"\boverdue\b"))
    expect(first.get_by_test_id("overdue")).to_have_text("超期3日")
    colours = first.get_by_test_id("overdue").evaluate(
        "tag => [getComputedStyle(tag).color, getComputedStyle(tag).backgroundColor]"
    )
    assert colours[0] != colours[1], f"the overdue tag is unreadable: {colours}"
    expect(first).to_contain_text("2026-02-28")  # its last progress
    expect(first.get_by_test_id("stale")).to_have_count(0)
    expect(table.locator(f"tr[data-number='{fresh.number}']")).to_contain_text("剩18日")
    stale_row = table.locator(f"tr[data-number='{stale.number}']")
    expect(stale_row.get_by_test_id("stale")).to_have_text("超7日无进展")
    expect(stale_row).to_contain_text("2026-02-10")
    expect(table.get_by_test_id("stale")).to_have_count(1)
    expect(table.get_by_test_id("overdue")).to_have_count(1)
    expect(table.locator(f"tr[data-number='{resolved.number}']")).to_contain_text("已化解")
    page.screenshot(path=str(ARTIFACTS / "ledger-list.png"), full_page=True)

    # Filter by keyboard: the stale-progress filter, then Enter submits the filter form.
    stale_filter = page.locator("#id_stale")
    stale_filter.focus()
    page.keyboard.press("ArrowDown")  # 未知 → 是
    expect(stale_filter).to_have_value("true")
    with page.expect_navigation():
        page.locator("#id_q").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]stale=true"))
    expect(page.get_by_test_id("case-count")).to_contain_text("共 1 件")
    assert row_numbers(page) == [stale.number]
    expect(page.locator("#id_stale")).to_have_value("true")  # the filter stays as chosen

    page.get_by_role("link", name="清除").click()
    expect(page.get_by_test_id("case-count")).to_contain_text("共 4 件")
    page.locator("#id_q").fill("民办教师")
    with page.expect_navigation():
        page.locator("#id_q").press("Enter")
    assert row_numbers(page) == [overdue.number]
    page.get_by_role("link", name="清除").click()

    link = page.get_by_role("link", name=stale.number)
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/ledger/{stale.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{stale.number} 东门街道建设路征地补偿纠纷")
    expect(page.get_by_test_id("case-status")).to_have_text("未化解")
    expect(page.get_by_test_id("stale-badge")).to_have_text("超7日无进展")
    expect(page.get_by_test_id("overdue-badge")).to_have_count(0)
    expect(page.get_by_test_id("case-deadline")).to_contain_text("2026-04-30")
    expect(page.get_by_test_id("case-deadline")).to_contain_text("剩59日")
    expect(page.get_by_test_id("case-owner")).to_contain_text("孙市长")
    expect(page.get_by_test_id("progress-timeline")).to_contain_text("召开征地农户座谈会一次。")


# --- (2) progress to 已化解, strike-off requested and approved ---


def test_the_responsible_unit_resolves_and_asks_for_strike_off_and_the_section_head_approves_it(
    page: Page, base_url: str, cast: Cast
):
    case = put_on_ledger(cast)
    report_progress(cast.handler, case, date(2026, 2, 23), "已逐人核实教龄。")
    url = f"{base_url}/ledger/{case.pk}/"

    sign_in(page, base_url, "handler_a", PASSWORD)
    page.goto(url)
    expect(page.get_by_test_id("case-status")).to_have_text("未化解")
    expect(page.locator("details.step[data-action='strike_off_request']")).to_have_count(
        0
    )  # not resolved yet
    form = open_action(page, "progress")
    reported_on = form.get_by_label("进展日期")
    expect(reported_on).to_have_value("2026-03-02")
    tab_to(page, reported_on, limit=1)
    done = form.get_by_label("工作进展")
    tab_to(page, done, limit=4)  # past the date's parts and its picker
    tab_to(page, form.get_by_label("下一步措施"), limit=1)  # the clerk skips 工作进展 by mistake …
    page.keyboard.type("跟踪回访三个月。")
    status = form.get_by_label("化解状态")
    tab_to(page, status, limit=1)
    choose_by_arrows(page, status, CaseStatus.RESOLVED)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    # … and the page comes back with the step open, the error at the field, its focus there, nothing lost.
    form = page.locator("details.step[data-action='progress'][open] form")
    expect(page.get_by_test_id("error-progress-done")).to_be_visible()
    done = form.get_by_label("工作进展")
    expect(done).to_be_focused()
    expect(form.get_by_label("下一步措施")).to_have_value("跟踪回访三个月。")
    expect(form.get_by_label("化解状态")).to_have_value(CaseStatus.RESOLVED)
    expect(page.get_by_test_id("case-status")).to_have_text("未化解")
    page.keyboard.type("二十三人补缴方案经区政府常务会通过，养老待遇已于三月起按月发放，群众签字认可。")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text("已完成：报送进展")
    expect(page.get_by_test_id("case-status")).to_have_text("已化解")
    timeline = page.get_by_test_id("progress-timeline")
    expect(timeline.locator("li").first).to_contain_text("状态 未化解 → 已化解")
    expect(timeline.locator("li").first).to_contain_text("养老待遇已于三月起按月发放")

    form = open_action(page, "strike_off_request")
    expect(form.get_by_label("申请日期")).to_have_value("2026-03-02")
    form.get_by_label("销号理由").fill("问题已化解，群众签字认可，申请销号。")
    with page.expect_navigation():
        form.get_by_label("销号理由").press("Control+Enter")
    expect(page.get_by_test_id("pending-strike-off")).to_contain_text("问题已化解，群众签字认可，申请销号。")
    expect(page.locator("details.step[data-action='strike_off_request']")).to_have_count(0)  # one at a time
    expect(page.locator("details.step[data-action='strike_off_decide']")).to_have_count(0)  # not theirs
    sign_out(page)

    sign_in(page, base_url, "head", PASSWORD)
    page.goto(url)
    expect(page.get_by_test_id("pending-strike-off")).to_contain_text("钱科员 2026-03-02 申请")
    form = open_action(page, "strike_off_decide")
    expect(form.get_by_label("批准销号")).to_be_checked()  # approving is the default
    expect(form.get_by_label("审批日期")).to_have_value("2026-03-02")
    form.get_by_label("审批意见说明（退回时必填）").fill("经回访核实，同意销号。")
    with page.expect_navigation():
        form.get_by_role("button", name="审批销号").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已销号")
    expect(page.get_by_test_id("pending-strike-off")).to_have_count(0)
    expect(page.get_by_test_id("strike-off-requests")).to_contain_text(
        "已批准（刘科长 2026-03-02：经回访核实，同意销号。）"
    )
    expect(page.get_by_test_id("case-facts")).to_contain_text("销号日期2026-03-02")
    expect(page.locator("details.step[data-action='progress']")).to_have_count(0)  # final: no more progress

    case.refresh_from_db()
    assert (case.status, case.resolved_on, case.struck_off_on, case.last_progress_on) == (
        CaseStatus.STRUCK_OFF,
        TODAY,
        TODAY,
        TODAY,
    )
    request = case.strike_off_requests.get()
    assert (request.state, request.requested_by, request.decided_by) == (
        StrikeOffState.APPROVED,
        cast.handler,
        cast.head,
    )


# --- (3) Excel export, then an import with one bad row ---

EXPORT_HEADERS = [
    "编号",
    "问题名称",
    "问题概况",
    "涉及群体",
    "涉及人数",
    "来源",
    "风险等级",
    "包案领导",
    "责任单位",
    "责任人",
    "稳控单位",
    "化解措施",
    "化解时限",
    "化解状态",
    "最近进展",
    "关联信访件数",
]
IMPORT_HEADERS = [
    "问题名称",
    "问题概况",
    "涉及群体",
    "涉及人数",
    "来源",
    "风险等级",
    "包案领导",
    "责任单位",
    "责任人",
    "稳控单位",
    "化解措施",
    "化解时限",
]


def test_a_section_head_exports_the_ledger_and_an_import_with_one_unknown_unit_is_refused_by_row_and_column(
    page: Page, base_url: str, cast: Cast, tmp_path
):
    case = put_on_ledger(cast, stabilizing_unit_id=cast.tree.county_a.pk)
    report_progress(cast.handler, case, date(2026, 2, 23), "已逐人核实教龄。")
    put_on_ledger(
        cast,
        title="青山县采石场拖欠工资",
        problem="采石场停产，拖欠四十名工人工资。",
        measures='=HYPERLINK("http://example.com")',  # typed by someone; must stay text in the export
        responsible_unit_id=cast.tree.county_b.pk,
        responsible_person_id=None,
    )

    sign_in(page, base_url, "head", PASSWORD)
    page.goto(f"{base_url}/ledger/")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-link").click()
    download = download_info.value
    assert download.suggested_filename == "重点信访问题台账_2026-03-02.xlsx"
    exported = tmp_path / "export.xlsx"
    download.save_as(exported)
    sheet = load_workbook(exported)["重点信访问题台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 3
    by_number = {row[0]: dict(zip(EXPORT_HEADERS, row, strict=True)) for row in rows[1:]}
    row = by_number[case.number]
    assert (row["问题名称"], row["涉及群体"], row["涉及人数"], row["风险等级"]) == (
        "原民办教师要求落实养老待遇",
        "民办教师",
        23,
        "高",
    )
    assert (row["包案领导"], row["责任单位"], row["责任人"], row["稳控单位"]) == (
        "孙市长",
        "城关区住房和城乡建设局",
        "钱科员",
        "城关区",
    )
    assert row["化解措施"] == "一、逐人核实教龄；二、对照政策测算补缴金额；三、每周面谈一次。"
    assert (row["化解时限"], row["化解状态"], row["最近进展"]) == (
        datetime(2026, 4, 30),
        "未化解",
        "2026-02-23 已逐人核实教龄。",
    )
    formula_row = next(r for number, r in by_number.items() if number != case.number)
    assert formula_row["化解措施"] == '=HYPERLINK("http://example.com")'  # text, not a formula
    formula_cell = next(c for c in sheet["L"] if c.value == formula_row["化解措施"])
    assert formula_cell.data_type == "s"

    page.get_by_test_id("import-link").click()
    expect(page.get_by_role("heading", name="导入重点信访问题台账")).to_be_visible()
    file_input = page.locator("#id_file")
    expect(file_input).to_be_focused()  # the page opens on its only field
    with page.expect_download() as download_info:
        page.get_by_test_id("template-link").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == IMPORT_HEADERS
    assert str(sheet["A2"].value).startswith("【示例】")  # the example row stays; it is never imported
    sheet.append(
        [
            "建设路小区业主要求办理不动产权证",
            "三百余户业主因开发商欠缴土地出让金无法办证。",
            "小区业主",
            320,
            "矛盾纠纷排查",
            "中",
            "孙市长",
            "东门街道",
            "周干事",
            "",
            "督促开发商补缴出让金，分批办证。",
            date(2026, 6, 30),
        ]
    )
    sheet.append(
        [
            "西城区供暖费纠纷",
            "小区供暖不达标，业主拒缴供暖费。",
            "",
            45,
            "上级交办",
            "低",
            "孙市长",
            "西城区住房和城乡建设局",
            "",
            "",
            "约谈供热公司。",
            date(2026, 5, 31),
        ]
    )
    filled = tmp_path / "建设路台账.xlsx"
    workbook.save(filled)
    cases_before = KeyCase.objects.count()

    file_input.focus()  # back on the field after the template download …
    file_input.set_input_files(
        str(filled)
    )  # … the operating system's file chooser is out of the page's reach
    upload = page.get_by_test_id("import-upload")
    tab_to(page, upload, limit=1)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("建设路台账.xlsx")
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("共 2 行：无误 1 行，有错误 1 行")
    expect(summary).to_contain_text("跳过示例行（第2行）")
    errors = page.get_by_test_id("import-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    error = errors.first
    expect(error).to_have_attribute("data-row", "4")
    expect(error).to_have_attribute("data-column", "责任单位")
    expect(error).to_contain_text("第4行")
    expect(error).to_contain_text("西城区住房和城乡建设局")
    expect(error).to_contain_text("不是本单位或下级单位")
    assert KeyCase.objects.count() == cases_before  # checking writes nothing

    # Importing without ticking 只导入无误的行: refused, and still nothing on the ledger.
    expect(page.get_by_test_id("only-valid")).not_to_be_checked()
    with page.expect_navigation():
        page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-refusal")).to_contain_text("有1行存在错误，未导入任何数据")
    expect(page.get_by_test_id("import-errors").locator("tr[data-row='4']")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ledger-import-refused.png"), full_page=True)
    assert KeyCase.objects.count() == cases_before
    assert not KeyCase.objects.filter(
        title__in=["建设路小区业主要求办理不动产权证", "西城区供暖费纠纷"]
    ).exists()


# --- (4) a township files a zero report ---


def test_a_township_clerk_files_a_zero_report_and_the_round_page_shows_the_township_as_filed(
    page: Page, base_url: str, cast: Cast
):
    screening_rounds_open(today=TODAY)  # what Celery beat does on the first working day of the period
    report = ScreeningReport.objects.get(unit=cast.tree.township_a)
    assert (report.round.frequency, report.round.period_start, report.round.period_end) == (
        "half_monthly",
        date(2026, 3, 1),
        date(2026, 3, 15),
    )

    sign_in(page, base_url, "clerk_dm", PASSWORD)
    page.get_by_test_id("main-nav").get_by_role("link", name="矛盾排查").click()
    expect(page.get_by_role("heading", name="矛盾纠纷排查")).to_be_visible()
    pending = page.get_by_test_id("pending-screening")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("排查报告 · 每半月 2026-03-01至2026-03-15")
    pending.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("排查报告：东门街道")
    expect(page.get_by_test_id("report-state")).to_have_text("未报送")

    zero = page.get_by_label("零报告（本期未排查出矛盾纠纷）")
    expect(zero).to_be_focused()  # the form opens on its first field
    page.keyboard.press("Space")
    expect(zero).to_be_checked()
    tab_to(page, page.get_by_label("排查情况"), limit=1)
    page.keyboard.type("对辖区十二个村（社区）逐一排查，未发现矛盾纠纷。")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    expect(page.locator(".messages")).to_contain_text("排查报告已报送。")
    expect(page.get_by_test_id("report-state")).to_have_text("已报送")
    expect(page.locator(".facts")).to_contain_text("2026-03-02 吴登记员")
    expect(page.locator(".facts")).to_contain_text("零报告是")

    page.locator(".breadcrumb").get_by_role("link", name="每半月 2026-03-01").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("每半月排查 2026-03-01 至 2026-03-15")
    filed = page.get_by_test_id("filed-units").locator("li[data-unit='东门街道']")
    expect(filed).to_contain_text("2026-03-02 · 零报告")
    expect(page.get_by_test_id("missing-units")).to_contain_text("无")
    expect(page.get_by_test_id("late-units")).to_contain_text("无")

    report.refresh_from_db()
    assert (report.state, report.is_zero, report.filed_on, report.filed_by) == (
        ReportState.FILED,
        True,
        TODAY,
        cast.township_clerk,
    )
    assert not report.findings.exists()


# --- (5) a finding promoted to a key case ---


FINDING = "建设路拓宽工程征地，三十户农户认为补偿标准低于邻村，扬言到市集体上访。"


def test_a_unit_reports_a_finding_and_a_section_head_promotes_it_to_a_key_case_in_one_step(
    page: Page, base_url: str, cast: Cast
):
    screening_rounds_open(today=TODAY)
    report = ScreeningReport.objects.get(unit=cast.tree.township_a)

    sign_in(page, base_url, "handler_dm", PASSWORD)
    page.goto(f"{base_url}/ledger/screening/reports/{report.pk}/")
    expect(page.get_by_label("零报告（本期未排查出矛盾纠纷）")).to_be_focused()
    # Alt+A is the button's access key; Chromium only honours access keys from the real keyboard, so Tab to it.
    tab_to(page, page.get_by_role("button", name="增加一条发现（Alt+A）"), limit=2)
    page.keyboard.press("Enter")
    description = page.locator("#id_findings-0-description")
    expect(description).to_be_focused()  # the new row takes the focus
    page.keyboard.type(FINDING)
    tab_to(page, page.locator("#id_findings-0-focus_area"), limit=1)
    choose_by_arrows(page, page.locator("#id_findings-0-focus_area"), FocusArea.LAND)
    tab_to(page, page.locator("#id_findings-0-risk_level"), limit=1)
    choose_by_arrows(page, page.locator("#id_findings-0-risk_level"), RiskLevel.HIGH)
    tab_to(page, page.locator("#id_findings-0-head_count"), limit=1)
    page.keyboard.press("Control+a")
    page.keyboard.type("30")
    tab_to(page, page.locator("#id_findings-0-parties"), limit=1)
    page.keyboard.type("建设路村民小组")
    tab_to(page, page.locator("#id_findings-0-location"), limit=8)  # past the 省/市/县/乡 picker
    page.keyboard.type("建设路村三组")
    tab_to(page, page.locator("#id_findings-0-measures"), limit=1)
    page.keyboard.type("街道包村干部逐户做工作，已向区自然资源局反映补偿标准。")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    expect(page.locator(".messages")).to_contain_text("排查报告已报送。")
    expect(page.get_by_test_id("report-state")).to_have_text("已报送")
    findings = page.get_by_test_id("finding-table").locator("tbody tr")
    expect(findings).to_have_count(1)
    expect(findings.first).to_contain_text("征地")
    expect(findings.first).to_contain_text("建设路村民小组")
    finding = Finding.objects.get()
    assert (finding.report, finding.focus_area, finding.risk_level, finding.head_count) == (
        report,
        FocusArea.LAND,
        RiskLevel.HIGH,
        30,
    )
    sign_out(page)

    sign_in(page, base_url, "head", PASSWORD)
    page.goto(f"{base_url}/ledger/screening/")
    page.get_by_role("link", name="排查发现").click()
    row = page.get_by_test_id("finding-table").locator("tbody tr").first
    expect(row).to_contain_text("东门街道")
    row.get_by_test_id("promote-link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("排查发现列入台账")
    expect(page.get_by_test_id("finding-source")).to_contain_text("来自排查发现：东门街道（2026-03-01起）")
    title = page.locator("#id_title")
    expect(title).to_be_focused()
    # Filled in from the finding: the section head only adds who owns it, who runs it and by when.
    expect(title).to_have_value(FINDING[:30])
    expect(page.locator("#id_problem")).to_have_value(FINDING)
    expect(page.locator("#id_source")).to_have_value(Source.SCREENING)
    expect(page.locator("#id_source")).to_be_disabled()
    expect(page.locator("#id_source_note")).to_have_value("东门街道排查（2026-03-01起）")
    expect(page.locator("#id_risk_level")).to_have_value(RiskLevel.HIGH)
    expect(page.locator("#id_head_count")).to_have_value("30")
    expect(page.locator("#id_measures")).to_have_value(
        "街道包村干部逐户做工作，已向区自然资源局反映补偿标准。"
    )
    expect(page.locator("#id_opened_on")).to_have_value("2026-03-02")

    page.keyboard.press("Control+a")
    page.keyboard.type("建设路拓宽工程征地补偿纠纷")
    tab_to(page, page.locator("#id_group_concerned"), limit=1)
    page.keyboard.type("被征地农户")
    tab_to(page, page.locator("#id_owner-ts-control"), limit=6)
    pick_searchable(page, "owner", "王区长", "王区长（城关区）")
    tab_to(page, page.locator("#id_responsible_unit-ts-control"), limit=1)
    pick_searchable(page, "responsible_unit", "东门", "东门街道")
    tab_to(page, page.locator("#id_responsible_person-ts-control"), limit=1)
    pick_searchable(page, "responsible_person", "周干事", "周干事（东门街道）")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")  # 化解时限 forgotten

    resolve_by = page.locator("#id_resolve_by")
    expect(page.get_by_test_id("error-resolve_by")).to_be_visible()
    expect(resolve_by).to_be_focused()
    assert KeyCase.objects.count() == 0
    expect(page.locator("#id_title")).to_have_value("建设路拓宽工程征地补偿纠纷")
    expect(page.locator("#id_group_concerned")).to_have_value("被征地农户")
    expect(page.locator("#id_owner")).to_have_value(str(cast.county_leader.pk))
    expect(page.locator("#id_responsible_unit")).to_have_value(str(cast.tree.township_a.pk))
    expect(page.locator("#id_responsible_person")).to_have_value(str(cast.township_handler.pk))
    expect(page.locator("#id_source")).to_have_value(Source.SCREENING)
    expect(page.get_by_test_id("finding-source")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ledger-promote-refused.png"), full_page=True)
    # The order of a date field's parts follows the operating system's locale, not the page's: fill it.
    resolve_by.fill("2026-05-31")
    expect(resolve_by).to_have_value("2026-05-31")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    case = KeyCase.objects.get()
    expect(page).to_have_url(f"{base_url}/ledger/{case.pk}/")
    assert CASE_NUMBER.fullmatch(case.number)
    expect(page.locator(".messages")).to_contain_text(f"已列入台账：{case.number}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{case.number} 建设路拓宽工程征地补偿纠纷")
    expect(page.get_by_test_id("case-status")).to_have_text("未化解")
    facts = page.get_by_test_id("case-facts")
    expect(facts).to_contain_text("矛盾纠纷排查（东门街道排查（2026-03-01起））")
    expect(page.get_by_test_id("case-owner")).to_contain_text("王区长（城关区）")
    expect(page.get_by_test_id("case-problem")).to_have_text(FINDING)
    expect(page.get_by_test_id("case-deadline")).to_contain_text("2026-05-31")
    finding.refresh_from_db()
    assert finding.promoted_case == case
    assert (case.source, case.owner, case.responsible_unit, case.responsible_person, case.office) == (
        Source.SCREENING,
        cast.county_leader,
        cast.tree.township_a,
        cast.township_handler,
        cast.tree.city,
    )
    assert (case.risk_level, case.head_count, case.group_concerned, case.resolve_by) == (
        RiskLevel.HIGH,
        30,
        "被征地农户",
        date(2026, 5, 31),
    )

    page.goto(f"{base_url}/ledger/screening/findings/")
    expect(page.get_by_test_id("finding-table").get_by_role("link", name=case.number)).to_be_visible()
    expect(page.get_by_test_id("promote-link")).to_have_count(0)  # promoted once only

"""Excel export and import of the key-case ledger: layout and print settings, formula escaping, scoping,
the import template, row-by-row validation, all-or-nothing import, import of only the valid rows, audit."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.errors import DomainError
from core.models import AuditEvent, User
from ledger import excel
from ledger.choices import CaseStatus, RiskLevel, Source
from ledger.models import KeyCase
from ledger.services import importing
from ledger.services.keycases import progress_add
from petitions.services.intake import item_register
from tests.support.helpers import travel_to
from tests.support.items import intake_input
from tests.support.keycases import LedgerCast

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # a Monday
EXPORT_HEADERS = [column.header for column in excel.EXPORT_COLUMNS]
IMPORT_HEADERS = [column.header for column in excel.IMPORT_COLUMNS]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with travel_to(TODAY):
        yield


def workbook_of(response: Any) -> openpyxl.Workbook:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(body))


def sheet_rows(ws: Any) -> list[dict[str, Any]]:
    headers = [cell.value for cell in ws[1]]
    return [dict(zip(headers, (cell.value for cell in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def export(client: Client, query: str = "") -> Any:
    return client.get(reverse("ledger:export") + (f"?{query}" if query else ""))


# --- export ---


def test_export_has_chinese_headers_frozen_header_widths_and_a4_landscape_print_setup(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    make_case()
    response = export(client_for(ledger_cast.head))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.CONTENT_TYPE
    ws = workbook_of(response)[excel.SHEET_TITLE]
    assert [cell.value for cell in ws[1]] == EXPORT_HEADERS
    assert EXPORT_HEADERS[:2] == ["编号", "问题名称"]
    assert {
        "包案领导",
        "责任单位",
        "责任人",
        "稳控单位",
        "化解措施",
        "化解时限",
        "化解状态",
        "最近进展",
    } <= set(EXPORT_HEADERS)
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, 17)]
    assert widths == [column.width for column in excel.EXPORT_COLUMNS]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"


def test_export_row_shows_owner_units_person_measures_deadline_status_latest_progress_and_item_count(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    personas = ledger_cast.personas
    item = item_register(actor=personas.clerk_a, data=intake_input(received_on=TODAY - timedelta(days=3)))
    case = make_case(
        stabilizing_unit_id=ledger_cast.tree.township_a.pk,
        item_ids=[item.pk],
        opened_on=TODAY - timedelta(days=10),
        resolve_by=TODAY + timedelta(days=50),
    )
    progress_add(
        actor=ledger_cast.handler,
        case_id=case.pk,
        reported_on=TODAY - timedelta(days=8),
        done="第一次走访。",
        status_after=CaseStatus.RESOLVING,
    )
    progress_add(
        actor=ledger_cast.handler,
        case_id=case.pk,
        reported_on=TODAY - timedelta(days=1),
        done="召开协调会，形成补缴方案。",
        status_after=CaseStatus.STABILIZED,
    )
    ws = workbook_of(export(client_for(ledger_cast.head)))[excel.SHEET_TITLE]
    [row] = sheet_rows(ws)
    assert row["编号"] == case.number
    assert row["问题名称"] == "原民办教师要求落实养老待遇"
    assert row["涉及群体"] == "民办教师"
    assert row["涉及人数"] == 23
    assert row["来源"] == "市级领导包案"
    assert row["风险等级"] == "高"
    assert row["包案领导"] == ledger_cast.leader.full_name
    assert row["责任单位"] == "城关区住房和城乡建设局"
    assert row["责任人"] == ledger_cast.handler.full_name
    assert row["稳控单位"] == "东门街道"
    assert row["化解措施"].startswith("一、逐人核实教龄")
    assert row["化解时限"].date() == TODAY + timedelta(days=50)
    assert ws["M2"].number_format == excel.DATE_FORMAT
    assert row["化解状态"] == "稳控"
    assert row["最近进展"] == "2026-11-22 召开协调会，形成补缴方案。"
    assert row["关联信访件数"] == 1


DANGEROUS = [
    '=HYPERLINK("http://evil.example","点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "  =1+1",
    "\u3000@SUM(1)",
]


@pytest.mark.parametrize("value", DANGEROUS, ids=["eq", "plus", "minus", "at", "tab", "spaces", "fullwidth"])
def test_export_writes_formula_like_text_as_a_quoted_text_cell(value: str, tmp_path: Path):
    row = {
        "number": "ZD2026-0001",
        "title": value,
        "problem": "概况",
        "group_concerned": value,
        "head_count": 3,
        "source": Source.OTHER,
        "risk_level": RiskLevel.LOW,
        "resolve_by": TODAY,
        "status": CaseStatus.UNRESOLVED,
        "item_count": 0,
        "latest_progress_on": None,
        "latest_progress_done": None,
        "owner__full_name": value,
        "responsible_unit__name": "城关区",
        "responsible_person__full_name": None,
        "stabilizing_unit__name": None,
    }
    path = tmp_path / "out.xlsx"
    excel.write_ledger([row], path)
    ws = openpyxl.load_workbook(path)[excel.SHEET_TITLE]
    for header in ("问题名称", "涉及群体", "包案领导"):
        cell = ws.cell(row=2, column=EXPORT_HEADERS.index(header) + 1)
        assert cell.data_type == "s"
        assert cell.value == value
        assert cell.quotePrefix is True
    ordinary = ws.cell(row=2, column=EXPORT_HEADERS.index("责任单位") + 1)
    assert (ordinary.value, ordinary.data_type, ordinary.quotePrefix) == ("城关区", "s", False)


def test_export_drops_nul_and_keeps_what_follows_as_text(tmp_path: Path):
    path = tmp_path / "out.xlsx"
    ws = openpyxl.Workbook(write_only=True).create_sheet("x")
    cell = excel.text_cell(ws, "\x00=1+1")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet("x")
    sheet.append([excel.text_cell(sheet, "\x00=1+1"), excel.text_cell(sheet, " \x00@x")])
    wb.save(path)
    reread = openpyxl.load_workbook(path)["x"]
    assert [(c.value, c.data_type, c.quotePrefix) for c in reread[1]] == [
        ("=1+1", "s", True),
        (" @x", "s", True),
    ]


def test_export_of_a_crafted_case_through_the_page_keeps_the_formula_as_text(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    make_case(title='=HYPERLINK("http://evil.example")', measures="@SUM(1+1)*cmd")
    ws = workbook_of(export(client_for(ledger_cast.head)))[excel.SHEET_TITLE]
    for header, expected in (
        ("问题名称", '=HYPERLINK("http://evil.example")'),
        ("化解措施", "@SUM(1+1)*cmd"),
    ):
        cell = ws.cell(row=2, column=EXPORT_HEADERS.index(header) + 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (expected, "s", True)


def test_export_filename_is_dated_and_rfc5987_encoded(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    response = export(client_for(ledger_cast.head))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" + quote("重点信访问题台账_2026-11-23.xlsx") in disposition


def test_export_contains_only_cases_the_user_sees(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    in_a = make_case(title="城关区的问题")
    in_b = make_case(
        title="青山县的问题",
        owner_id=ledger_cast.leader.pk,
        responsible_unit_id=ledger_cast.tree.county_b.pk,
        responsible_person_id=None,
    )

    def numbers(user: User) -> set[str]:
        ws = workbook_of(export(client_for(user)))[excel.SHEET_TITLE]
        return {row["编号"] for row in sheet_rows(ws)}

    assert numbers(ledger_cast.head) == {in_a.number, in_b.number}
    assert numbers(ledger_cast.county_head) == {in_a.number}
    assert numbers(ledger_cast.county_b_head) == {in_b.number}
    assert numbers(ledger_cast.township_clerk) == set()


def test_export_applies_the_ledger_page_filters(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    high = make_case(title="高风险问题", risk_level=RiskLevel.HIGH)
    make_case(title="低风险问题", risk_level=RiskLevel.LOW)
    ws = workbook_of(export(client_for(ledger_cast.head), "risk_level=high"))[excel.SHEET_TITLE]
    assert [row["编号"] for row in sheet_rows(ws)] == [high.number]


def test_each_export_is_recorded_with_its_row_count_and_filters(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    make_case(title="高风险问题", risk_level=RiskLevel.HIGH)
    make_case(title="低风险问题", risk_level=RiskLevel.LOW)
    export(client_for(ledger_cast.head), "risk_level=high")
    event = AuditEvent.objects.get(action="ledger.export.downloaded")
    assert (event.actor, event.detail["rows"], event.detail["filters"]) == (
        ledger_cast.head,
        1,
        "risk_level=high",
    )


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_admin_roles_may_not_export(role: str, ledger_cast: LedgerCast, client_for: Callable[..., Client]):
    user = getattr(ledger_cast.personas, role)
    assert export(client_for(user)).status_code == 403


def test_anonymous_export_goes_to_sign_in(client_for: Callable[..., Client]):
    response = export(client_for(None))
    assert response.status_code == 302
    assert "/login" in response["Location"]


# --- import template ---


def test_template_has_importable_headers_an_example_row_and_a_notes_sheet(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    response = client_for(ledger_cast.county_head).get(reverse("ledger:import_template"))
    assert response.status_code == 200
    assert "filename*=utf-8''" + quote("重点信访问题台账_导入模板.xlsx") in response["Content-Disposition"]
    wb = workbook_of(response)
    assert wb.sheetnames == [excel.SHEET_TITLE, excel.NOTES_TITLE]
    ws = wb[excel.SHEET_TITLE]
    assert [cell.value for cell in ws[1]] == IMPORT_HEADERS
    assert ws.freeze_panes == "A2"
    [example] = sheet_rows(ws)
    assert example["问题名称"].startswith(excel.EXAMPLE_MARK)
    assert example["责任单位"] == "城关区"
    notes = "\n".join(str(c.value) for row in wb[excel.NOTES_TITLE].iter_rows() for c in row if c.value)
    assert "东门街道" in notes  # a unit the head may name
    assert "王区长（leader_a）" in notes  # a leader the head may name
    assert "青山县" not in notes  # nor a unit outside the head's subtree


def test_the_untouched_template_imports_nothing_and_says_the_example_row_was_skipped(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    client = client_for(ledger_cast.county_head)
    body = client.get(reverse("ledger:import_template")).content
    preview = client.get(upload(client, body)["Location"])
    check = preview.context["check"]
    assert check.example_rows == [2]
    assert check.file_errors == ["表格中没有可导入的数据行。"]


# --- import ---


def good_row(cast: LedgerCast, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "问题名称": "某小区业主要求办理不动产权证",
        "问题概况": "三百余户业主因开发商欠缴土地出让金无法办证。",
        "涉及群体": "小区业主",
        "涉及人数": 320,
        "来源": "矛盾纠纷排查",
        "风险等级": "中",
        "包案领导": "王区长",
        "责任单位": "城关区住房和城乡建设局",
        "责任人": "handler_a",
        "稳控单位": "东门街道",
        "化解措施": "督促补缴，分批办证。",
        "化解时限": date(2027, 3, 31),
    }
    row.update(overrides)
    return row


def xlsx(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    headers = headers or IMPORT_HEADERS
    ws.append(headers)
    for row in rows:
        ws.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client: Client, body: bytes, name: str = "台账.xlsx") -> Any:
    return client.post(reverse("ledger:import"), {"file": SimpleUploadedFile(name, body)})


def preview_of(client: Client, body: bytes) -> tuple[str, Any]:
    response = upload(client, body)
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    return url, client.get(url)


def test_import_of_all_valid_rows_puts_them_on_the_ledger_in_one_audited_import(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    client = client_for(ledger_cast.county_head)
    body = xlsx(
        [
            good_row(ledger_cast),
            good_row(
                ledger_cast,
                问题名称="原民办教师要求落实养老待遇",
                包案领导="leader",
                风险等级="高风险",
                来源="省级领导包案督查",
                化解时限="2027/1/15",
                责任人="",
                稳控单位=None,
                涉及人数="23人",
            ),
        ]
    )
    url, preview = preview_of(client, body)
    assert preview.status_code == 200
    check = preview.context["check"]
    assert (len(check.valid), len(check.invalid), check.file_errors) == (2, 0, [])
    assert "确认导入 2 行" in preview.content.decode()
    assert not KeyCase.objects.exists()  # the preview writes nothing

    response = client.post(url, {"action": "import"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:case_list")
    first, second = KeyCase.objects.order_by("id")
    assert (first.title, first.owner, first.responsible_unit, first.responsible_person) == (
        "某小区业主要求办理不动产权证",
        ledger_cast.county_leader,
        ledger_cast.tree.county_a_department,
        ledger_cast.handler,
    )
    assert (first.stabilizing_unit, first.head_count, first.source, first.risk_level) == (
        ledger_cast.tree.township_a,
        320,
        Source.SCREENING,
        RiskLevel.MEDIUM,
    )
    assert (first.office, first.opened_on, first.resolve_by) == (
        ledger_cast.tree.county_a,
        TODAY,
        date(2027, 3, 31),
    )
    assert (second.owner, second.risk_level, second.source, second.resolve_by, second.head_count) == (
        ledger_cast.leader,
        RiskLevel.HIGH,
        Source.PROVINCIAL_LEADER,
        date(2027, 1, 15),
        23,
    )
    assert second.responsible_person is None
    assert second.stabilizing_unit is None
    event = AuditEvent.objects.get(action="ledger.import.completed")
    assert event.actor == ledger_cast.county_head
    assert event.object_repr == "台账.xlsx"
    assert event.detail | {"cases": None} == {
        "file": "台账.xlsx",
        "rows": 2,
        "imported": 2,
        "skipped": 0,
        "skipped_rows": [],
        "only_valid": False,
        "cases": None,
    }
    assert event.detail["cases"] == [first.number, second.number]
    assert AuditEvent.objects.filter(action="ledger.keycase.created").count() == 2
    # the upload is gone once imported
    assert client.get(url).status_code == 404


def test_import_with_one_bad_row_shows_the_error_at_its_row_and_column_and_imports_nothing(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    client = client_for(ledger_cast.county_head)
    body = xlsx([good_row(ledger_cast), good_row(ledger_cast, 责任单位="不存在的局"), good_row(ledger_cast)])
    url, preview = preview_of(client, body)
    check = preview.context["check"]
    assert (len(check.valid), len(check.invalid)) == (2, 1)
    [error] = check.errors
    assert (error.row, error.column, error.value) == (3, "责任单位", "不存在的局")
    assert "不是本单位或下级单位" in error.message
    page = preview.content.decode()
    assert 'data-row="3" data-column="责任单位"' in page
    assert "第3行" in page

    refused = client.post(url, {"action": "import"})  # without ticking "only the valid rows"
    assert refused.status_code == 400
    assert "有1行存在错误，未导入任何数据" in refused.content.decode()
    assert not KeyCase.objects.exists()
    assert not AuditEvent.objects.filter(action="ledger.import.completed").exists()


def test_import_only_the_valid_rows_when_ticked_imports_the_rest_and_audits_the_skipped_rows(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    client = client_for(ledger_cast.county_head)
    rows = [
        good_row(ledger_cast, 问题名称="第一件"),
        good_row(ledger_cast, 问题名称="第二件", 化解时限="明年"),
        good_row(ledger_cast, 问题名称="第三件"),
    ]
    url, preview = preview_of(client, xlsx(rows))
    assert 'data-testid="only-valid"' in preview.content.decode()
    response = client.post(url, {"action": "import", "only_valid": "1"})
    assert response.status_code == 302
    assert sorted(KeyCase.objects.values_list("title", flat=True)) == ["第一件", "第三件"]
    event = AuditEvent.objects.get(action="ledger.import.completed")
    assert (event.detail["rows"], event.detail["imported"], event.detail["skipped"]) == (3, 2, 1)
    assert event.detail["skipped_rows"] == [3]
    assert event.detail["only_valid"] is True


def test_exported_ledger_imports_back_ignoring_the_columns_that_are_not_importable(
    make_case: Callable[..., KeyCase], ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    make_case(actor=ledger_cast.county_head, owner_id=ledger_cast.county_leader.pk)
    client = client_for(ledger_cast.county_head)
    exported = export(client)
    body = b"".join(exported.streaming_content)
    url, preview = preview_of(client, body)
    check = preview.context["check"]
    assert (len(check.valid), check.file_errors) == (1, [])
    assert set(check.ignored_headers) == {"编号", "化解状态", "最近进展", "关联信访件数"}
    client.post(url, {"action": "import"})
    assert KeyCase.objects.filter(title="原民办教师要求落实养老待遇").count() == 2


def test_missing_required_column_is_named_and_nothing_can_be_imported(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    client = client_for(ledger_cast.county_head)
    headers = [h for h in IMPORT_HEADERS if h != "化解时限"]
    url, preview = preview_of(client, xlsx([good_row(ledger_cast)], headers=headers))
    assert preview.context["check"].file_errors == ["缺少必填列“化解时限”（表头在第1行）。"]
    assert "缺少必填列“化解时限”" in preview.content.decode()
    assert client.post(url, {"action": "import", "only_valid": "1"}).status_code == 400
    assert not KeyCase.objects.exists()


def test_header_below_a_title_row_is_found_and_rows_are_numbered_as_in_excel(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["城关区重点信访问题台账（2026年11月）"])
    ws.append([f"{h}*" if h == "问题名称" else h for h in IMPORT_HEADERS])
    ws.append([good_row(ledger_cast, 化解时限="去年")[h] for h in IMPORT_HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    _, preview = preview_of(client_for(ledger_cast.county_head), buffer.getvalue())
    [error] = preview.context["check"].errors
    assert (error.row, error.column) == (3, "化解时限")


CELL_ERRORS = [
    ({"责任单位": "青山县"}, "责任单位", "不是本单位或下级单位"),
    ({"稳控单位": "不存在的街道"}, "稳控单位", "不是本单位或下级单位"),
    ({"包案领导": "陈县长"}, "包案领导", "未找到包案领导“陈县长”"),
    ({"包案领导": "nobody"}, "包案领导", "未找到包案领导"),
    ({"责任人": "周干事"}, "责任人", "中没有“周干事”这名人员"),
    ({"化解时限": "2027-02-30"}, "化解时限", "不是有效日期"),
    ({"化解时限": date(2026, 11, 1)}, "化解时限", "应晚于今天"),
    ({"化解时限": TODAY}, "化解时限", "应晚于今天"),
    ({"风险等级": "极高"}, "风险等级", "不是可选的风险等级"),
    ({"来源": "群众来信"}, "来源", "不是可选的来源"),
    ({"问题名称": None}, "问题名称", "此项为必填项"),
    ({"化解措施": "  "}, "化解措施", "此项为必填项"),
    ({"涉及人数": "很多"}, "涉及人数", "涉及人数应为不小于0的整数"),
    ({"问题名称": "问" * 101}, "问题名称", "不能超过100个字"),
]


@pytest.mark.parametrize(
    ("overrides", "column", "message"), CELL_ERRORS, ids=[f"{c}-{m[:6]}" for _, c, m in CELL_ERRORS]
)
def test_a_bad_cell_is_reported_at_its_row_and_column(
    overrides: dict[str, Any],
    column: str,
    message: str,
    ledger_cast: LedgerCast,
    client_for: Callable[..., Client],
):
    body = xlsx([good_row(ledger_cast), good_row(ledger_cast, **overrides)])
    _, preview = preview_of(client_for(ledger_cast.county_head), body)
    errors = preview.context["check"].errors
    assert [(e.row, e.column) for e in errors] == [(3, column)]
    assert message in errors[0].message


def test_a_leader_named_twice_must_be_given_by_username(
    ledger_cast: LedgerCast, client_for: Callable[..., Client], make_user: Callable[..., User]
):
    make_user(ledger_cast.tree.county_a_department, ["leader"], "leader_zj", full_name="王区长")
    body = xlsx(
        [
            good_row(ledger_cast, 包案领导="王区长"),
            good_row(ledger_cast, 包案领导="leader_zj"),
            good_row(ledger_cast, 包案领导="王区长（leader_a）"),
        ]
    )
    _, preview = preview_of(client_for(ledger_cast.county_head), body)
    check = preview.context["check"]
    [error] = check.errors
    assert (error.row, error.column) == (2, "包案领导")
    assert "请改填用户名" in error.message
    assert [row.data.owner_id for row in check.valid] == [
        User.objects.get(username="leader_zj").pk,
        ledger_cast.county_leader.pk,
    ]


# --- uploads and permissions ---


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("台账.xls", b"\xd0\xcf\x11\xe0old excel", "只能上传 Excel（.xlsx）文件"),
        ("台账.xlsx", b"not a zip at all", "不是有效的 Excel（.xlsx）文件"),
        ("台账.xlsx", b"PK\x03\x04" + b"\x00" * (importing.MAX_UPLOAD_BYTES), "文件不能超过5MB"),
    ],
    ids=["xls", "not-zip", "too-big"],
)
def test_upload_refuses_other_files_at_the_file_field(
    name: str, body: bytes, message: str, ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    response = upload(client_for(ledger_cast.county_head), body, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'data-testid="error-file"' in response.content.decode()


def test_an_upload_is_reachable_only_from_the_session_of_the_user_who_made_it(
    ledger_cast: LedgerCast, client_for: Callable[..., Client], make_user: Callable[..., User]
):
    url, _ = preview_of(client_for(ledger_cast.county_head), xlsx([good_row(ledger_cast)]))
    assert client_for(ledger_cast.county_b_head).get(url).status_code == 404
    assert client_for(ledger_cast.county_head).get(url).status_code == 404  # a new session of the same user
    token = re.search(r"/import/([0-9a-f]{32})/", url)
    assert token is not None
    assert client_for(ledger_cast.county_head).post(url, {"action": "import"}).status_code == 404
    assert not KeyCase.objects.exists()


def test_discarding_an_upload_removes_the_kept_file(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    client = client_for(ledger_cast.county_head)
    url, _ = preview_of(client, xlsx([good_row(ledger_cast)]))
    token = url.rstrip("/").rsplit("/", 1)[1]
    path = importing.import_upload_path(actor=ledger_cast.county_head, token=token)
    assert path is not None
    assert path.is_file()
    assert client.post(url, {"action": "discard"}).status_code == 302
    assert not path.exists()
    assert not KeyCase.objects.exists()


@pytest.mark.parametrize("who", ["handler", "township_clerk", "leader", "anonymous", "system_admin"])
def test_only_section_heads_use_the_import_pages(
    who: str, ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    users = {
        "handler": ledger_cast.handler,
        "township_clerk": ledger_cast.township_clerk,
        "leader": ledger_cast.leader,
        "anonymous": None,
        "system_admin": ledger_cast.personas.system_admin,
    }
    client = client_for(users[who])
    expected = 302 if who == "anonymous" else 403
    assert client.get(reverse("ledger:import")).status_code == expected
    assert client.get(reverse("ledger:import_template")).status_code == expected
    assert upload(client, xlsx([good_row(ledger_cast)])).status_code == expected
    assert client.get(reverse("ledger:import_preview", args=["0" * 32])).status_code == expected
    assert not KeyCase.objects.exists()


def test_section_head_sees_the_upload_page_with_the_template_link(
    ledger_cast: LedgerCast, client_for: Callable[..., Client]
):
    response = client_for(ledger_cast.county_head).get(reverse("ledger:import"))
    assert response.status_code == 200
    assert reverse("ledger:import_template") in response.content.decode()


def test_the_import_service_refuses_a_non_section_head(ledger_cast: LedgerCast, tmp_path: Path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx([good_row(ledger_cast)]))
    with pytest.raises(DomainError) as refused:
        importing.import_run(actor=ledger_cast.handler, path=path, file_name="a.xlsx", only_valid=False)
    assert refused.value.code == "forbidden"

"""The ledger as an Excel workbook: the export layout, the import template, and reading an uploaded sheet."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.errors import DomainError
from core.excel import excel_safe, guarded_text_cell
from ledger.choices import CaseStatus, RiskLevel, Source

SHEET_TITLE = "重点信访问题台账"
NOTES_TITLE = "说明"
EXAMPLE_MARK = "【示例】"  # rows whose 问题名称 starts with it are the template's example and never imported
DATE_FORMAT = "yyyy-mm-dd"
A4 = 9  # the paperSize code of A4 in SpreadsheetML
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Limits of what an uploaded workbook may unpack to (a 5 MB zip can hold gigabytes of XML).
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_SCANNED_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # existing ledgers often carry a title row or two above the header


@dataclass(frozen=True)
class Column:
    """One column of the ledger sheet: the key of the value, its Chinese header, width in characters."""

    key: str
    header: str
    width: float
    kind: str = "text"  # text, long (wrapped), date, int
    required: bool = False  # for import
    hint: str = ""  # for the template's 说明 sheet and header comments


EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("number", "编号", 12),
    Column("title", "问题名称", 20, "long"),
    Column("problem", "问题概况", 30, "long"),
    Column("group_concerned", "涉及群体", 10, "long"),
    Column("head_count", "涉及人数", 7, "int"),
    Column("source", "来源", 12, "long"),
    Column("risk_level", "风险等级", 7),
    Column("owner", "包案领导", 9),
    Column("responsible_unit", "责任单位", 16, "long"),
    Column("responsible_person", "责任人", 9),
    Column("stabilizing_unit", "稳控单位", 16, "long"),
    Column("measures", "化解措施", 30, "long"),
    Column("resolve_by", "化解时限", 11, "date"),
    Column("status", "化解状态", 8),
    Column("latest_progress", "最近进展", 30, "long"),
    Column("item_count", "关联信访件数", 8, "int"),
)

IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("title", "问题名称", 24, "long", True, "不超过100字。"),
    Column("problem", "问题概况", 36, "long", True, "不超过2000字。"),
    Column("group_concerned", "涉及群体", 12, "long", False, "如：民办教师、退役运动员，不超过50字。"),
    Column("head_count", "涉及人数", 8, "int", False, "整数，不填按0计。"),
    Column("source", "来源", 14, "text", True, "从下拉列表中选择。"),
    Column("risk_level", "风险等级", 8, "text", True, "高、中或低。"),
    Column(
        "owner",
        "包案领导",
        12,
        "text",
        True,
        "本级或上级、下级单位具有领导角色的在职人员；填姓名，同名时填用户名。",
    ),
    Column("responsible_unit", "责任单位", 20, "long", True, "本单位或下级单位的名称、简称或单位编码。"),
    Column("responsible_person", "责任人", 10, "text", False, "责任单位（含下级）的人员；填姓名或用户名。"),
    Column("stabilizing_unit", "稳控单位", 20, "long", False, "本单位或下级单位的名称、简称或单位编码。"),
    Column("measures", "化解措施", 36, "long", True, "不超过2000字。"),
    Column("resolve_by", "化解时限", 12, "date", True, "日期，须晚于今天，如 2026-12-31。"),
)
IMPORT_HEADERS = {column.header: column for column in IMPORT_COLUMNS}

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(name="宋体", bold=True, size=11)
_REQUIRED_FONT = Font(name="宋体", bold=True, size=11, color="C00000")
_BODY_FONT = Font(name="宋体", size=10)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_PLAIN = Alignment(vertical="top")


# --- writing ---


def text_cell(ws: Any, value: str, *, alignment: Alignment = _PLAIN, font: Font = _BODY_FONT) -> Any:
    """A bordered body cell that holds `value` as text whatever it starts with (see core.excel)."""
    cell = guarded_text_cell(ws, value)
    cell.font, cell.alignment, cell.border = font, alignment, _BORDER
    return cell


class _BodyStyles:
    """Style arrays of the body cells, registered once per workbook and copied into each cell (assigning
    fonts and borders cell by cell hashes style objects and dominates the time of a large export)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.arrays: dict[tuple[str, bool], StyleArray] = {}
        for kind in ("text", "long", "date", "int"):
            for guarded in (False, True):
                cell = WriteOnlyCell(ws)
                cell.font, cell.border = _BODY_FONT, _BORDER
                cell.alignment = _WRAP if kind == "long" else _PLAIN
                if kind == "date":
                    cell.number_format = DATE_FORMAT
                if guarded:
                    cell.quotePrefix = True
                self.arrays[(kind, guarded)] = cell._style

    def cell(self, column: Column, value: Any) -> Cell:
        if value == "":
            value = None
        guarded = False
        if isinstance(value, str):
            value, guarded = excel_safe(value)
        style = StyleArray(self.arrays[(column.kind, guarded)])
        if guarded:
            cell = Cell(self.ws, row=1, column=1, style_array=style)
            cell._value, cell.data_type = value, "s"  # never "f": the text stays text
            return cell
        return Cell(self.ws, row=1, column=1, value=value, style_array=style)


def _prepare_sheet(ws: Any, columns: Iterable[Column]) -> None:
    """Widths, frozen header, and a page setup that prints the whole width on A4 landscape."""
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _header_cells(ws: Any, columns: Iterable[Column], *, mark_required: bool = False) -> list[Any]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = _REQUIRED_FONT if mark_required and column.required else _HEADER_FONT
        cell.fill, cell.alignment, cell.border = _HEADER_FILL, _HEADER_ALIGN, _BORDER
        cells.append(cell)
    return cells


def choice_labels() -> dict[str, dict[str, str]]:
    """Chinese labels of the coded columns, translated once per export rather than once per cell."""
    return {
        "source": {value: str(label) for value, label in Source.choices},
        "risk_level": {value: str(label) for value, label in RiskLevel.choices},
        "status": {value: str(label) for value, label in CaseStatus.choices},
    }


def export_values(row: Mapping[str, Any], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One row of `keycase_export_values` as the export shows it (labels, names, latest progress as
    "date text")."""
    progress = ""
    if row["latest_progress_on"] is not None:
        progress = f"{row['latest_progress_on']:%Y-%m-%d} {row['latest_progress_done'] or ''}".strip()
    return {
        **row,
        "owner": row["owner__full_name"],
        "responsible_unit": row["responsible_unit__name"],
        "responsible_person": row["responsible_person__full_name"],
        "stabilizing_unit": row["stabilizing_unit__name"],
        **{key: labels[key].get(row[key], row[key]) for key in labels},
        "latest_progress": progress,
    }


def write_ledger(rows: Iterable[Mapping[str, Any]], target: IO[bytes] | str | Path) -> int:
    """Stream the cases into a workbook at `target` (write-only: rows go to disk, memory stays flat).

    Each row is a mapping from `keycase_export_values` (see `export_values`); returns the row count.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    _prepare_sheet(ws, EXPORT_COLUMNS)
    ws.append(_header_cells(ws, EXPORT_COLUMNS))
    styles = _BodyStyles(ws)
    labels = choice_labels()
    count = 0
    for row in rows:
        values = export_values(row, labels)
        ws.append([styles.cell(column, values.get(column.key)) for column in EXPORT_COLUMNS])
        count += 1
    wb.save(target)
    return count


def write_template(
    target: IO[bytes] | str | Path,
    *,
    example: Mapping[str, Any],
    units: Iterable[tuple[str, str]],
    leaders: Iterable[tuple[str, str, str]],
) -> None:
    """The import template: the importable columns, one example row, drop-downs, and a 说明 sheet.

    `units` are (name, code) pairs the user may name; `leaders` (name, username, unit) the owners they may name.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    _prepare_sheet(ws, IMPORT_COLUMNS)
    last_row = 1000
    for key, choices in (("source", Source.labels), ("risk_level", RiskLevel.labels)):
        letter = get_column_letter([c.key for c in IMPORT_COLUMNS].index(key) + 1)
        validation = DataValidation(
            type="list", formula1='"{}"'.format(",".join(str(label) for label in choices)), allow_blank=True
        )
        validation.error = _("请从下拉列表中选择。")
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.data_validations.append(validation)
    headers = _header_cells(ws, IMPORT_COLUMNS, mark_required=True)
    for cell, column in zip(headers, IMPORT_COLUMNS, strict=True):
        note = ("必填。" if column.required else "选填。") + column.hint
        cell.comment = Comment(note, "信访事项管理系统", width=220, height=80)
    ws.append(headers)
    styles = _BodyStyles(ws)
    ws.append([styles.cell(column, example.get(column.key)) for column in IMPORT_COLUMNS])

    notes = wb.create_sheet(NOTES_TITLE)
    for letter, width in zip("ABCD", (14, 8, 60, 30), strict=True):
        notes.column_dimensions[letter].width = width
    bold = Font(name="宋体", bold=True, size=11)

    def line(*values: Any, heading: bool = False) -> None:
        cells = []
        for value in values:
            cell = text_cell(notes, str(value), alignment=_WRAP, font=bold if heading else _BODY_FONT)
            cell.border = Border()
            cells.append(cell)
        notes.append(cells)

    line(_("重点信访问题台账导入说明"), heading=True)
    for text in (
        _(
            "1. 在“%(sheet)s”工作表中从第2行起每行填写一个问题；第1行表头不要修改，可以增加其他列（导入时忽略）。"
        )
        % {"sheet": SHEET_TITLE},
        _("2. 以“%(mark)s”开头的示例行不会导入，可以删除或保留。") % {"mark": EXAMPLE_MARK},
        _("3. 红色表头为必填列。日期写成 2026-12-31 或设置为日期格式。"),
        _("4. 上传后系统逐行检查并列出错误所在的行和列；全部无误才导入，也可以选择只导入无误的行。"),
        _("5. 列入台账日期为导入当天，台账管理单位为导入人所在单位；关联信访事项请导入后在台账页面添加。"),
    ):
        line(text)
    line("")
    line(_("列名"), _("是否必填"), _("填写说明"), heading=True)
    for column in IMPORT_COLUMNS:
        line(column.header, _("必填") if column.required else _("选填"), column.hint)
    line("")
    line(_("来源可选"), "", "、".join(str(label) for label in Source.labels), heading=False)
    line(_("风险等级可选"), "", "、".join(str(label) for label in RiskLevel.labels))
    line("")
    line(_("可填写的单位"), "", _("单位名称"), _("单位编码"), heading=True)
    for name, code in units:
        line("", "", name, code)
    line("")
    line(_("可选包案领导"), "", _("姓名（用户名）"), _("所在单位"), heading=True)
    for name, username, unit in leaders:
        line("", "", f"{name}（{username}）", unit)
    wb.save(target)


# --- reading ---


@dataclass
class Sheet:
    """The first worksheet of an upload: the header row found, its columns, and the data rows after it."""

    header_row: int
    headers: dict[int, str]  # 0-based column index -> normalized header text
    rows: list[tuple[int, tuple[Any, ...]]]  # (Excel row number, values)


_HEADER_NOISE = re.compile(r"\s+|[*＊]|[（(]必填[）)]|[（(]选填[）)]")


def normalize_header(value: Any) -> str:
    """Header text without blanks, required-markers or (必填)/(选填) notes."""
    return _HEADER_NOISE.sub("", str(value)) if value is not None else ""


def check_package(path: Path) -> None:
    """Refuse files that are not an .xlsx package, or that would unpack to too much."""
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise DomainError(_("文件不是有效的 Excel（.xlsx）文件。"), field="file") from error
    if "xl/workbook.xml" not in names:
        raise DomainError(_("文件不是有效的 Excel（.xlsx）文件。"), field="file")
    if unpacked > MAX_UNPACKED_BYTES:
        raise DomainError(_("文件内容过大，请拆分后分批导入。"), field="file")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(path: Path, *, max_rows: int) -> Sheet:
    """Read the first worksheet: find the header row (one of the first rows naming 问题名称), then the
    non-blank rows below it, at most `max_rows` of them."""
    check_package(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged package
        raise DomainError(
            _("无法读取该 Excel 文件，请用 Excel 另存为 .xlsx 后重试。"), field="file"
        ) from error
    try:
        if not wb.worksheets:
            raise DomainError(_("文件中没有工作表。"), field="file")
        ws = wb.worksheets[0]
        header_row, headers = 1, {}
        rows: list[tuple[int, tuple[Any, ...]]] = []
        found = False
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if number > MAX_SCANNED_ROWS:
                raise DomainError(
                    _("表格超过%(count)s行，请拆分后分批导入。") % {"count": MAX_SCANNED_ROWS}, field="file"
                )
            if not found:
                names = {i: normalize_header(v) for i, v in enumerate(values) if not _blank(v)}
                if number == 1:
                    header_row, headers = 1, names
                if "问题名称" in names.values():
                    header_row, headers, found = number, names, True
                    continue
                if number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if all(_blank(v) for v in values):
                continue
            rows.append((number, tuple(values)))
            if len(rows) > max_rows:
                raise DomainError(
                    _("一次最多导入%(count)s行，请拆分后分批导入。") % {"count": max_rows}, field="file"
                )
    finally:
        wb.close()
    return Sheet(header_row=header_row, headers=headers, rows=rows)


def cell_date(value: Any) -> date | None:
    """A date from a date cell or from text like 2026-12-31, 2026/12/31, 2026.12.31 or 2026年12月31日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", value)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def cell_text(value: Any) -> str:
    """A cell as trimmed text; whole numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return f"{value:%Y-%m-%d}"
    return str(value).strip()


def rows_as_dicts(sheet: Sheet) -> Iterator[tuple[int, dict[str, Any]]]:
    """Data rows keyed by normalized header (columns without a header are ignored)."""
    for number, values in sheet.rows:
        yield (
            number,
            {
                header: values[index] if index < len(values) else None
                for index, header in sheet.headers.items()
            },
        )

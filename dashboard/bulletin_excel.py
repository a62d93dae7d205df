"""The weekly bulletin as an Excel workbook: the same tables and numbers as the page."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from core.excel import guarded_row, guarded_text_cell
from dashboard.bulletin import bulletin_summary, bulletin_tables
from dashboard.models import WeeklyBulletin

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bulletin_title(bulletin: WeeklyBulletin) -> str:
    """The bulletin's heading, as on the page."""
    return f"{bulletin.data['unit']['name']}信访工作每周通报（{bulletin.week_start:%Y年%m月%d日}至{bulletin.week_end:%Y年%m月%d日}）"


def bulletin_workbook(bulletin: WeeklyBulletin) -> bytes:
    """One sheet: title, number and summary, then each table with its header, rows and notes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("每周通报")

    def text(value: str, *, strong: bool = False) -> object:
        return guarded_text_cell(sheet, value, bold=strong)

    sheet.append([text(bulletin_title(bulletin), strong=True)])
    sheet.append(
        [text(f"编号：{bulletin.number}"), text(f"生成时间：{bulletin.generated_at:%Y-%m-%d %H:%M}")]
    )
    sheet.append([text(bulletin_summary(bulletin))])
    for table in bulletin_tables(bulletin):
        sheet.append([])
        sheet.append([text(table.title, strong=True)])
        sheet.append([text(label, strong=True) for label in table.header])
        for row in table.rows:
            sheet.append(guarded_row(sheet, [cell.value for cell in row.cells], bold=row.kind == "total"))
        for note in table.notes:
            sheet.append([text(note)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

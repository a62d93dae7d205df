"""The assessment (考核) as an Excel workbook: the same rows and numbers as the page, numerators and denominators."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from accountability.measures import Period
from accountability.selectors import AssessmentRow
from core.excel import guarded_text_cell

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assessment_workbook(rows: list[AssessmentRow], period: Period, title: str) -> bytes:
    """One sheet: a title line, then per unit each measure's rate, numerator and denominator."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("考核")
    sheet.freeze_panes = "B4"
    measures = rows[0].measures if rows else []
    sheet.append([guarded_text_cell(sheet, title)])
    sheet.append([f"期间：{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}；计算日：{period.today:%Y-%m-%d}"])
    header = ["单位"]
    for measure in measures:
        header += (
            [f"{measure.label}（%）", f"{measure.label}分子", f"{measure.label}分母"]
            if measure.is_rate
            else [measure.label]
        )
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = guarded_text_cell(sheet, text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        line: list[object] = [guarded_text_cell(sheet, ("合计：" if row.is_total else "") + row.unit.name)]
        for measure in row.measures:
            if measure.is_rate:
                line += [measure.rate, measure.numerator, measure.denominator]
            else:
                line.append(measure.numerator)
        sheet.append(line)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

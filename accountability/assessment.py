"""The assessment (考核) as an Excel workbook: the same rows and numbers as the page, numerators and denominators."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from accountability.measures import Measure, Period
from accountability.selectors import AssessmentRow
from core.excel import guarded_text_cell

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assessment_workbook(rows: list[AssessmentRow], period: Period, title: str) -> bytes:
    """One sheet: title, period and scope lines, then per unit each measure's rate, numerator and denominator."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("考核")
    sheet.freeze_panes = "B5"
    measures = rows[0].measures if rows else []
    sheet.append([guarded_text_cell(sheet, title)])
    sheet.append(
        [
            guarded_text_cell(
                sheet,
                _("期间：%(start)s 至 %(end)s；计算日：%(today)s；统计口径与信访形式：%(scope)s")
                % {
                    "start": f"{period.start:%Y-%m-%d}",
                    "end": f"{period.end:%Y-%m-%d}",
                    "today": f"{period.today:%Y-%m-%d}",
                    "scope": period.scope_label,
                },
            )
        ]
    )
    sheet.append([guarded_text_cell(sheet, scope_note(measures))])
    header = ["单位"]
    for measure in measures:
        header += (
            [f"{measure.label}（%）", f"{measure.label}分子", f"{measure.label}分母"]
            if measure.is_rate
            else [measure.label]
        )
    sheet.append([guarded_text_cell(sheet, text, bold=True) for text in header])
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


def scope_note(measures: list[Measure]) -> str:
    """Which measures follow the basis and the channels, and which count by the clock's or order's unit."""
    return _(
        "%(items)s按信访事项统计，随统计口径和信访形式变化；%(units)s按时限、督办单所属单位统计，不受其影响。"
    ) % {
        "items": "、".join(measure.label for measure in measures if measure.item_based),
        "units": "、".join(measure.label for measure in measures if not measure.item_based),
    }

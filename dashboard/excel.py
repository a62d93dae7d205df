"""The dashboard as an Excel workbook: one sheet per table of the page, with the same numbers."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from core.excel import guarded_row
from dashboard.situation import Figure, Situation

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def situation_workbook(situation: Situation, title: str) -> bytes:
    """总体, breakdowns, trend, units one level down, measures, key cases and screening, each on its own sheet."""
    workbook = Workbook(write_only=True)

    def sheet(name: str, header: list[str], rows: list[list[object]]) -> None:
        ws = workbook.create_sheet(name)
        ws.append(guarded_row(ws, [title]))
        ws.append(guarded_row(ws, header, bold=True))
        for row in rows:
            ws.append(guarded_row(ws, row))

    def figures(name: str, items: list[Figure], with_previous: bool = True) -> None:
        if with_previous:
            sheet(name, ["项目", "本期", "去年同期"], [[f.label, f.value, f.previous] for f in items])
        else:
            sheet(name, ["项目", "数量"], [[f.label, f.value] for f in items])

    figures("总体", situation.totals)
    figures("办理情况", situation.workload, with_previous=False)
    figures("信访形式", situation.by_channel)
    figures("内容分类", situation.by_category)
    figures("信访目的", situation.by_purpose)
    sheet("趋势", ["时段", "本期", "去年同期"], [[label, v, p] for label, v, p in situation.trend])
    units: list[list[object]] = [
        [
            row.unit.name,
            row.received.value,
            row.received.previous,
            row.overdue.value,
            row.on_time.rate if row.on_time else None,
            row.on_time.numerator if row.on_time else None,
            row.on_time.denominator if row.on_time else None,
        ]
        for row in situation.children
    ]
    if situation.own:
        own = situation.own
        units.append(
            [f"本级（{own.unit.name}）", own.received.value, own.received.previous, own.overdue.value]
        )
    sheet("下级单位", ["单位", "件次", "去年同期", "当前超期", "按期办结率（%）", "分子", "分母"], units)
    sheet(
        "考核指标",
        ["指标", "比率（%）", "分子", "分母", "口径"],
        [
            [m.label, m.rate, m.numerator, m.denominator if m.is_rate else None, m.formula]
            for m in situation.measures
        ],
    )
    figures("重点台账（按状态）", situation.cases_by_status, with_previous=False)
    figures("重点台账（按包案领导）", situation.cases_by_owner, with_previous=False)
    figures("排查报送", situation.screening, with_previous=False)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

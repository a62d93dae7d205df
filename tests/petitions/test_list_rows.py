"""The item list's rows written in Python: every column, the overdue and repeat tags, the nearest deadline in each
of its states, and every text escaped."""

from __future__ import annotations

import re
from datetime import date
from html import unescape as html_unescape

from django.template.defaultfilters import truncatechars

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineRule
from accountability.selectors import DeadlineView
from core.models import Unit
from core.workcalendar import CalendarSnapshot
from petitions.choices import Channel, Marker, Status
from petitions.item_list.rows import item_rows_html
from petitions.models import Category, Item

TODAY = date(2026, 3, 12)
HOSTILE = '<img src=x onerror="alert(1)">'


def _item(pk: int, **fields: object) -> Item:
    values: dict[str, object] = {
        "number": f"XF2026-{pk:06d}",
        "received_on": date(2026, 3, 1),
        "channel": Channel.VISIT,
        "head_count": 1,
        "category": Category(name="劳动社保"),
        "summary": "拖欠工资",
        "markers": [],
        "status": Status.ACCEPTED,
        **fields,
    }
    return Item(pk=pk, **values)


def _due(days_left: int, *, obligation: bool = True) -> DeadlineView:
    rule = DeadlineRule(kind="r", label="办理" if obligation else "申请复查", is_obligation=obligation)
    deadline = Deadline(rule=rule, due_on=date(2026, 3, 12 + days_left), status=DeadlineStatus.OPEN)
    return DeadlineView(
        deadline=deadline,
        calendar_days_left=days_left,
        today=TODAY,
        calendar=CalendarSnapshot(version=0, covered_years=frozenset()),
    )


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]


def test_a_row_holds_every_column_and_escapes_every_text():
    item = _item(
        7,
        summary=HOSTILE + "，反映小区物业拖欠维修基金问题，已多次协商未果，请求督促。",
        category=Category(name=HOSTILE),
        responsible_unit=Unit(name="城关区人社局"),
        channel=Channel.PHONE,
        head_count=12,
        markers=[Marker.COLLECTIVE, "no-such-marker"],
        received_on=date(2026, 2, 28),
    )
    html = str(item_rows_html([(item, _due(5))]))
    assert "<img" not in html
    (row,) = _cells(html)
    assert row[0] == '<a href="/petitions/7/">XF2026-000007</a>'
    assert row[1] == "2026-02-28"
    assert row[2] == "电话"
    assert row[3] == "12"
    assert row[4] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    summary, marker = row[5].split(" <span", 1)
    assert html_unescape(summary) == truncatechars(item.summary, 40)  # 40 characters with the ellipsis
    assert len(html_unescape(summary)) == 40
    assert marker == ' class="tag tag-warning">集体访</span>'
    assert row[6] == "城关区人社局"
    assert row[7] == "受理（办理中）"
    assert row[8] == '办理 03-17 <span class="muted">剩5日</span>'
    assert '<tr class="">' in html


def test_an_overdue_repeat_without_a_responsible_unit_is_tagged_and_counts_the_days_over():
    item = _item(8, original_id=3, obligation_due_on=date(2026, 3, 1))
    html = str(item_rows_html([(item, _due(-3))]))
    (row,) = _cells(html)
    assert html.startswith('<tr class="overdue">')
    assert row[0].endswith(' <span class="tag">重件</span>')
    assert row[6] == "—"
    assert row[7] == '受理（办理中） <span class="tag tag-overdue">超期</span>'
    assert row[8] == '办理 03-09 <span class="overdue-text">超3日</span>'


def test_a_petitioners_window_that_ran_out_reads_expired_and_no_clock_reads_a_dash():
    html = str(item_rows_html([(_item(9), _due(-2, obligation=False)), (_item(10), None)]))
    expired, none = _cells(html)
    assert expired[8] == '申请复查 03-10 <span class="muted">已届满</span>'
    assert "overdue" not in html
    assert none[8] == "—"


def test_no_rows_write_nothing():
    assert str(item_rows_html([])) == ""

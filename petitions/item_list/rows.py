"""The rows of the item list's table, written in Python: thirty rows of a dozen fields each are the list page's
largest piece of markup, and through the template engine they took about a third of the page's time. The markup
is the one templates/petitions/item_list.html wrote for them."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from accountability.selectors import DeadlineView
from petitions.choices import Channel, Marker, Status, choice_label
from petitions.models import Item

SUMMARY_CHARS = 40


def item_rows_html(rows: Iterable[tuple[Item, DeadlineView | None]]) -> SafeString:
    """One <tr> per item with its nearest running deadline (or none)."""
    return mark_safe("".join(_row(item, due) for item, due in rows))  # noqa: S308  # nosec B308 B703  # format_html


def _row(item: Item, due: DeadlineView | None) -> str:
    overdue = item.is_overdue
    markers = format_html_join(
        "",
        ' <span class="tag tag-warning">{}</span>',
        ((str(Marker(m).label),) for m in item.markers if m in Marker.values),
    )
    return format_html(
        '<tr class="{}">'
        '<td class="nowrap"><a href="{}">{}</a>{}</td>'
        '<td class="mono nowrap">{}</td>'
        "<td>{}</td>"
        '<td class="num">{}</td>'
        "<td>{}</td>"
        "<td>{}{}</td>"
        "<td>{}</td>"
        "<td>{}{}</td>"
        '<td class="nowrap">{}</td>'
        "</tr>\n",
        "overdue" if overdue else "",
        reverse("petitions:item_detail", args=[item.pk]),
        item.number,
        mark_safe(' <span class="tag">重件</span>') if item.original_id else "",  # nosec B308 B703
        f"{item.received_on:%Y-%m-%d}",
        choice_label(Channel, item.channel),
        item.head_count,
        item.category.name,
        Truncator(item.summary).chars(SUMMARY_CHARS),
        markers,
        item.responsible_unit.name if item.responsible_unit else "—",
        choice_label(Status, item.status),
        mark_safe(' <span class="tag tag-overdue">超期</span>') if overdue else "",  # nosec B308 B703
        _nearest_deadline(due),
    )


def _nearest_deadline(due: DeadlineView | None) -> SafeString | str:
    if due is None:
        return "—"
    if due.overdue:
        left = format_html('<span class="overdue-text">超{}日</span>', abs(due.calendar_days_left))
    elif due.past_due:
        left = mark_safe('<span class="muted">已届满</span>')  # nosec B308 B703
    else:
        left = format_html('<span class="muted">剩{}日</span>', due.calendar_days_left)
    return format_html("{} {} {}", due.deadline.rule.label, f"{due.deadline.due_on:%m-%d}", left)

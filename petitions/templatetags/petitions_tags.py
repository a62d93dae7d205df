"""Template filters for petition pages: masks for personal data and labels for codes."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from accountability.selectors import DeadlineView
from core.pii import mask_address, mask_id_number, mask_name, mask_phone
from petitions.choices import Channel, Marker, Status, choice_label
from petitions.item_list.rows import item_rows_html
from petitions.models import Item

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
register.filter("mask_address", mask_address)
register.filter("mask_name", mask_name)


@register.filter
def status_label(value: str) -> str:
    """The Chinese label of an item status, for list rows."""
    return choice_label(Status, value)


@register.filter
def channel_label(value: str) -> str:
    """The Chinese label of an item channel, for list rows."""
    return choice_label(Channel, value)


@register.filter
def marker_labels(values: list[str]) -> list[str]:
    """Chinese labels of an item's markers."""
    return [str(Marker(value).label) for value in values if value in Marker.values]


@register.simple_tag
def item_rows(rows: list[tuple[Item, DeadlineView | None]]) -> SafeString:
    """The item list's table rows (petitions.item_list.rows)."""
    return item_rows_html(rows)


@register.filter
def absolute(value: int) -> int:
    """|n|, for "已超期 3 日" from a days-left of -3."""
    return abs(int(value))

"""Template filters for petition pages: masks for personal data and labels for codes."""

from __future__ import annotations

from django import template
from django.db import models

from core.pii import mask_address, mask_id_number, mask_phone
from petitions.choices import Channel, Marker, Status

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
register.filter("mask_address", mask_address)


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of `value` among `choices` (an enum lookup, not a scan of the field's choices as
    get_FOO_display makes on every call), or the value itself if it is not one of them."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def status_label(value: str) -> str:
    """The Chinese label of an item status, for list rows."""
    return _choice_label(Status, value)


@register.filter
def channel_label(value: str) -> str:
    """The Chinese label of an item channel, for list rows."""
    return _choice_label(Channel, value)


@register.filter
def marker_labels(values: list[str]) -> list[str]:
    """Chinese labels of an item's markers."""
    return [str(Marker(value).label) for value in values if value in Marker.values]


@register.filter
def absolute(value: int) -> int:
    """|n|, for "已超期 3 日" from a days-left of -3."""
    return abs(int(value))

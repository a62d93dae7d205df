"""Plain test helpers: Beijing time, Chinese messages, a select box's options, an item list's count."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def travel_to(day: date, hour: int = 10) -> time_machine.travel:
    """Stand still at `hour` o'clock Beijing time on `day` (use as a context manager)."""
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=SHANGHAI), tick=False)


def has_chinese(messages: Any) -> bool:
    """Whether every message is in Chinese: each string, list element and dict value, none of them empty."""
    if isinstance(messages, dict):
        return bool(messages) and all(has_chinese(value) for value in messages.values())
    if isinstance(messages, list):
        return bool(messages) and all(has_chinese(value) for value in messages)
    return bool(CHINESE.search(str(messages)))


def select_options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the select box `name` in a page or a rendered field."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1)
        )
    ]


def listed_count(client: Client, href: str) -> int:
    """The number of items the item list at `href` says it shows."""
    page = client.get(href).content.decode()
    match = re.search(r'data-testid="item-count">共 (\d+) 件', page)
    assert match, href
    return int(match.group(1))

"""Template filters for Chinese dates, small display helpers and the administrative division picker."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from core.choices import DivisionLevel
from core.models import Division
from core.selectors import division_children, division_path

register = template.Library()

_WEEKDAYS = "一二三四五六日"


@register.filter
def weekday_cn(value: date | None) -> str:
    """星期一 … 星期日 for a date."""
    if value is None:
        return ""
    return "星期" + _WEEKDAYS[value.weekday()]


@register.filter
def indent(depth: int, base: int = 1) -> int:
    """How many levels below `base` a unit sits, for indentation."""
    return max(0, int(depth) - int(base))


def _division_code(value: object) -> str:
    """A code from a code string or a Division (a bound DivisionField's initial value is the instance)."""
    return str(getattr(value, "code", value) or "").strip()


def division_picker_context(
    name: str, initial_code: object = "", default_root: object = "", *, autofocus: bool = False
) -> dict[str, Any]:
    """What the picker template needs: one entry per level with its options, the chosen code and visibility.

    The picker starts at `initial_code` (the field's value) or, without one, at `default_root` (for example the
    deployment's city). A level that the chosen province does not have (直辖市 have no 地级) is hidden.
    """
    path = division_path(_division_code(initial_code) or _division_code(default_root))
    slots: dict[int, dict[str, Any]] = {
        level: {
            "level": level,
            "label": DivisionLevel(level).label,
            "id": f"id_{name}_level{level}",
            "next_id": f"id_{name}_level{level + 1}" if level < DivisionLevel.TOWNSHIP else "",
            "options": [],
            "selected": "",
            "hidden": False,
            "autofocus": autofocus and level == DivisionLevel.PROVINCE,
        }
        for level in DivisionLevel.values
    }
    slots[DivisionLevel.PROVINCE]["options"] = list(division_children(None))
    for node in path:
        if node.level in slots:
            slots[node.level]["selected"] = node.code
        children = list(division_children(node.code))
        if not children:
            continue
        child_level = min(child.level for child in children)
        if child_level in slots:
            slots[child_level]["options"] = children
        for skipped in range(node.level + 1, child_level):
            slots[skipped]["hidden"] = True
    for slot in slots.values():
        slot["options_html"] = _options_html(slot["options"], slot["selected"])
    return {
        "name": name,
        "input_id": f"id_{name}",
        "value": path[-1].code if path else "",
        "levels": [slots[level] for level in sorted(slots)],
        "options_url": reverse("core:division_options"),
    }


def _options_html(options: list[Division], selected: str) -> SafeString:
    """One level's <option>s, the chosen one selected. Written here rather than in the picker's template: a form
    with three pickers lists a few hundred divisions, and a template loop over them was most of the intake page's
    rendering time."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>\n',
        ((option.code, " selected" if option.code == selected else "", option.name) for option in options),
    )


@register.inclusion_tag("core/includes/division_picker.html")
def division_picker(
    name: str,
    initial_code: object = "",
    default_root: object = "",
    label: str = "",
    autofocus: bool = False,
) -> dict[str, Any]:
    """The cascading 省/市/县/乡 picker posting the deepest chosen code as `name`:

    {% division_picker "problem_division" initial_code default_root %}
    """
    context = division_picker_context(name, initial_code, default_root, autofocus=autofocus)
    context["label"] = label
    return context

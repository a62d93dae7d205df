"""The site's form renderer: Django's own, except that select boxes are written in Python.

A list page's filter form holds a few hundred options (categories, units, orderings); through Django's templates,
one template and one attribute template per option, they cost about 20 ms a page. The markup written here is the
same as those templates write.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def html_attrs(attrs: dict[str, Any]) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: True alone, False left out, others quoted."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def select_html(widget: dict[str, Any]) -> SafeString:
    """A <select> with its option groups, from a Select widget's template context."""
    lines = [f'<select name="{conditional_escape(widget["name"])}"{html_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            lines.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            lines.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{html_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            lines.append("\n  </optgroup>")
    lines.append("\n</select>")
    # Every value above went through conditional_escape.
    return mark_safe("".join(lines))  # noqa: S308  # nosec B308 B703


class FormRenderer(DjangoTemplates):
    """Django's template renderer with plain select boxes written directly (same markup, no template per option)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if template_name == SELECT_TEMPLATE and widget is not None and self._plain_options(widget):
            return select_html(widget)
        return super().render(template_name, context, request)

    @staticmethod
    def _plain_options(widget: dict[str, Any]) -> bool:
        """Only options drawn by Django's own option template are written here; a custom one is rendered."""
        return all(
            option.get("template_name") == OPTION_TEMPLATE
            for _name, options, _index in widget["optgroups"]
            for option in options
        )

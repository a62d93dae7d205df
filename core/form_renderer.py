"""The site's form renderer: Django's own, except that select boxes, inputs and text areas are written in Python.

A list page's filter form holds a few hundred options (categories, units, orderings); through Django's templates,
one template and one attribute template per option, they cost about 20 ms a page. The intake form's forty inputs
cost a third of that page's rendering the same way. The markup written here is the same as those templates write.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# The widgets whose template is django/forms/widgets/input.html and nothing more.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
)


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


def input_html(widget: dict[str, Any]) -> SafeString:
    """An <input> from an input widget's template context (value left out when None, as the template does)."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    html = (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{html_attrs(widget['attrs'])}>"
    )
    return mark_safe(html)  # noqa: S308  # nosec B308 B703  # every value went through conditional_escape


def textarea_html(widget: dict[str, Any]) -> SafeString:
    """A <textarea> from a Textarea's template context (its text after a newline, as the template writes it)."""
    text = conditional_escape(localize(widget["value"])) if widget["value"] else ""
    html = f'<textarea name="{conditional_escape(widget["name"])}"{html_attrs(widget["attrs"])}>\n{text}</textarea>'
    return mark_safe(html)  # noqa: S308  # nosec B308 B703  # every value went through conditional_escape


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
    """Django's template renderer with plain select boxes, inputs and text areas written directly (same markup)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                return input_html(widget)
            if template_name == TEXTAREA_TEMPLATE:
                return textarea_html(widget)
            if template_name == SELECT_TEMPLATE and self._plain_options(widget):
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

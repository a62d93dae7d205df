"""Select boxes of forms and filters: options read once as (value, label) pairs, and the searchable box."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from django import forms
from django.db.models import QuerySet


class SearchableSelectMultiple(forms.SelectMultiple):
    """A multiple choice box the page turns into a type-to-filter box (static/js/searchable.js)."""

    def __init__(
        self, attrs: dict[str, str] | None = None, choices: Iterable[tuple[object, str]] = ()
    ) -> None:
        super().__init__({"data-searchable": "true", **(attrs or {})}, choices)


def options_read_once(
    form: forms.BaseForm, names: Sequence[str], options: Callable[[], Iterable[tuple[object, str]]]
) -> None:
    """Let the select boxes of the named model choice fields of `form` draw their options, (value, label) pairs,
    from one call of `options`, made when the first of them is rendered.

    A model choice field otherwise reads its queryset each time it is rendered and makes a model object of every
    row, and a page's unit boxes read the same units. Validation still looks a value up in the field's queryset,
    so `options` must list that queryset's rows with the labels the field would give them.
    """
    read_once = cache(lambda: list(options()))
    for name in names:
        field = form.fields[name]
        field.widget.choices = _with_empty_choice(getattr(field, "empty_label", None), read_once)


def _with_empty_choice(
    empty_label: str | None, options: Callable[[], list[tuple[object, str]]]
) -> Callable[[], list[tuple[object, str]]]:
    if empty_label is None:
        return options
    return lambda: [("", empty_label), *options()]


def tree_label(depth: int, name: str) -> str:
    """A tree node's name indented by its depth, so a flat list of units or categories reads as a tree."""
    return ("　" * (depth - 1)) + name


def name_options(rows: QuerySet[Any]) -> Callable[[], list[tuple[int, str]]]:
    """The (id, name) options of a queryset of named rows (units, categories)."""
    return lambda: list(rows.values_list("pk", "name"))


def tree_options(nodes: QuerySet[Any]) -> Callable[[], list[tuple[int, str]]]:
    """The (id, indented name) options of a queryset of tree nodes, as `tree_label` writes them."""
    return lambda: [
        (pk, tree_label(depth, name)) for pk, depth, name in nodes.values_list("pk", "depth", "name")
    ]


def person_label(full_name: str, unit_name: str) -> str:
    """A person with their unit: 张三（城关区）."""
    return f"{full_name}（{unit_name}）"


def people_options(people: QuerySet[Any]) -> Callable[[], list[tuple[int, str]]]:
    """The (id, 张三（城关区）) options of a queryset of people, as `person_label` writes them."""
    return lambda: [
        (pk, person_label(full_name, unit_name))
        for pk, full_name, unit_name in people.values_list("pk", "full_name", "unit__name")
    ]

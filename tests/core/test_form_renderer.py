"""The site's form renderer writes select boxes, inputs and text areas exactly as Django's templates do, escaping
included."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from core.filters import YesNoAnySelect
from core.form_renderer import FormRenderer

HOSTILE = '<script>alert("x")</script> & "引号"'


class SampleForm(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "甲"), ("b", HOSTILE)], required=False)
    grouped = forms.ChoiceField(
        choices=[("", "不限"), ("区县", [("1", "一区"), ("2", "二区")]), (HOSTILE, [("3", HOSTILE)])],
        widget=forms.Select(attrs={"data-searchable": "true", "disabled": True, "hidden": False}),
    )
    several = forms.MultipleChoiceField(choices=[(1, "一"), (2, "二"), (3, HOSTILE)], required=False)
    yes_no = forms.NullBooleanField(widget=YesNoAnySelect, required=False)


class InputsForm(forms.Form):
    text = forms.CharField(
        required=False, max_length=20, widget=forms.TextInput(attrs={"autofocus": True, "readonly": False})
    )
    number = forms.IntegerField(required=False, min_value=1, initial=1)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    mail = forms.EmailField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    kept_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "data-suggest": HOSTILE}))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "b", "grouped": "3", "several": ["1", "3"], "yes_no": "true"},
        {"plain": HOSTILE, "grouped": HOSTILE, "several": [HOSTILE], "yes_no": "false"},
    ],
)
def test_select_boxes_match_the_markup_of_djangos_templates(data: dict[str, object]):
    written = str(SampleForm(data or None, renderer=FormRenderer()))
    templated = str(SampleForm(data or None, renderer=DjangoTemplates()))
    assert written == templated
    assert "<script>" not in written
    assert "&lt;script&gt;" in written


@pytest.mark.parametrize(
    "data",
    [
        {},
        {
            "text": "张三",
            "number": "3",
            "day": "2026-03-12",
            "mail": "a@b.cn",
            "agree": "on",
            "note": "多行\n文字",
        },
        dict.fromkeys(("text", "number", "day", "mail", "secret", "kept_secret", "hidden", "note"), HOSTILE),
        {"note": "", "text": "", "agree": ""},
    ],
)
def test_inputs_and_text_areas_match_the_markup_of_djangos_templates(data: dict[str, object]):
    written = str(InputsForm(data or None, renderer=FormRenderer(), initial={"hidden": HOSTILE}))
    templated = str(InputsForm(data or None, renderer=DjangoTemplates(), initial={"hidden": HOSTILE}))
    assert written == templated
    assert "<script>" not in written
    assert "&lt;script&gt;" in written  # the hidden field's initial value, escaped


def test_a_select_with_its_own_option_template_is_left_to_the_templates():
    class OwnOption(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    class OwnForm(forms.Form):
        kind = forms.ChoiceField(choices=[("a", "甲")], widget=OwnOption)

    assert str(OwnForm(renderer=FormRenderer())) == str(OwnForm(renderer=DjangoTemplates()))
    assert "<label><input" in str(OwnForm(renderer=FormRenderer()))  # the widget's own option template

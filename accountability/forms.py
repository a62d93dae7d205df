"""Forms of the supervision pages: issuing a 督办单, replying to one, a 通报 period, a 追责 record, the assessment."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import (
    AccountabilityMeasure,
    Liability,
    Recipient,
    SupervisionGround,
    SupervisionMethod,
)
from accountability.measures import Basis, channel_choices
from core.forms import DATE_INPUT, VersionForm
from core.models import Unit, User
from core.selectors import unit_qs_visible_to

SEARCHABLE = {"data-searchable": "true"}


class SupervisionIssueForm(forms.Form):
    """A supervisor issues a 督办单 to a unit of their subtree."""

    unit = forms.ModelChoiceField(
        label=_("被督办单位"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SEARCHABLE)
    )
    ground = forms.ChoiceField(label=_("督办事由"), choices=SupervisionGround.choices)
    method = forms.ChoiceField(label=_("督办方式"), choices=SupervisionMethod.choices)
    requirement = forms.CharField(
        label=_("督办要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "autofocus": True})
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = unit_qs_visible_to(user).order_by("path")  # type: ignore[attr-defined]
        self.order_fields(["requirement", "unit", "ground", "method"])


class SupervisionReplyForm(VersionForm):
    """The supervised unit's written reply."""

    reply = forms.CharField(
        label=_("答复内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "autofocus": True}),
        error_messages={"required": _("请填写答复内容。")},
    )
    replied_on = forms.DateField(label=_("答复日期"), widget=DATE_INPUT, initial=timezone.localdate)


class CircularForm(forms.Form):
    """The period a 通报 covers."""

    start = forms.DateField(label=_("起始日"), widget=DATE_INPUT)
    end = forms.DateField(label=_("截止日"), widget=DATE_INPUT, initial=timezone.localdate)
    title = forms.CharField(label=_("标题（可不填）"), max_length=200, required=False)


class AccountabilityRecordForm(forms.Form):
    """A 追责 decision against one person."""

    unit = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SEARCHABLE)
    )
    person_name = forms.CharField(label=_("被追责人"), max_length=50)
    person_title = forms.CharField(label=_("职务"), max_length=50)
    liability = forms.ChoiceField(label=_("责任类型"), choices=Liability.choices)
    measure = forms.ChoiceField(label=_("追责措施"), choices=AccountabilityMeasure.choices)
    reason = forms.CharField(label=_("事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    decided_by = forms.CharField(label=_("决定机关"), max_length=100)
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE_INPUT)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = unit_qs_visible_to(user).order_by("path")  # type: ignore[attr-defined]


class EscalationStepForm(VersionForm):
    """One rung of a deadline kind's ladder."""

    offset_days = forms.IntegerField(label=_("距到期日（日）"), min_value=-30, max_value=365)
    notify = forms.MultipleChoiceField(
        label=_("通知对象"), choices=Recipient.choices, widget=forms.CheckboxSelectMultiple
    )
    opens_supervision = forms.BooleanField(label=_("生成督办单"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class AssessmentForm(forms.Form):
    """The assessment page's choices, all from the query string: year, ranking, basis and channels."""

    YEARS_SHOWN = 5

    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    sort = forms.CharField(label=_("排名依据"), max_length=40, required=False)
    basis = forms.ChoiceField(
        label=_("统计口径"),
        choices=Basis.choices,
        required=False,
        error_messages={"invalid_choice": _("请选择“按责任单位”或“按登记单位”。")},
    )
    channel = forms.MultipleChoiceField(
        label=_("信访形式（不选为全部）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("没有“%(value)s”这种信访形式，请在列出的信访形式中选择。"),
            "invalid_list": _("请在列出的信访形式中选择。"),
        },
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        years = range(today.year, today.year - self.YEARS_SHOWN, -1)
        self.fields["year"].choices = [(year, f"{year}") for year in years]  # type: ignore[attr-defined]
        self.fields["year"].error_messages["invalid_choice"] = _(
            "请选择%(first)s年至%(last)s年之间的年度。"
        ) % {"first": years[-1], "last": years[0]}
        self.fields["channel"].choices = channel_choices()  # type: ignore[attr-defined]
        self.today = today

    def clean_year(self) -> int:
        return self.cleaned_data["year"] or self.today.year

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "on_time_closing"

    def clean_basis(self) -> str:
        return self.cleaned_data["basis"] or Basis.RESPONSIBLE

    def clean_channel(self) -> tuple[str, ...]:
        # In the registered order, whatever order the query string gave them in, so titles read the same.
        chosen = set(self.cleaned_data["channel"])
        return tuple(code for code, _label in channel_choices() if code in chosen)

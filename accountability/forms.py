"""Forms of the supervision pages: issuing a 督办单, replying to one, a 通报 period and a 追责 record."""

from __future__ import annotations

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
from core.forms import DATE_INPUT
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


class SupervisionReplyForm(forms.Form):
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


class EscalationStepForm(forms.Form):
    """One rung of a deadline kind's ladder."""

    offset_days = forms.IntegerField(label=_("距到期日（日）"), min_value=-30, max_value=365)
    notify = forms.MultipleChoiceField(
        label=_("通知对象"), choices=Recipient.choices, widget=forms.CheckboxSelectMultiple
    )
    opens_supervision = forms.BooleanField(label=_("生成督办单"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)

"""Forms of the supervision pages: issuing a 督办单, replying to one, a 通报 period, a 追责 record, the assessment."""

from __future__ import annotations

from datetime import date
from typing import Any

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
from accountability.models import Circular, SupervisionOrder
from accountability.selectors import circulars_for_user, supervision_orders_for_user
from accountability.services.deadlines import Subject
from accountability.services.supervision import NO_SUBJECT
from accountability.subjects import SupervisionTarget, supervision_target_find, supervision_target_kinds
from core.forms import DATE_INPUT, VersionForm
from core.models import Unit, User
from core.selectors import unit_qs_visible_to

SEARCHABLE = {"data-searchable": "true"}


def resolve_one_target(form: forms.Form, user: User, *, required: bool = True) -> SupervisionTarget | None:
    """The one subject named in the form's target fields (信访事项, 重点信访问题, 排查发现), each error at its field:
    none (when required), more than one, or one the user may not see."""
    kinds = supervision_target_kinds()
    filled = [kind for kind in kinds if (form.cleaned_data.get(kind.field) or "").strip()]
    if not filled:
        if required:
            form.add_error(kinds[0].field, str(NO_SUBJECT))
        return None
    if len(filled) > 1:
        for kind in filled:
            form.add_error(
                kind.field, _("督办对象只能填写一个：请只保留信访事项、重点信访问题或排查发现之一。")
            )
        return None
    kind = filled[0]
    target = supervision_target_find(user, kind.field, form.cleaned_data[kind.field])
    if target is None:
        form.add_error(
            kind.field,
            _("没有找到%(hint)s为“%(value)s”的%(label)s，或不在本单位范围内。")
            % {"hint": kind.hint, "value": form.cleaned_data[kind.field].strip(), "label": kind.label},
        )
    return target


def add_target_fields(form: forms.Form) -> None:
    """One optional field per kind of subject a 督办单 may be issued on, labelled with its number's name."""
    for kind in supervision_target_kinds():
        form.fields[kind.field] = forms.CharField(
            label=_("%(label)s（%(hint)s）") % {"label": kind.label, "hint": kind.hint},
            max_length=40,
            required=False,
        )


class SupervisionIssueForm(forms.Form):
    """A supervisor issues a 督办单 on one item, key case or screening finding, to a unit of their subtree (by
    default the unit that answers for the subject)."""

    unit = forms.ModelChoiceField(
        label=_("被督办单位（不选则为督办对象的责任单位）"),
        queryset=Unit.objects.none(),
        widget=forms.Select(attrs=SEARCHABLE),
        required=False,
    )
    ground = forms.ChoiceField(label=_("督办事由"), choices=SupervisionGround.choices)
    method = forms.ChoiceField(label=_("督办方式"), choices=SupervisionMethod.choices)
    requirement = forms.CharField(
        label=_("督办要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "autofocus": True})
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user
        self.fields["unit"].queryset = unit_qs_visible_to(user).order_by("path")  # type: ignore[attr-defined]
        add_target_fields(self)
        targets = [kind.field for kind in supervision_target_kinds()]
        self.order_fields([*targets, "requirement", "unit", "ground", "method"])

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        target = resolve_one_target(self, self.user)
        data["subject"] = Subject(target.subject_type, target.subject_id) if target else None
        if target is not None and not data.get("unit"):
            data["unit"] = self.fields["unit"].queryset.filter(pk=target.unit_id).first()  # type: ignore[attr-defined]
            if data["unit"] is None:
                self.add_error("unit", _("督办对象的责任单位不在本单位范围内，请选择被督办单位。"))
        return data


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
    """A 追责 decision against one person, optionally about one item or case and citing a 督办单 or a 通报 of the
    user's reach (the link a record started from an overdue item, an order or a 通报 carries)."""

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
    supervision_order = forms.ModelChoiceField(
        label=_("关联督办单"),
        queryset=SupervisionOrder.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    circular = forms.ModelChoiceField(
        label=_("关联通报"), queryset=Circular.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user
        self.fields["unit"].queryset = unit_qs_visible_to(user).order_by("path")  # type: ignore[attr-defined]
        self.fields["supervision_order"].queryset = supervision_orders_for_user(user)  # type: ignore[attr-defined]
        self.fields["circular"].queryset = circulars_for_user(user)  # type: ignore[attr-defined]
        add_target_fields(self)
        for kind in supervision_target_kinds():
            self.fields[kind.field].label = _("关联%(label)s（%(hint)s，可不填）") % {
                "label": kind.label,
                "hint": kind.hint,
            }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        target = resolve_one_target(self, self.user, required=False)
        data["subject"] = Subject(target.subject_type, target.subject_id) if target else None
        return data

    def service_arguments(self) -> dict[str, Any]:
        """What accountability_record_create takes, without the subject's number fields."""
        fields = {kind.field for kind in supervision_target_kinds()}
        return {name: value for name, value in self.cleaned_data.items() if name not in fields}


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

"""Forms of the petition pages: intake (visit, letter, other channels), each life-cycle step, delivery."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_INPUT, DivisionField
from core.models import Unit, User
from core.select_options import name_options, options_read_once, tree_label, tree_options
from petitions.choices import (
    AttachmentKind,
    Channel,
    CloseReason,
    DeliveryMethod,
    Marker,
    Outcome,
    Purpose,
    ReviewDecision,
    Route,
    Satisfaction,
)
from petitions.models import Category
from petitions.selectors import category_choices, units_for_assignment
from petitions.services.intake import (
    DEMAND_LIMIT,
    MAX_REPRESENTATIVES,
    SUMMARY_LIMIT,
    IntakeInput,
    PetitionerInput,
)
from petitions.services.particulars import Correction


def _today() -> date:
    return timezone.localdate()


def new_submission_key() -> str:
    """A fresh submission key for an empty registration form."""
    return uuid.uuid4().hex


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Categories indented under their parent, so the list reads as the category tree."""

    def label_from_instance(self, obj: Category) -> str:
        return tree_label(obj.depth, obj.name)


class IntakeForm(forms.Form):
    """The item's fields, in the order of the paper registration form."""

    received_on = forms.DateField(label=_("信访日期"), initial=_today, widget=DATE_INPUT)
    channel = forms.ChoiceField(label=_("信访形式"), choices=Channel.choices)
    head_count = forms.IntegerField(label=_("信访人数"), min_value=1, max_value=10000, initial=1)
    problem_division = DivisionField(label=_("问题属地"), required=False)
    problem_address = forms.CharField(label=_("问题发生地详址"), max_length=200, required=False)
    complained_unit = forms.ModelChoiceField(
        label=_("被反映单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.Select(attrs={"data-searchable": "true"}),
    )
    complained_unit_name = forms.CharField(
        label=_("被反映单位（不在列表中时填写）"), max_length=100, required=False
    )
    purpose = forms.ChoiceField(label=_("信访目的"), choices=Purpose.choices)
    category = CategoryChoiceField(
        label=_("内容分类"),
        queryset=Category.objects.none(),
        widget=forms.Select(attrs={"data-searchable": "true"}),
    )
    summary = forms.CharField(
        label=_("概况"),
        max_length=SUMMARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "data-suggest": "summary"}),
    )
    demand = forms.CharField(
        label=_("诉求"), max_length=DEMAND_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    markers = forms.MultipleChoiceField(
        label=_("标记"), choices=Marker.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    original = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A new key each time the empty form is shown; a re-shown form keeps the posted one, so a double click, a
    # retried post or a resubmitted page registers the item once.
    submission_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=new_submission_key
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units, categories = units_for_assignment(user), category_choices()
        self.fields["complained_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        options_read_once(self, ["complained_unit"], name_options(units))
        options_read_once(self, ["category"], tree_options(categories))


class PetitionerForm(forms.Form):
    """One person; the ID number, phone and address are validated by the intake service."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "data-suggest": "id_number", "inputmode": "text"}
        ),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-suggest": "phone", "inputmode": "tel"}),
    )
    address_division = DivisionField(label=_("住址"), required=False)
    address_detail = forms.CharField(label=_("详细住址"), max_length=200, required=False)
    is_representative = forms.BooleanField(label=_("代表"), required=False)
    # The known person this row was prefilled from (?person= or ?from=); the service checks it is in reach.
    person = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class PetitionerCorrectionForm(forms.Form):
    """Correct one person's particulars on one item: a masked field left blank keeps its value."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    clear_id_number = forms.BooleanField(label=_("删除身份证号"), required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    clear_phone = forms.BooleanField(label=_("删除联系电话"), required=False)
    address_division = DivisionField(label=_("住址"), required=False)
    address_detail = forms.CharField(label=_("详细住址"), max_length=200, required=False)
    clear_address_detail = forms.BooleanField(label=_("删除详细住址"), required=False)

    def correction(self) -> Correction:
        """The service's input: blank masked fields unchanged, ticked ones cleared."""
        data = self.cleaned_data

        def masked(name: str) -> str | None:
            if data.get(f"clear_{name}"):
                return ""
            return data.get(name) or None

        division = data.get("address_division")
        return Correction(
            name=data["name"],
            id_number=masked("id_number"),
            phone=masked("phone"),
            division_code=division.code if division else "",
            address_detail=masked("address_detail"),
        )


class BasePetitionerFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The people of one item: a collective visit chooses at most five representatives, refused at the sixth row."""

    def clean(self) -> None:
        super().clean()
        representatives = [
            row
            for row in self.forms
            if row.cleaned_data.get("is_representative") and not row.cleaned_data.get("DELETE")
        ]
        if len(representatives) > MAX_REPRESENTATIVES:
            message = _(
                "集体访推选的代表不得超过%(max)s人（《信访工作条例》第二十条），当前%(count)s人。"
            ) % {"max": MAX_REPRESENTATIVES, "count": len(representatives)}
            for row in representatives[MAX_REPRESENTATIVES:]:
                row.add_error("is_representative", message)


PetitionerFormSet = forms.formset_factory(
    PetitionerForm, formset=BasePetitionerFormSet, extra=0, min_num=1, validate_min=True, max_num=30
)


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that accepts several files at once."""

    allow_multiple_selected = True


class AttachmentsForm(forms.Form):
    """Files at intake: the scanned letter (required for letters) and any other material."""

    letter_scan = forms.FileField(
        label=_("来信扫描件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    others = forms.FileField(
        label=_("其他附件（照片、证明材料）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


def intake_input(form: IntakeForm, people: Any) -> IntakeInput:
    """Turn the valid forms into the service's input."""
    data = form.cleaned_data
    petitioners = [
        PetitionerInput(
            name=row["name"],
            id_number=row.get("id_number", ""),
            phone=row.get("phone", ""),
            division_code=row["address_division"].code if row.get("address_division") else "",
            address_detail=row.get("address_detail", ""),
            is_representative=bool(row.get("is_representative")),
            person_id=row.get("person"),
        )
        for row in people.cleaned_data
        if row and not row.get("DELETE")
    ]
    return IntakeInput(
        channel=data["channel"],
        purpose=data["purpose"],
        category_id=data["category"].pk,
        received_on=data["received_on"],
        summary=data["summary"],
        demand=data["demand"],
        petitioners=petitioners,
        head_count=data["head_count"],
        markers=list(data["markers"]),
        problem_division_code=data["problem_division"].code if data.get("problem_division") else "",
        problem_address=data.get("problem_address", ""),
        complained_unit_id=data["complained_unit"].pk if data.get("complained_unit") else None,
        complained_unit_name=data.get("complained_unit_name", ""),
        original_id=data.get("original"),
        submission_key=data.get("submission_key", ""),
    )


def intake_files(request_files: Any) -> list[tuple[str, Any]]:
    """(kind, file) pairs from the upload fields."""
    files: list[tuple[str, Any]] = []
    scan = request_files.get("letter_scan")
    if scan:
        files.append((AttachmentKind.LETTER_SCAN, scan))
    for upload in request_files.getlist("others"):
        files.append((AttachmentKind.EVIDENCE, upload))
    return files


class StepForm(forms.Form):
    """Every step takes the date it happened (defaulting to today) so items can be entered after the fact."""

    on = forms.DateField(label=_("办理日期"), initial=_today, widget=DATE_INPUT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(StepForm):
    unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.none(),
        widget=forms.Select(attrs={"data-searchable": "true"}),
    )
    note = forms.CharField(
        label=_("交办意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units_for_assignment(user)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        options_read_once(self, ["unit"], name_options(units))


class AcceptForm(StepForm):
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(StepForm):
    route = forms.ChoiceField(
        label=_("应导入的法定途径"), choices=[c for c in Route.choices if c[0] != Route.ORDINARY]
    )
    reason = forms.CharField(
        label=_("理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ObjectForm(StepForm):
    reason = forms.CharField(label=_("异议理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RequestExtensionForm(StepForm):
    days = forms.IntegerField(label=_("申请延长（日）"), min_value=1, max_value=30, initial=30)
    reason = forms.CharField(label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(StepForm):
    approve = forms.TypedChoiceField(
        label=_("审批意见"),
        choices=[("yes", _("批准")), ("no", _("不批准"))],
        coerce=lambda value: value == "yes",
        initial="yes",
    )
    days = forms.IntegerField(label=_("延长（日）"), min_value=1, max_value=30, required=False)
    reason = forms.CharField(
        label=_("延期理由（告知信访人）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyForm(StepForm):
    outcome = forms.ChoiceField(label=_("处理意见"), choices=Outcome.choices)
    opinion = forms.CharField(
        label=_("处理意见书正文"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ReworkForm(StepForm):
    reason = forms.CharField(
        label=_("退回重办意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvaluateForm(StepForm):
    satisfaction = forms.ChoiceField(label=_("信访人评价"), choices=Satisfaction.choices)


class DecisionForm(StepForm):
    decision = forms.ChoiceField(label=_("决定"), choices=ReviewDecision.choices)
    opinion = forms.CharField(
        label=_("意见书正文"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class HearingForm(StepForm):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class CloseForm(StepForm):
    reason = forms.ChoiceField(label=_("办结方式"), choices=CloseReason.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class DeliverForm(StepForm):
    method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)
    receiver = forms.CharField(label=_("签收人"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("邮件单号"), max_length=40, required=False)


class PublicQueryForm(forms.Form):
    """The petitioner's query: item number and query code."""

    number = forms.CharField(
        label=_("信访件编号"), max_length=20, widget=forms.TextInput(attrs={"autofocus": True})
    )
    code = forms.CharField(label=_("查询码"), max_length=8)

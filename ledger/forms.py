"""Forms of the ledger pages: a key case and its actions, bulk actions, screening reports, sensitive periods."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_INPUT, DivisionField, VersionForm
from core.models import Unit, User
from core.select_options import options_read_once, people_options, person_label, tree_label, tree_options
from core.selectors import unit_qs_visible_to
from ledger.choices import STATUS_MOVES, CaseStatus, FocusArea, RiskLevel, Source
from ledger.models import KeyCase
from ledger.selectors import leaders_for_case_owner, people_for_cases
from ledger.services.keycases import KeyCaseInput
from ledger.services.screening import FindingInput, ReportInput

SEARCHABLE = {"data-searchable": "true"}
ITEM_NUMBER = re.compile(r"XF\d{4}-\d{6}", re.IGNORECASE)


def _today() -> date:
    return timezone.localdate()


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """People shown with their unit: 张三（城关区）."""

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj.full_name, obj.unit.name)


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Units indented by depth so the tree reads at a glance."""

    def label_from_instance(self, obj: Unit) -> str:
        return tree_label(obj.depth, obj.name)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Unit) -> str:
        return tree_label(obj.depth, obj.name)


def _units(user: User) -> Any:
    return unit_qs_visible_to(user).filter(is_active=True).order_by("path")


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CaseFieldsMixin(forms.Form):
    """Where people and units come from: the actor's own line of units."""

    def set_choices(self, user: User) -> None:
        """Give the unit and people boxes their querysets; the unit boxes share one read of the units."""
        units = _units(user)
        unit_fields = [field for field in ("responsible_unit", "stabilizing_unit") if field in self.fields]
        for field in unit_fields:
            self.fields[field].queryset = units  # type: ignore[attr-defined]
        options_read_once(self, unit_fields, tree_options(units))
        for person_field, people in (
            ("owner", leaders_for_case_owner(user)),
            ("responsible_person", people_for_cases(user)),
        ):
            if person_field in self.fields:
                self.fields[person_field].queryset = people  # type: ignore[attr-defined]
                options_read_once(self, [person_field], people_options(people))


class KeyCaseForm(CaseFieldsMixin):
    """列入台账: the fields in the order of the paper ledger."""

    title = forms.CharField(
        label=_("问题名称"), max_length=100, widget=forms.TextInput(attrs={"autofocus": True})
    )
    group_concerned = forms.CharField(
        label=_("涉及群体"), max_length=50, required=False, help_text=_("如 民办教师、退役运动员")
    )
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    source_note = forms.CharField(label=_("来源说明"), max_length=200, required=False)
    head_count = forms.IntegerField(label=_("涉及人数"), min_value=0, initial=0)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    problem = forms.CharField(label=_("问题概况"), max_length=2000, widget=_textarea(4))
    owner = PersonChoiceField(
        label=_("包案领导"), queryset=User.objects.none(), widget=forms.Select(attrs=SEARCHABLE)
    )
    responsible_unit = UnitChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SEARCHABLE)
    )
    responsible_person = PersonChoiceField(
        label=_("责任人"), queryset=User.objects.none(), required=False, widget=forms.Select(attrs=SEARCHABLE)
    )
    stabilizing_unit = UnitChoiceField(
        label=_("稳控单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.Select(attrs=SEARCHABLE),
    )
    measures = forms.CharField(label=_("化解措施"), max_length=2000, widget=_textarea(4))
    opened_on = forms.DateField(label=_("列入台账日期"), initial=_today, widget=DATE_INPUT)
    resolve_by = forms.DateField(label=_("化解时限"), widget=DATE_INPUT)
    items = forms.CharField(
        label=_("关联信访事项（编号，可多个）"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "XF2026-000001 XF2026-000002"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(user)

    def clean_items(self) -> list[str]:
        return item_numbers(self.cleaned_data.get("items", ""))

    def to_input(self, item_ids: list[int]) -> KeyCaseInput:
        data = self.cleaned_data
        return KeyCaseInput(
            title=data["title"],
            problem=data["problem"],
            source=data["source"],
            risk_level=data["risk_level"],
            owner_id=data["owner"].pk,
            responsible_unit_id=data["responsible_unit"].pk,
            measures=data["measures"],
            resolve_by=data["resolve_by"],
            group_concerned=data.get("group_concerned", ""),
            source_note=data.get("source_note", ""),
            head_count=data.get("head_count") or 0,
            responsible_person_id=data["responsible_person"].pk if data.get("responsible_person") else None,
            stabilizing_unit_id=data["stabilizing_unit"].pk if data.get("stabilizing_unit") else None,
            opened_on=data["opened_on"],
            item_ids=item_ids,
        )


def item_numbers(raw: str) -> list[str]:
    """Item numbers typed in a box, separated by spaces, commas or new lines; anything else is refused."""
    words = [word for word in re.split(r"[\s,，、;；]+", raw or "") if word]
    wrong = [word for word in words if not ITEM_NUMBER.fullmatch(word)]
    if wrong:
        raise forms.ValidationError(
            _("编号格式不正确：%(numbers)s（应如 XF2026-000001）") % {"numbers": "、".join(wrong)}
        )
    return sorted({word.upper() for word in words})


class ProgressForm(VersionForm):
    """报送进展; the status may move along the table of choices.STATUS_MOVES."""

    reported_on = forms.DateField(label=_("进展日期"), initial=_today, widget=DATE_INPUT)
    done = forms.CharField(label=_("工作进展"), max_length=2000, widget=_textarea(4))
    next_step = forms.CharField(label=_("下一步措施"), max_length=2000, required=False, widget=_textarea(3))
    status_after = forms.ChoiceField(label=_("化解状态"))
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, case: KeyCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [case.status, *sorted(STATUS_MOVES.get(case.status, ()))]
        self.fields["status_after"].choices = [  # type: ignore[attr-defined]
            (v, label) for v, label in CaseStatus.choices if v in allowed
        ]
        self.fields["status_after"].initial = case.status


class LinkItemsForm(VersionForm):
    numbers = forms.CharField(
        label=_("信访事项编号"),
        widget=forms.TextInput(attrs={"placeholder": "XF2026-000001 XF2026-000002"}),
    )

    def clean_numbers(self) -> list[str]:
        return item_numbers(self.cleaned_data.get("numbers", ""))


class StrikeOffRequestForm(VersionForm):
    on = forms.DateField(label=_("申请日期"), initial=_today, widget=DATE_INPUT)
    reason = forms.CharField(label=_("销号理由"), max_length=2000, widget=_textarea(3))


class StrikeOffDecideForm(VersionForm):
    approve = forms.TypedChoiceField(
        label=_("审批意见"),
        choices=[("yes", _("批准销号")), ("no", _("不批准，退回继续化解"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("审批日期"), initial=_today, widget=DATE_INPUT)
    note = forms.CharField(
        label=_("审批意见说明（退回时必填）"), max_length=2000, required=False, widget=_textarea(3)
    )
    new_resolve_by = forms.DateField(label=_("新的化解时限（退回时必填）"), required=False, widget=DATE_INPUT)


class EditForm(VersionForm):
    """The description fields a section head may edit."""

    title = forms.CharField(label=_("问题名称"), max_length=100)
    group_concerned = forms.CharField(label=_("涉及群体"), max_length=50, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    source_note = forms.CharField(label=_("来源说明"), max_length=200, required=False)
    head_count = forms.IntegerField(label=_("涉及人数"), min_value=0)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    problem = forms.CharField(label=_("问题概况"), max_length=2000, widget=_textarea(4))
    measures = forms.CharField(label=_("化解措施"), max_length=2000, widget=_textarea(4))


class AssignForm(VersionForm, CaseFieldsMixin):
    """改派: owner, responsible unit and person, stabilizing unit."""

    owner = PersonChoiceField(
        label=_("包案领导"), queryset=User.objects.none(), widget=forms.Select(attrs=SEARCHABLE)
    )
    responsible_unit = UnitChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SEARCHABLE)
    )
    responsible_person = PersonChoiceField(
        label=_("责任人"), queryset=User.objects.none(), required=False, widget=forms.Select(attrs=SEARCHABLE)
    )
    stabilizing_unit = UnitChoiceField(
        label=_("稳控单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.Select(attrs=SEARCHABLE),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(user)


class DeadlineForm(VersionForm):
    resolve_by = forms.DateField(label=_("新的化解时限"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("调整理由"), max_length=500, required=False)


class BulkForm(CaseFieldsMixin):
    """One bulk action on the ticked rows: assign (any of the four fields) or set the deadline."""

    ACTIONS = [("assign", _("批量改派")), ("deadline", _("批量调整化解时限"))]

    action = forms.ChoiceField(label=_("批量操作"), choices=ACTIONS)
    cases = forms.TypedMultipleChoiceField(coerce=int, required=False, label=_("台账"))
    owner = PersonChoiceField(
        label=_("包案领导"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs=SEARCHABLE),
    )
    responsible_unit = UnitChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.Select(attrs=SEARCHABLE),
    )
    responsible_person = PersonChoiceField(
        label=_("责任人"), queryset=User.objects.none(), required=False, widget=forms.Select(attrs=SEARCHABLE)
    )
    stabilizing_unit = UnitChoiceField(
        label=_("稳控单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.Select(attrs=SEARCHABLE),
    )
    resolve_by = forms.DateField(label=_("新的化解时限"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, user: User, case_ids: list[int], **kwargs: Any) -> None:
        # Its boxes share the ledger page with the filter form, whose 包案领导 box is also named owner.
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        self.set_choices(user)
        self.fields["cases"].choices = [(pk, str(pk)) for pk in case_ids]  # type: ignore[attr-defined]
        self.fields["cases"].error_messages["invalid_choice"] = _("所选台账不在您的范围内。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("cases"):
            self.add_error("cases", _("请至少勾选一条台账。"))
        if (
            data.get("action") == "deadline"
            and not data.get("resolve_by")
            and "resolve_by" not in self.errors
        ):
            self.add_error("resolve_by", _("请填写新的化解时限。"))
        names = ("owner", "responsible_unit", "responsible_person", "stabilizing_unit")
        if data.get("action") == "assign" and not any(data.get(name) for name in names):
            self.add_error("owner", _("请至少选择包案领导、责任单位、责任人或稳控单位中的一项。"))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["action"] == "deadline":
            return {"resolve_by": data["resolve_by"]}

        def pk(name: str) -> int | None:
            return data[name].pk if data.get(name) else None

        return {
            "owner_id": pk("owner"),
            "responsible_unit_id": pk("responsible_unit"),
            "responsible_person_id": pk("responsible_person"),
            "stabilizing_unit_id": pk("stabilizing_unit"),
        }


class ScreeningReportForm(VersionForm):
    is_zero = forms.BooleanField(label=_("零报告（本期未排查出矛盾纠纷）"), required=False)
    summary = forms.CharField(label=_("排查情况"), max_length=2000, required=False, widget=_textarea(3))


class FindingForm(forms.Form):
    description = forms.CharField(label=_("矛盾纠纷或风险"), max_length=2000, widget=_textarea(2))
    focus_area = forms.ChoiceField(label=_("类别"), choices=[("", "---------"), *FocusArea.choices])
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=[("", "---------"), *RiskLevel.choices])
    parties = forms.CharField(label=_("当事人"), max_length=200, required=False)
    division = DivisionField(label=_("所在地"), required=False)
    location = forms.CharField(label=_("详细地点"), max_length=200, required=False)
    head_count = forms.IntegerField(label=_("涉及人数"), min_value=0, initial=0, required=False)
    measures = forms.CharField(label=_("化解稳控措施"), max_length=2000, required=False, widget=_textarea(2))


FindingFormSet = forms.formset_factory(FindingForm, extra=0, max_num=50, validate_max=True, can_delete=True)


def report_input(form: ScreeningReportForm, findings: Any) -> ReportInput:
    rows = [row for row in findings.cleaned_data if row and not row.get("DELETE")]
    return ReportInput(
        is_zero=form.cleaned_data["is_zero"],
        summary=form.cleaned_data.get("summary", ""),
        findings=[
            FindingInput(
                description=row["description"],
                focus_area=row["focus_area"],
                risk_level=row["risk_level"],
                parties=row.get("parties", ""),
                division_code=row["division"].code if row.get("division") else "",
                location=row.get("location", ""),
                head_count=row.get("head_count") or 0,
                measures=row.get("measures", ""),
            )
            for row in rows
        ],
    )


class SensitivePeriodForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50, widget=forms.TextInput(attrs={"autofocus": True}))
    starts_on = forms.DateField(label=_("开始日期"), initial=_today, widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_INPUT)
    units = UnitMultipleChoiceField(
        label=_("覆盖单位（含下级，至乡镇）"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs=SEARCHABLE),
    )
    note = forms.CharField(label=_("工作要求"), max_length=2000, required=False, widget=_textarea(3))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units(user)  # type: ignore[attr-defined]


class PeriodEndForm(VersionForm):
    on = forms.DateField(label=_("最后报送日"), initial=_today, widget=DATE_INPUT)


class DailyReportForm(VersionForm):
    is_zero = forms.BooleanField(label=_("零报告（今日无异常情况）"), required=False)
    content = forms.CharField(label=_("报告内容"), max_length=2000, required=False, widget=_textarea(4))

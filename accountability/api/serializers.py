"""Serializers of the accountability API: 督办单 with their reply clock, archived 通报 and 追责 records.

Numbers, statuses, issuing units, who issued or recorded and every timestamp are the server's: the write
serializers do not have those fields, so a client sending them changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accountability.choices import (
    AccountabilityMeasure,
    DeadlineStatus,
    Liability,
    SupervisionGround,
    SupervisionMethod,
    SupervisionStatus,
)
from accountability.models import AccountabilityRecord, Circular, Deadline, SupervisionOrder
from accountability.selectors import circulars_for_user, supervision_orders_for_user
from accountability.services.deadlines import Subject
from accountability.services.supervision import NO_SUBJECT, supervision_may_close, supervision_may_reply
from accountability.subjects import (
    SubjectSummary,
    SupervisionTarget,
    TargetKind,
    supervision_target_find,
    supervision_target_kinds,
)
from core.api.serializers import VersionSerializer
from core.selectors import unit_qs_visible_to


def _today() -> date:
    return timezone.localdate()


@extend_schema_field(OpenApiTypes.INT)
class VisibleUnitField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A unit id of the caller's subtree; any other id is refused at the field."""

    default_error_messages = {
        "required": _("请选择单位。"),
        "null": _("请选择单位。"),
        "does_not_exist": _("请选择本单位或下级单位。"),
        "incorrect_type": _("单位应为编号。"),
    }

    def get_queryset(self) -> Any:
        return unit_qs_visible_to(self.context["user"])


@extend_schema_field(OpenApiTypes.INT)
class VisibleOrderField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A 督办单 id the caller's subtree received or issued; any other id is refused at the field."""

    default_error_messages = {
        "does_not_exist": _("没有找到该督办单，或不在本单位范围内。"),
        "incorrect_type": _("督办单应为编号。"),
    }

    def get_queryset(self) -> Any:
        return supervision_orders_for_user(self.context["user"])


@extend_schema_field(OpenApiTypes.INT)
class VisibleCircularField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A 通报 id in the caller's reach; any other id is refused at the field."""

    default_error_messages = {
        "does_not_exist": _("没有找到该通报，或不在本单位范围内。"),
        "incorrect_type": _("通报应为编号。"),
    }

    def get_queryset(self) -> Any:
        return circulars_for_user(self.context["user"])


# --- 督办单 ----------------------------------------------------------------------------------------------------


class SupervisionOrderSerializer(serializers.ModelSerializer[SupervisionOrder]):
    """A 督办单 with its reply clock and what the caller may do with it next (one shape for list and detail)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    ground_label = serializers.CharField(source="get_ground_display", read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    issuing_unit_name = serializers.CharField(source="issuing_unit.name", read_only=True)
    issued_by_name = serializers.CharField(
        source="issued_by.full_name", read_only=True, default=None, help_text="为空：预警升级自动生成"
    )
    replied_by_name = serializers.CharField(source="replied_by.full_name", read_only=True, default=None)
    subject_reference = serializers.SerializerMethodField(
        help_text="督办对象的编号（信访件编号、台账编号等）"
    )
    subject_summary = serializers.SerializerMethodField(help_text="督办对象的一行摘要")
    reply_due_on = serializers.SerializerMethodField(help_text="答复期限")
    reply_overdue = serializers.SerializerMethodField(help_text="已过答复期限仍未答复")
    may_reply = serializers.SerializerMethodField(help_text="调用者可以答复")
    may_close = serializers.SerializerMethodField(help_text="调用者可以办结")

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "unit",
            "unit_name",
            "issuing_unit",
            "issuing_unit_name",
            "ground",
            "ground_label",
            "method",
            "method_label",
            "requirement",
            "issued_by",
            "issued_by_name",
            "issued_on",
            "deadline",
            "subject_type",
            "subject_id",
            "subject_reference",
            "subject_summary",
            "reply_due_on",
            "reply_overdue",
            "reply",
            "replied_by_name",
            "replied_on",
            "created_at",
            "may_reply",
            "may_close",
            "version",
        ]
        read_only_fields = fields

    def _clock(self, order: SupervisionOrder) -> Deadline | None:
        clock: Deadline | None = self.context["clocks"].get(order.pk)
        return clock

    def _subject(self, order: SupervisionOrder) -> SubjectSummary | None:
        found: SubjectSummary | None = self.context.get("subjects", {}).get(
            (order.subject_type, order.subject_id)
        )
        return found

    def get_subject_reference(self, order: SupervisionOrder) -> str | None:
        subject = self._subject(order)
        return None if subject is None else subject.reference

    def get_subject_summary(self, order: SupervisionOrder) -> str | None:
        subject = self._subject(order)
        return None if subject is None else subject.summary

    def get_reply_due_on(self, order: SupervisionOrder) -> date | None:
        clock = self._clock(order)
        return None if clock is None else clock.due_on

    def get_reply_overdue(self, order: SupervisionOrder) -> bool:
        clock = self._clock(order)
        return bool(clock and clock.status == DeadlineStatus.OPEN and clock.due_on < timezone.localdate())

    def get_may_reply(self, order: SupervisionOrder) -> bool:
        return order.status == SupervisionStatus.ISSUED and supervision_may_reply(self.context["user"], order)

    def get_may_close(self, order: SupervisionOrder) -> bool:
        return order.status == SupervisionStatus.REPLIED and supervision_may_close(
            self.context["user"], order
        )


def _target_fields(required_note: str) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
    """One optional field per kind of subject a 督办单 may be issued on (item, key_case, finding), by its number."""
    return {
        kind.field: serializers.CharField(
            max_length=40,
            required=False,
            allow_blank=True,
            help_text=f"{kind.label}的{kind.hint}（{required_note}）",
        )
        for kind in supervision_target_kinds()
    }


def _one_kind(raw: dict[str, str], *, required: bool) -> TargetKind | None:
    """The kind of the one subject the body names by item / key_case / finding, refused at the field like the
    page's form: none (when required) or more than one."""
    kinds = supervision_target_kinds()
    filled = [kind for kind in kinds if (raw.get(kind.field) or "").strip()]
    if not filled:
        if required:
            raise serializers.ValidationError({kinds[0].field: [str(NO_SUBJECT)]})
        return None
    if len(filled) > 1:
        message = str(_("督办对象只能填写一个：请只保留信访事项、重点信访问题或排查发现之一。"))
        raise serializers.ValidationError({kind.field: [message] for kind in filled})
    return filled[0]


def _find_target(user: Any, kind: TargetKind, reference: str) -> SupervisionTarget:
    """The subject of that number the caller may see, or a refusal at its field."""
    target = supervision_target_find(user, kind.field, reference)
    if target is None:
        message = _("没有找到该%(label)s，或不在本单位范围内。") % {"label": kind.label}
        raise serializers.ValidationError({kind.field: [message]})
    return target


class SupervisionIssueSerializer(serializers.Serializer[dict[str, Any]]):
    """POST /api/v1/accountability/supervision-orders/: a supervisor issues a 督办单 dated today on exactly one
    subject (`item`, `key_case` or `finding`, by its number); `unit` defaults to the subject's responsible unit."""

    unit = VisibleUnitField(
        help_text="被督办单位：本单位或下级单位；不填则为督办对象的责任单位", required=False
    )
    ground = serializers.ChoiceField(choices=SupervisionGround.choices, help_text="督办事由")
    method = serializers.ChoiceField(choices=SupervisionMethod.choices, help_text="督办方式")
    requirement = serializers.CharField(max_length=2000, help_text="督办要求")

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        return {**_target_fields("三者必填其一"), **super().get_fields()}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["user"]
        raw = {kind.field: attrs.get(kind.field, "") for kind in supervision_target_kinds()}
        kind = _one_kind(raw, required=True)
        target = _find_target(user, kind, raw[kind.field]) if kind else None
        if target is None:  # unreachable: a required kind is found or refused
            raise serializers.ValidationError({"item": [str(NO_SUBJECT)]})
        data = {name: value for name, value in attrs.items() if name not in raw}
        data["subject"] = Subject(target.subject_type, target.subject_id)
        if data.get("unit") is None:
            data["unit"] = unit_qs_visible_to(user).filter(pk=target.unit_id).first()
            if data["unit"] is None:
                message = _("督办对象的责任单位不在本单位范围内，请选择被督办单位。")
                raise serializers.ValidationError({"unit": [message]})
        return data


class SupervisionReplySerializer(VersionSerializer):
    """The supervised unit's written reply."""

    reply = serializers.CharField(
        max_length=4000,
        help_text="答复内容",
        error_messages={"required": _("请填写答复内容。"), "blank": _("请填写答复内容。")},
    )
    replied_on = serializers.DateField(default=_today, help_text="答复日期，缺省为今天")


# --- 通报 -----------------------------------------------------------------------------------------------------


class CircularRowSerializer(serializers.Serializer[dict[str, Any]]):
    """One unit's line of a 通报, as frozen when it was issued."""

    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    overdue = serializers.IntegerField(help_text="超期事项")
    missed_reports = serializers.IntegerField(help_text="未按时报送报告")
    unanswered_supervision = serializers.IntegerField(help_text="逾期未答复督办")


class CircularSerializer(serializers.ModelSerializer[Circular]):
    """An archived 通报 as a list row."""

    issuing_unit_name = serializers.CharField(source="issuing_unit.name", read_only=True)
    issued_by_name = serializers.CharField(source="issued_by.full_name", read_only=True)
    unit_count = serializers.SerializerMethodField(help_text="被通报单位数")

    class Meta:
        model = Circular
        fields = [
            "id",
            "number",
            "title",
            "issuing_unit",
            "issuing_unit_name",
            "period_start",
            "period_end",
            "issued_by_name",
            "issued_at",
            "unit_count",
        ]
        read_only_fields = fields

    def get_unit_count(self, circular: Circular) -> int:
        return len(circular.rows)


class CircularDetailSerializer(CircularSerializer):
    """An archived 通报 with its frozen rows."""

    rows = CircularRowSerializer(many=True, read_only=True)

    class Meta(CircularSerializer.Meta):
        fields = [*CircularSerializer.Meta.fields, "rows"]
        read_only_fields = fields


class CircularIssueSerializer(serializers.Serializer[dict[str, Any]]):
    """POST /api/v1/accountability/circulars/: freeze the period's 通报 for the caller's unit subtree."""

    start = serializers.DateField(help_text="起始日")
    end = serializers.DateField(default=_today, help_text="截止日，缺省为今天")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- 追责 -----------------------------------------------------------------------------------------------------


class AccountabilityRecordSerializer(serializers.ModelSerializer[AccountabilityRecord]):
    """A 追责 decision against one person of a unit."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    liability_label = serializers.CharField(source="get_liability_display", read_only=True)
    measure_label = serializers.CharField(source="get_measure_display", read_only=True)
    supervision_order_number = serializers.CharField(
        source="supervision_order.number", read_only=True, default=None
    )
    circular_number = serializers.CharField(source="circular.number", read_only=True, default=None)
    recorded_by_name = serializers.CharField(source="recorded_by.full_name", read_only=True)

    class Meta:
        model = AccountabilityRecord
        fields = [
            "id",
            "unit",
            "unit_name",
            "person_name",
            "person_title",
            "liability",
            "liability_label",
            "measure",
            "measure_label",
            "reason",
            "decided_by",
            "decided_on",
            "supervision_order",
            "supervision_order_number",
            "circular",
            "circular_number",
            "subject_type",
            "subject_id",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class AccountabilityRecordCreateSerializer(serializers.Serializer[dict[str, Any]]):
    """POST /api/v1/accountability/records/: record a 追责 decision (the fields of the page's form)."""

    unit = VisibleUnitField(help_text="责任单位：本单位或下级单位")
    person_name = serializers.CharField(max_length=50, help_text="被追责人")
    person_title = serializers.CharField(max_length=50, help_text="职务")
    liability = serializers.ChoiceField(choices=Liability.choices, help_text="责任类型（一岗双责）")
    measure = serializers.ChoiceField(choices=AccountabilityMeasure.choices, help_text="追责措施")
    reason = serializers.CharField(max_length=2000, help_text="事由")
    decided_by = serializers.CharField(max_length=100, help_text="决定机关")
    decided_on = serializers.DateField(help_text="决定日期")
    supervision_order = VisibleOrderField(required=False, allow_null=True, help_text="依据的督办单（可不填）")
    circular = VisibleCircularField(required=False, allow_null=True, help_text="依据的通报（可不填）")

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        return {**super().get_fields(), **_target_fields("可不填，至多一个")}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["user"]
        raw = {kind.field: attrs.get(kind.field, "") for kind in supervision_target_kinds()}
        kind = _one_kind(raw, required=False)
        data = {name: value for name, value in attrs.items() if name not in raw}
        if kind is not None:
            target = _find_target(user, kind, raw[kind.field])
            data["subject"] = Subject(target.subject_type, target.subject_id)
        return data

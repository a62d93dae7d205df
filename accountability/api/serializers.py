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
from accountability.services.supervision import supervision_may_close, supervision_may_reply
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


class SupervisionIssueSerializer(serializers.Serializer[dict[str, Any]]):
    """POST /api/v1/accountability/supervision-orders/: a supervisor issues a 督办单 dated today."""

    unit = VisibleUnitField(help_text="被督办单位：本单位或下级单位")
    ground = serializers.ChoiceField(choices=SupervisionGround.choices, help_text="督办事由")
    method = serializers.ChoiceField(choices=SupervisionMethod.choices, help_text="督办方式")
    requirement = serializers.CharField(max_length=2000, help_text="督办要求")


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

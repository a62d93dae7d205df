"""Serializers of the petitions API; personal data always leaves masked."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.utils import html

from accountability.selectors import DeadlineView
from core.api.serializers import VersionSerializer
from core.pii import mask_address, mask_id_number, mask_phone
from petitions.choices import (
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
from petitions.models import Document, Item, ItemPetitioner
from petitions.services.intake import IntakeInput, PetitionerInput
from petitions.services.particulars import Correction


class DeadlineSerializer(serializers.Serializer[DeadlineView]):
    """One clock of the item."""

    kind = serializers.CharField(source="deadline.rule_id")
    label = serializers.CharField(source="deadline.rule.label")  # type: ignore[assignment]  # the API field is named "label"
    unit = serializers.CharField(source="deadline.unit.name")
    starts_on = serializers.DateField(source="deadline.starts_on")
    due_on = serializers.DateField(source="deadline.due_on")
    status = serializers.CharField(source="deadline.status")
    provisional = serializers.BooleanField(source="deadline.provisional")
    paused = serializers.BooleanField(source="deadline.is_paused")
    calendar_days_left = serializers.IntegerField()
    working_days_left = serializers.IntegerField()
    overdue = serializers.BooleanField()


class PetitionerSerializer(serializers.Serializer[ItemPetitioner]):
    """A person on the item, as given for this item, with ID number, phone and street address masked.

    `id` is the person's number across items (what reveal and the petitioner file take).
    """

    id = serializers.IntegerField(source="petitioner_id")
    name = serializers.CharField()
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    address_division = serializers.CharField(source="address_division_id", allow_null=True)
    address_detail = serializers.SerializerMethodField()
    is_representative = serializers.BooleanField()

    def get_id_number(self, link: ItemPetitioner) -> str:
        return mask_id_number(link.id_number)

    def get_phone(self, link: ItemPetitioner) -> str:
        return mask_phone(link.phone)

    def get_address_detail(self, link: ItemPetitioner) -> str:
        return mask_address(link.address_detail)


class ItemListSerializer(serializers.ModelSerializer[Item]):
    """An item as a list row."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True)
    registered_unit = serializers.CharField(source="registered_unit.name", read_only=True)
    responsible_unit = serializers.CharField(source="responsible_unit.name", read_only=True, default=None)
    original = serializers.CharField(source="original.number", read_only=True, default=None)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, default=False, help_text="有未按期完成的责任时限"
    )

    class Meta:
        model = Item
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "overdue",
            "channel",
            "purpose",
            "item_type",
            "category",
            "received_on",
            "registered_on",
            "summary",
            "head_count",
            "markers",
            "registered_unit",
            "responsible_unit",
            "original",
            "repeat_count",
            "version",
        ]
        read_only_fields = fields


class ItemDetailSerializer(ItemListSerializer):
    """An item with its people (masked) and its clocks."""

    petitioners = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    problem_division = serializers.CharField(source="problem_division_id", read_only=True, default=None)

    class Meta(ItemListSerializer.Meta):
        fields = [
            *ItemListSerializer.Meta.fields,
            "demand",
            "problem_division",
            "problem_address",
            "complained_unit_name",
            "route",
            "assigned_on",
            "accepted_on",
            "replied_on",
            "outcome",
            "satisfaction",
            "evaluated_on",
            "review_decision",
            "recheck_decision",
            "closed_on",
            "close_reason",
            "refusal_reason",
            "petitioners",
            "deadlines",
        ]
        read_only_fields = fields

    def get_petitioners(self, item: Item) -> list[dict[str, Any]]:
        return PetitionerSerializer(self.context["petitioners"], many=True).data  # type: ignore[return-value]

    def get_deadlines(self, item: Item) -> list[dict[str, Any]]:
        return DeadlineSerializer(self.context["deadlines"], many=True).data  # type: ignore[return-value]


class PetitionerInputSerializer(serializers.Serializer[dict[str, Any]]):
    """A person in a registration request."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address_division = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    address_detail = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_representative = serializers.BooleanField(required=False, default=False)
    person = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="已知信访人的编号（petitioners[].id），用于没有身份证号时关联同一人；须有本单位可见的信访件。",
    )


class JSONListField(serializers.ListField):
    """A list that also accepts a JSON string, so multipart requests (with a scanned letter) can send it."""

    def get_value(self, dictionary: Any) -> Any:
        # A form field arrives as a one-element list; a JSON list in it must reach to_internal_value whole.
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            values = dictionary.getlist(self.field_name)
            if len(values) == 1 and isinstance(values[0], str) and values[0].lstrip().startswith("["):
                return values[0]
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise serializers.ValidationError("不是有效的 JSON 列表。") from exc
        return super().to_internal_value(data)


class ItemCreateSerializer(serializers.Serializer[dict[str, Any]]):
    """POST /api/v1/petitions/: register an item; multipart may add `letter_scan` and `evidence` files."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    category = serializers.IntegerField()
    received_on = serializers.DateField()
    summary = serializers.CharField(max_length=2000)
    demand = serializers.CharField(max_length=1000)
    head_count = serializers.IntegerField(min_value=1, default=1)
    markers = JSONListField(
        child=serializers.ChoiceField(choices=Marker.choices), required=False, default=list
    )
    problem_division = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    problem_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    complained_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    complained_unit_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    original = serializers.IntegerField(required=False, allow_null=True, default=None)
    petitioners = JSONListField(child=PetitionerInputSerializer(), min_length=1)
    submission_key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="提交标识（8–64位字母、数字、-、_）：以同一标识重复提交时返回首次登记的信访件，不会重复登记。"
        "也可用请求头 Idempotency-Key 传递。",
    )

    def to_intake(self) -> IntakeInput:
        data = self.validated_data
        return IntakeInput(
            channel=data["channel"],
            purpose=data["purpose"],
            category_id=data["category"],
            received_on=data["received_on"],
            summary=data["summary"],
            demand=data["demand"],
            head_count=data["head_count"],
            markers=list(data["markers"]),
            problem_division_code=data["problem_division"],
            problem_address=data["problem_address"],
            complained_unit_id=data["complained_unit"],
            complained_unit_name=data["complained_unit_name"],
            original_id=data["original"],
            submission_key=data["submission_key"],
            petitioners=[
                PetitionerInput(
                    name=row["name"],
                    id_number=row["id_number"],
                    phone=row["phone"],
                    division_code=row["address_division"],
                    address_detail=row["address_detail"],
                    is_representative=row["is_representative"],
                    person_id=row["person"],
                )
                for row in data["petitioners"]
            ],
        )


def _today() -> date:
    return timezone.localdate()


class StepSerializer(VersionSerializer):
    """Every step takes its date (default today) and optionally the version the caller last saw."""

    on = serializers.DateField(default=_today)


class AssignSerializer(StepSerializer):
    unit = serializers.IntegerField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NoteSerializer(StepSerializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RejectSerializer(StepSerializer):
    route = serializers.ChoiceField(choices=[c for c in Route.choices if c[0] != Route.ORDINARY])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ObjectSerializer(StepSerializer):
    reason = serializers.CharField(max_length=2000)


class RequestExtensionSerializer(StepSerializer):
    days = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=2000)


class ExtendSerializer(StepSerializer):
    approve = serializers.BooleanField(default=True)
    days = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReplySerializer(StepSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    opinion = serializers.CharField(max_length=2000)


class ReworkSerializer(StepSerializer):
    reason = serializers.CharField(max_length=2000)


class EvaluateSerializer(StepSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)


class DecisionSerializer(StepSerializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    opinion = serializers.CharField(max_length=2000)


class CloseSerializer(StepSerializer):
    reason = serializers.ChoiceField(choices=CloseReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DeliverSerializer(serializers.Serializer[dict[str, Any]]):
    """送达: the date (default today), the method, who received it and, for 邮寄, the tracking number."""

    on = serializers.DateField(default=_today)
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    receiver = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    tracking_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class DocumentDeliverySerializer(serializers.ModelSerializer[Document]):
    """A document with its delivery record."""

    on = serializers.DateField(source="delivered_on", read_only=True)
    method = serializers.CharField(source="delivery_method", read_only=True)
    receiver = serializers.CharField(source="delivery_receiver", read_only=True)

    class Meta:
        model = Document
        fields = ["id", "kind", "number", "issued_on", "on", "method", "receiver", "tracking_number"]
        read_only_fields = fields


class PetitionerCorrectionSerializer(VersionSerializer):
    """A correction of one person's particulars on this item: only the fields sent change; "" clears one."""

    petitioner = serializers.IntegerField(help_text="信访人编号（事项详情中的 petitioners[].id）")
    name = serializers.CharField(max_length=50, required=False)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address_division = serializers.CharField(max_length=12, required=False, allow_blank=True)
    address_detail = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def correction(self) -> Correction:
        data = self.validated_data
        return Correction(
            name=data.get("name"),
            id_number=data.get("id_number"),
            phone=data.get("phone"),
            division_code=data.get("address_division"),
            address_detail=data.get("address_detail"),
        )


class RevealSerializer(serializers.Serializer[dict[str, Any]]):
    petitioner = serializers.IntegerField()
    field = serializers.ChoiceField(choices=["id_number", "phone", "address_detail"])


class RevealedSerializer(serializers.Serializer[dict[str, Any]]):
    value = serializers.CharField()

"""Serializers of core's API, and the bounded integer field every whole-number parameter uses."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR
from typing import Any

from rest_framework import serializers

from core.choices import DayUnit
from core.forms import INTEGER_MAX, INTEGER_MIN
from core.models import AuditEvent, CalendarDay, CalendarYear, Division, Unit, User
from core.workcalendar import PERIOD_DAYS_MAX


class BoundedIntegerField(serializers.IntegerField):
    """The API's counterpart of core.forms.BoundedIntegerField: the given bounds, else the database integer's, so a
    twenty-digit number is a 400 at its field and never reaches a date or a query."""

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs: Any) -> None:
        super().__init__(
            min_value=INTEGER_MIN if min_value is None else min_value,
            max_value=INTEGER_MAX if max_value is None else max_value,
            **kwargs,
        )


class VersionSerializer(serializers.Serializer[dict[str, Any]]):
    """A write on an existing record carries the `version` the caller read; a stale one is refused with 409."""

    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="读取时记录的版本号（version）；记录已被他人修改时返回 409，不作任何修改。省略则不作检查。",
    )


class UnitSerializer(serializers.ModelSerializer[Unit]):
    """A unit with its parent's id and its level and kind in Chinese."""

    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "division_code",
            "depth",
            "parent_id",
            "is_active",
        ]
        read_only_fields = fields


class UnitBriefSerializer(serializers.ModelSerializer[Unit]):
    """A unit named in another object."""

    class Meta:
        model = Unit
        fields = ["id", "name", "code"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer[User]):
    """The signed-in user."""

    unit = UnitBriefSerializer(read_only=True)
    role_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "title", "unit", "roles", "role_labels"]
        read_only_fields = fields


class QueueRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One row of a work queue: its link, number, summary and due date with working days left."""

    url = serializers.CharField()
    number = serializers.CharField()
    summary = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)


class QueueFigureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One number of a figures card (领导 今日数据): its label, the value as shown, and the list behind it."""

    # DRF takes declared fields off the class, so this `label` does not replace Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()
    url = serializers.CharField(help_text="空：无对应列表")


class QueueSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One of the caller's work queues: its name, title, count and first rows; a card of the day's numbers has
    figures instead of rows."""

    name = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    items = QueueRowSerializer(many=True)
    figures = QueueFigureSerializer(many=True)


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    """One audit row."""

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor_id",
            "actor_username",
            "actor_roles",
            "actor_unit_id",
            "ip_address",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changed_fields",
            "success",
            "detail",
        ]
        read_only_fields = fields


class CalendarYearSerializer(serializers.ModelSerializer[CalendarYear]):
    """A year with a holiday schedule."""

    day_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CalendarYear
        fields = ["year", "source", "notice_title", "notice_number", "published_on", "day_count"]
        read_only_fields = fields


class CalendarDaySerializer(serializers.ModelSerializer[CalendarDay]):
    """A holiday or make-up working day."""

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        read_only_fields = fields


class CalendarDayQuerySerializer(serializers.Serializer[dict[str, object]]):
    """Query parameters of the list of holidays and make-up working days."""

    year = BoundedIntegerField(
        required=False,
        min_value=MINYEAR,
        max_value=MAXYEAR,
        help_text="只列出这一年的日期；缺省为2000至2100年",
    )


class DueDateQuerySerializer(serializers.Serializer[dict[str, object]]):
    """Query parameters of the due-date calculation."""

    start = serializers.DateField(help_text="起算日期（不计入期限），YYYY-MM-DD")
    days = BoundedIntegerField(min_value=0, max_value=PERIOD_DAYS_MAX, help_text="期限天数")
    unit = serializers.ChoiceField(choices=DayUnit.choices, default=DayUnit.CALENDAR)
    roll_forward = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="末日遇休息日是否顺延；缺省按系统设置"
    )


class DueDateSerializer(serializers.Serializer[dict[str, object]]):
    """A computed due date and how it was reached."""

    start = serializers.DateField(source="start_on")
    days = serializers.IntegerField()
    unit = serializers.CharField()
    roll_forward = serializers.BooleanField()
    nominal_on = serializers.DateField()
    due_on = serializers.DateField()
    rolled_forward = serializers.BooleanField()
    provisional = serializers.BooleanField()
    uncovered_years = serializers.ListField(child=serializers.IntegerField())
    calendar_version = serializers.IntegerField()


class DivisionSerializer(serializers.ModelSerializer[Division]):
    """An administrative division with its level in Chinese and its parent's code."""

    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.CharField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "level_display", "parent_code", "is_active"]
        read_only_fields = fields

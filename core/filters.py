"""FilterSets shared by core's HTML lists and its API, and the filters other apps' FilterSets build on."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedIntegerField
from core.models import AuditEvent


def all_words_q(text: str, fields: list[str], *, most: int = 10) -> Q:
    """Every space-separated word (full-width spaces too) must appear in one of `fields`.

    Chinese has no word breaks to index, so a search for 拖欠 工资 asks for both strings, not the phrase.
    """
    words = Q()
    for word in text.split()[:most]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__trgm_contains": word})  # ILIKE: a trigram index can answer it
        words &= any_field
    return words


class YesNoAnySelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads 不限 (any) rather than 未知 (unknown)."""

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("不限")), ("true", _("是")), ("false", _("否"))]


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering choice with the reverse orders labelled in Chinese (its own label is English)."""

    descending_fmt = _("%s（倒序）")


class YesNoFilter(django_filters.BooleanFilter):
    """BooleanFilter with the 不限 / 是 / 否 select."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", YesNoAnySelect)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class BoundedIntegerFilter(django_filters.NumberFilter):
    """A whole-number filter whose form field has bounds (BoundedIntegerField): a huge or fractional number is a
    field error (400 in the API), never a value that overflows the date or query the filter builds."""

    field_class = BoundedIntegerField


class AuditEventFilter(django_filters.FilterSet):
    """Filters of the audit log: time range, account, action, object, outcome."""

    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label=_("起始时间")
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label=_("截止时间")
    )
    occurred_on_or_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("起始日期")
    )
    occurred_on_or_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("截止日期")
    )
    actor_username = django_filters.CharFilter(lookup_expr="exact", label=_("账号"))
    action = django_filters.CharFilter(lookup_expr="startswith", label=_("操作（前缀）"))
    object_type = django_filters.CharFilter(lookup_expr="exact", label=_("对象类型"))
    object_id = django_filters.CharFilter(lookup_expr="exact", label=_("对象编号"))
    success = YesNoFilter(label=_("成功"))

    class Meta:
        model = AuditEvent
        fields: list[str] = []

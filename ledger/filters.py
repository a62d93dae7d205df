"""One FilterSet for the ledger page and the API: status, risk, source, owner, responsible unit subtree, overdue,
stale progress, due within N days, text search over title, problem and group; sorting."""

from __future__ import annotations

import re
from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import BoundedIntegerFilter, OrderingFilter, YesNoFilter, all_words_q
from core.models import Unit, User
from core.select_options import SearchableSelectMultiple, name_options, options_read_once, people_options
from core.selectors import unit_qs_visible_to
from core.workcalendar import PERIOD_DAYS_MAX
from ledger.choices import OPEN_CASE_STATUSES, STALE_PROGRESS_DAYS, CaseStatus, RiskLevel, Source
from ledger.models import KeyCase
from ledger.selectors import leaders_for_case_owner

NUMBER = re.compile(r"^ZD\d{4}-\d{4,}$", re.IGNORECASE)
OPEN = Q(status__in=OPEN_CASE_STATUSES)


def _visible_units(request: HttpRequest | None) -> QuerySet[Unit]:
    user = getattr(request, "user", None)
    return unit_qs_visible_to(user).order_by("path")  # type: ignore[arg-type]


def _leaders(request: HttpRequest | None) -> QuerySet[User]:
    user = getattr(request, "user", None)
    return leaders_for_case_owner(user)  # type: ignore[arg-type]


class KeyCaseFilter(django_filters.FilterSet):
    """Filters and sorting shared by the ledger page, its Excel export and GET /api/v1/ledger/key-cases/."""

    q = django_filters.CharFilter(method="filter_text", label=_("搜索（编号、名称、概况、群体）"))
    # Columns of the row itself: no join can repeat a row, so no SELECT DISTINCT over every column.
    status = django_filters.MultipleChoiceFilter(
        choices=CaseStatus.choices, label=_("化解状态"), distinct=False, widget=SearchableSelectMultiple
    )
    risk_level = django_filters.MultipleChoiceFilter(
        choices=RiskLevel.choices, label=_("风险等级"), distinct=False, widget=SearchableSelectMultiple
    )
    source = django_filters.MultipleChoiceFilter(
        choices=Source.choices, label=_("来源"), distinct=False, widget=SearchableSelectMultiple
    )
    owner = django_filters.ModelChoiceFilter(queryset=_leaders, label=_("包案领导"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="filter_unit", label=_("责任单位（含下级）")
    )
    overdue = YesNoFilter(method="filter_overdue", label=_("已超期"))
    stale = YesNoFilter(
        method="filter_stale", label=_("超过%(days)s日无进展") % {"days": STALE_PROGRESS_DAYS}
    )
    due_within = BoundedIntegerFilter(
        method="filter_due_within", label=_("N日内到期"), min_value=0, max_value=PERIOD_DAYS_MAX
    )
    ordering = OrderingFilter(
        fields=(
            ("resolve_by", "resolve_by"),
            ("last_progress_on", "last_progress_on"),
            ("number", "number"),
            ("status", "status"),
            ("risk_level", "risk_level"),
            ("head_count", "head_count"),
            ("opened_on", "opened_on"),
        ),
        field_labels={
            "resolve_by": _("化解时限"),
            "last_progress_on": _("最近进展"),
            "number": _("编号"),
            "status": _("化解状态"),
            "risk_level": _("风险等级"),
            "head_count": _("涉及人数"),
            "opened_on": _("列入日期"),
        },
        label=_("排序"),
    )

    class Meta:
        model = KeyCase
        fields: list[str] = []

    @property
    def form(self) -> forms.Form:
        """The filter form; its unit and leader selects read names, not whole units and accounts."""
        if not hasattr(self, "_form"):
            form = super().form
            request = self.request
            options_read_once(form, ("unit",), name_options(_visible_units(request)))
            options_read_once(form, ("owner",), people_options(_leaders(request)))
        return self._form

    def filter_text(self, queryset: QuerySet[KeyCase], name: str, value: str) -> QuerySet[KeyCase]:
        value = value.strip()
        if not value:
            return queryset
        if NUMBER.match(value):
            return queryset.filter(number=value.upper())
        return queryset.filter(all_words_q(value, ["title", "problem", "group_concerned"]))

    def filter_unit(self, queryset: QuerySet[KeyCase], name: str, value: Unit | None) -> QuerySet[KeyCase]:
        if value is None:
            return queryset
        return queryset.filter(value.subtree_q("responsible_unit__"))

    def filter_overdue(self, queryset: QuerySet[KeyCase], name: str, value: bool | None) -> QuerySet[KeyCase]:
        if value is None:
            return queryset
        overdue = OPEN & Q(resolve_by__lt=timezone.localdate())
        return queryset.filter(overdue if value else ~overdue)

    def filter_stale(self, queryset: QuerySet[KeyCase], name: str, value: bool | None) -> QuerySet[KeyCase]:
        if value is None:
            return queryset
        before = timezone.localdate() - timedelta(days=STALE_PROGRESS_DAYS)
        stale = OPEN & (
            Q(last_progress_on__lt=before) | Q(last_progress_on__isnull=True, opened_on__lt=before)
        )
        return queryset.filter(stale if value else ~stale)

    def filter_due_within(
        self, queryset: QuerySet[KeyCase], name: str, value: int | None
    ) -> QuerySet[KeyCase]:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            OPEN, resolve_by__gte=today, resolve_by__lte=today + timedelta(days=int(value))
        )

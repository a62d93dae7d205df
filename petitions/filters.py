"""One FilterSet for the item list page and the API: status, channel, category, unit subtree, dates, markers,
overdue, due within N days, and search by item number or content words (`q`) or, from the page's search box, by a
term kept in the session (`s`: names, ID numbers and phones never travel in the address; petitions/search.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import BoundedIntegerFilter, OrderingFilter, YesNoFilter, all_words_q
from core.models import Unit
from core.select_options import SearchableSelectMultiple, name_options, options_read_once
from core.selectors import unit_qs_visible_to
from core.workcalendar import PERIOD_DAYS_MAX
from petitions.choices import Channel, Marker, Purpose, Status
from petitions.item_list.reach_ids import order_with_tie_break
from petitions.models import Category, Item
from petitions.projections.counting_unit import CountsFor
from petitions.search import TERM_MAX, items_matching, looks_like_id_or_phone
from petitions.selectors import category_choices, open_obligation_exists, subtree_unit_ids
from petitions.services.search import SESSION_KEY

NUMBER = re.compile(r"^XF\d{4}-\d{6}$", re.IGNORECASE)


def no_personal_data(value: str) -> None:
    """An ID number or phone must not travel in an address: such a term is refused before it is searched."""
    if looks_like_id_or_phone(value):
        raise ValidationError(_("身份证号、电话请在列表的搜索框中查询，不要放在网址里。"))


def _visible_units(request: HttpRequest | None) -> QuerySet[Unit]:
    user = getattr(request, "user", None)
    return unit_qs_visible_to(user).order_by("path")  # type: ignore[arg-type]


def _categories(request: HttpRequest | None) -> QuerySet[Category]:
    return category_choices()


class ItemFilter(django_filters.FilterSet):
    """Filters and sorting shared by the clerk and handler lists and GET /api/v1/petitions/."""

    q = django_filters.CharFilter(
        method="filter_text",
        label=_("搜索（编号、概况、诉求）"),
        max_length=TERM_MAX,
        validators=[no_personal_data],
    )
    s = django_filters.CharFilter(
        method="filter_kept_term", label=_("搜索键（列表页搜索框）"), max_length=64, widget=forms.HiddenInput
    )
    # Columns of the row itself: no join can repeat a row, so no SELECT DISTINCT over every column.
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("状态"), distinct=False, widget=SearchableSelectMultiple
    )
    channel = django_filters.MultipleChoiceFilter(
        choices=Channel.choices, label=_("信访形式"), distinct=False, widget=SearchableSelectMultiple
    )
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices, label=_("信访目的"))
    category = django_filters.ModelChoiceFilter(
        queryset=_categories, method="filter_category", label=_("内容分类（含下级）")
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="filter_unit", label=_("单位（含下级）")
    )
    area = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="filter_area", label=_("属地单位（含下级）")
    )
    received_after = django_filters.DateFilter(
        field_name="received_on",
        lookup_expr="gte",
        label=_("信访日期自"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_before = django_filters.DateFilter(
        field_name="received_on",
        lookup_expr="lte",
        label=_("信访日期至"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    closed_after = django_filters.DateFilter(
        field_name="closed_on",
        lookup_expr="gte",
        label=_("办结日期自"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    closed_before = django_filters.DateFilter(
        field_name="closed_on",
        lookup_expr="lte",
        label=_("办结日期至"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    markers = django_filters.MultipleChoiceFilter(
        choices=Marker.choices,
        method="filter_markers",
        label=_("标记（同时具备）"),
        distinct=False,
        widget=SearchableSelectMultiple,
    )
    clock_unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="filter_clock_unit", label=_("时限责任单位（含下级）")
    )
    overdue = YesNoFilter(method="filter_overdue", label=_("已超期"))
    due_within = BoundedIntegerFilter(
        method="filter_due_within", label=_("N日内到期"), min_value=0, max_value=PERIOD_DAYS_MAX
    )
    repeat = YesNoFilter(field_name="original", lookup_expr="isnull", exclude=True, label=_("重复件"))
    ordering = OrderingFilter(
        fields=(
            ("received_on", "received_on"),
            ("number", "number"),
            ("status", "status"),
            ("registered_at", "registered_at"),
            ("obligation_due_on", "obligation_due_on"),
        ),
        field_labels={
            "received_on": _("信访日期"),
            "number": _("编号"),
            "status": _("状态"),
            "registered_at": _("登记时间"),
            "obligation_due_on": _("办理期限"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Item
        fields: list[str] = []

    @property
    def form(self) -> forms.Form:
        """The filter form; its three unit selects share one read of the visible units' names, and the category
        select reads names, not whole categories."""
        if not hasattr(self, "_form"):
            form = super().form
            request = self.request
            options_read_once(form, ("unit", "area", "clock_unit"), name_options(_visible_units(request)))
            options_read_once(form, ("category",), name_options(_categories(request)))
        return self._form

    def default_ordering(self) -> tuple[str, ...]:
        """Without a chosen order: a list of overdue or due-soon items opens at its most pressing item, and any
        other list at its newest. (The due date order also reads the covering index the filter itself uses.)"""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if data.get("overdue") is True or data.get("due_within") is not None:
            return ("obligation_due_on", "id")
        return ("-received_on", "-id")

    def list_order(self) -> tuple[str, ...]:
        """The order of the list page: the one chosen, its ties broken by id in the direction of its last field (so
        pages never overlap), or else the default."""
        chosen = self.form.cleaned_data.get("ordering") if self.is_bound and self.form.is_valid() else None
        return order_with_tie_break(chosen) if chosen else self.default_ordering()

    def filters_set(self) -> set[str] | None:
        """Names of the filters given a value (the order and the page are not filters); None when the form is
        invalid."""
        if not self.is_bound:
            return set()
        if not self.form.is_valid():
            return None
        empty: tuple[object, ...] = (None, "", [], ())
        return {
            name
            for name, value in self.form.cleaned_data.items()
            if name != "ordering" and value not in empty
        }

    def filter_text(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        value = value.strip()
        if not value:
            return queryset
        if NUMBER.match(value):
            return queryset.filter(number=value.upper())
        return queryset.filter(all_words_q(value, ["summary", "demand"]))

    def kept_term(self) -> str | None:
        """The term the page's search box kept in the session under the key `s`; None for an unknown key."""
        key = self.form.cleaned_data.get("s") if self.is_bound and self.form.is_valid() else ""
        if not key:
            return ""
        session = getattr(self.request, "session", None)
        terms = session.get(SESSION_KEY, {}) if session is not None else {}
        term = terms.get(key)
        return term if isinstance(term, str) else None

    def search_term(self) -> str:
        """The term the list is searched by, to show in the search box (never put in a link)."""
        if not self.is_bound or not self.form.is_valid():
            return ""
        return self.kept_term() or self.form.cleaned_data.get("q") or ""

    def filter_kept_term(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        """Names, ID numbers, phones, item numbers and content words, matched as petitions/search.py reads them;
        nothing for a key the session does not hold."""
        if not value:
            return queryset
        term = self.kept_term()
        if term is None:
            return queryset.none()
        return items_matching(getattr(self.request, "user", None), queryset, term)  # type: ignore[arg-type]

    def filter_category(self, queryset: QuerySet[Item], name: str, value: Category | None) -> QuerySet[Item]:
        if value is None:
            return queryset
        return queryset.filter(category__path__startswith=value.path)

    def filter_unit(self, queryset: QuerySet[Item], name: str, value: Unit | None) -> QuerySet[Item]:
        if value is None:
            return queryset
        ids = subtree_unit_ids(value)
        return queryset.filter(Q(registered_unit_id__in=ids) | Q(responsible_unit_id__in=ids))

    def filter_area(self, queryset: QuerySet[Item], name: str, value: Unit | None) -> QuerySet[Item]:
        """属地单位 in the unit's subtree, as the leaders' pages count (petitions/projections/counting_unit.py)."""
        if value is None:
            return queryset
        return queryset.filter(CountsFor(subtree_unit_ids(value)))

    def filter_markers(self, queryset: QuerySet[Item], name: str, value: list[str]) -> QuerySet[Item]:
        return queryset.filter(markers__contains=list(value)) if value else queryset

    def _clock_unit_ids(self) -> list[int] | None:
        """The subtree `clock_unit` names: overdue and due-soon then look only at that subtree's clocks."""
        unit = self.form.cleaned_data.get("clock_unit")
        return subtree_unit_ids(unit) if unit else None

    def filter_clock_unit(self, queryset: QuerySet[Item], name: str, value: Unit | None) -> QuerySet[Item]:
        """Items with an open obligation clock of the subtree (overdue and due_within narrow that same clock)."""
        data = self.form.cleaned_data
        if value is None or data.get("overdue") is not None or data.get("due_within") is not None:
            return queryset
        return queryset.filter(open_obligation_exists(unit_ids=subtree_unit_ids(value)))

    def filter_overdue(self, queryset: QuerySet[Item], name: str, value: bool | None) -> QuerySet[Item]:
        """Past due: the item's earliest open obligation date is before today (a subtree's clocks, with clock_unit)."""
        if value is None:
            return queryset
        today = timezone.localdate()
        unit_ids = self._clock_unit_ids()
        if unit_ids is not None:
            overdue = open_obligation_exists(due_before=today, unit_ids=unit_ids)
            return queryset.filter(overdue if value else ~overdue)
        if value:
            return queryset.filter(obligation_due_on__lt=today)
        return queryset.filter(Q(obligation_due_on__isnull=True) | Q(obligation_due_on__gte=today))

    def filter_due_within(self, queryset: QuerySet[Item], name: str, value: int | None) -> QuerySet[Item]:
        """Not yet overdue, and the earliest open obligation falls due within N days (with clock_unit: any clock of
        that subtree)."""
        if value is None:
            return queryset
        today = timezone.localdate()
        until = today + timedelta(days=int(value))
        unit_ids = self._clock_unit_ids()
        if unit_ids is not None:
            return queryset.filter(open_obligation_exists(due_from=today, due_until=until, unit_ids=unit_ids))
        return queryset.filter(obligation_due_on__range=(today, until))

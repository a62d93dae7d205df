"""The dashboard's period picker: this week, month or year, or a range of days such as January to August."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.measures import Period

MAX_RANGE_DAYS = 366


class DashboardPeriodForm(forms.Form):
    """本周 / 本月 / 本年 / 自定义 (start and end, at most a year apart)."""

    PERIODS = [("week", _("本周")), ("month", _("本月")), ("year", _("本年")), ("range", _("自定义"))]

    period = forms.ChoiceField(label=_("期间"), choices=PERIODS, initial="year", required=False)
    start = forms.DateField(label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("period") == "range":
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("请填写起始日期。"))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("请填写截止日期。"))
            if start and end and start > end:
                self.add_error("end", _("截止日期不能早于起始日期。"))
            if start and end and (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("end", _("期间最长一年（%(days)s 天）。") % {"days": MAX_RANGE_DAYS})
        return cleaned

    def chosen(self, today: date | None = None) -> tuple[Period, str, str]:
        """The period, its label, and the trend bucket ("week" or "month"); call after is_valid()."""
        today = today or timezone.localdate()
        kind = self.cleaned_data.get("period") or "year"
        if kind == "week":
            start = today - timedelta(days=today.weekday())
            return Period(start, today, today), f"本周（{start:%m-%d} 至 {today:%m-%d}）", "day"
        if kind == "month":
            start = today.replace(day=1)
            return Period(start, today, today), f"{today:%Y年%m月}", "week"
        if kind == "range":
            start, end = self.cleaned_data["start"], self.cleaned_data["end"]
            trend = "month" if (end - start).days > 62 else "week"
            return Period(start, end, today), f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}", trend
        start = today.replace(month=1, day=1)
        return Period(start, today, today), f"{today.year}年（1月1日至{today:%m月%d日}）", "month"

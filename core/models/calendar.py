"""The working-day calendar: which years are known, their exceptional days, and each change as a revision."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import CalendarDayKind, CalendarSource
from core.versioning import version_field


class CalendarYear(models.Model):
    """A year whose State Council holiday notice is in the system; dates in other years are provisional."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=10, choices=CalendarSource.choices)
    notice_title = models.CharField(_("通知标题"), max_length=200, blank=True)
    notice_number = models.CharField(_("文号"), max_length=60, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    version = version_field()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="calendaryear_year_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a holiday, or a weekend day that is worked (调休)."""

    date = models.DateField(_("日期"), primary_key=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日"), max_length=40)
    notice_year = models.ForeignKey(
        CalendarYear,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("所属年度通知"),
    )

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]
        constraints = [
            # A make-up working day is by definition a Saturday or Sunday.
            models.CheckConstraint(
                condition=~Q(kind=CalendarDayKind.WORKDAY) | Q(date__iso_week_day__in=[6, 7]),
                name="calendarday_workday_on_weekend",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"


class CalendarRevision(models.Model):
    """One change of the calendar; its id is the calendar version recorded with every computed deadline."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    years = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("涉及年份"))
    note = models.CharField(_("说明"), max_length=200)

    class Meta:
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.note}"

"""The weekly bulletin (每周通报): one frozen set of a unit subtree's numbers for one Monday–Sunday week."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Unit


class WeeklyBulletin(models.Model):
    """Numbers of `unit` and each of its sub-units for one week, stored when generated and never recomputed."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("通报单位"))
    week_start = models.DateField(_("周起始日"))
    week_end = models.DateField(_("周截止日"))
    number = models.CharField(_("通报编号"), max_length=60, unique=True)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
    )
    data = models.JSONField(_("通报数据"), default=dict)

    class Meta:
        verbose_name = _("每周通报")
        verbose_name_plural = _("每周通报")
        ordering = ["-week_start", "unit__path"]
        constraints = [
            # One bulletin per unit and week: a rerun of the Monday task (or a second worker) adds nothing.
            models.UniqueConstraint(fields=["unit", "week_start"], name="weeklybulletin_once_per_week"),
            models.CheckConstraint(
                condition=Q(week_end=models.F("week_start") + timedelta(days=6)),
                name="weeklybulletin_seven_days",
            ),
        ]
        indexes = [models.Index(fields=["-week_start"], name="weeklybulletin_week_idx")]

    def __str__(self) -> str:
        return self.number

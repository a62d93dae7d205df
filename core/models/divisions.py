"""National administrative divisions (行政区划): 省级 → 地级 → 县级 → 乡级, as reference data."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import DivisionLevel


class Division(models.Model):
    """One division with its GB/T 2260 (or statistical) code; 直辖市 counties hang directly under the province."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        db_index=True,
        verbose_name=_("上级区划"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]+$"), name="division_code_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

"""The unit tree (单位): 市 → 区县 → 乡镇/街道 → 村/社区, with departments at each level."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from core.choices import UnitKind, UnitLevel
from core.versioning import version_field


# Writes fire database triggers: see docs/development/database.md (petitions_unit_moved, petitions_item_reach_units).
class Unit(MP_Node):
    """A unit; its materialised path makes "this unit and everything below it" one prefix scan."""

    # The C collation lets PostgreSQL answer `path LIKE 'prefix%'` from the unique index.
    path = models.CharField(max_length=255, unique=True, db_collation="C")
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(
        _("单位编码"),
        max_length=32,
        unique=True,
        help_text=_("稳定的单位标识，用于导入导出和接口。"),
    )
    kind = models.CharField(_("类型"), max_length=12, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(_("层级"), choices=UnitLevel.choices)
    division_code = models.CharField(
        _("行政区划代码"), max_length=12, blank=True, help_text=_("地方单位填写 6 至 12 位代码。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.CheckConstraint(
                condition=Q(division_code="") | Q(division_code__regex=r"^[0-9]{6,12}$"),
                name="unit_division_code_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """Short name where one is set, for narrow table cells."""
        return self.short_name or self.name

    def contains(self, other: Unit | None) -> bool:
        """True when `other` is this unit or below it."""
        return other is not None and other.path.startswith(self.path)

    def is_above(self, other: Unit | None) -> bool:
        """True when this unit is an ancestor of `other` (not the same unit)."""
        return other is not None and other.path.startswith(self.path) and self.depth < other.depth

    def subtree_q(self, prefix: str = "") -> Q:
        """A filter selecting rows whose unit (reached through `prefix`) is this unit or below it."""
        return Q(**{f"{prefix}path__startswith": self.path})

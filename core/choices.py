"""Enumerations used by core: roles, unit levels and kinds, division levels, calendar day kinds, counting units."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may do; the three admin roles are exclusive (三员分立)."""

    CLERK = "clerk", _("登记员")
    HANDLER = "handler", _("承办人")
    SECTION_HEAD = "section_head", _("科室负责人")
    LEADER = "leader", _("领导")
    SUPERVISOR = "supervisor", _("督查人员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES: frozenset[str] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
BUSINESS_ROLES: frozenset[str] = frozenset(set(Role.values) - ADMIN_ROLES)


class UnitLevel(models.IntegerChoices):
    """Administrative level of a unit; a department takes the level of the area it belongs to."""

    CITY = 1, _("市级")
    COUNTY = 2, _("区县级")
    TOWNSHIP = 3, _("乡镇（街道）级")
    VILLAGE = 4, _("村（社区）级")


class UnitKind(models.TextChoices):
    """An area (市, 区县, 乡镇/街道, 村/社区) or a functional department (委办局) inside one."""

    AREA = "area", _("地方")
    DEPARTMENT = "department", _("职能部门")


class CalendarDayKind(models.TextChoices):
    """An exception to the Monday–Friday week: a day off, or a weekend day worked (调休)."""

    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CalendarSource(models.TextChoices):
    """Where a year's holiday schedule came from."""

    PACKAGE = "package", _("内置数据（chinesecalendar）")
    NOTICE = "notice", _("国务院办公厅通知（管理员录入）")


class DayUnit(models.TextChoices):
    """How a period is counted: calendar days (日) or working days (工作日)."""

    CALENDAR = "calendar", _("日")
    WORKING = "working", _("工作日")


class DivisionLevel(models.IntegerChoices):
    """Level of an administrative division (行政区划) in the national code list."""

    PROVINCE = 1, _("省级")
    CITY = 2, _("地级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")

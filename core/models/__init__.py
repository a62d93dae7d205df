"""Core models: units, users, administrative divisions, the working-day calendar and the audit log."""

from core.models.audit import AuditChainMark, AuditEvent
from core.models.calendar import CalendarDay, CalendarRevision, CalendarYear
from core.models.divisions import Division
from core.models.units import Unit
from core.models.users import PasswordHistory, RoleAssignment, User, UserSession

__all__ = [
    "AuditChainMark",
    "AuditEvent",
    "CalendarDay",
    "CalendarRevision",
    "CalendarYear",
    "Division",
    "PasswordHistory",
    "RoleAssignment",
    "Unit",
    "User",
    "UserSession",
]

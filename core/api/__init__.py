"""Core's REST API: units, the current user, administrative divisions, the calendar and the audit log."""

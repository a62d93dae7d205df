"""Writes to core data (units, users, calendar, divisions, sessions, keys), each one audited transaction; audit purge: core/audit/."""

"""The clock engine (deadlines of every kind), the overdue sweep, escalation, supervision and assessment."""

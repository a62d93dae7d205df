"""Accountability writes: deadlines, supervision orders, the overdue sweep and the notification outbox."""

"""Signals core sends so that later apps can react without core importing them."""

from django.dispatch import Signal

# Sent after commit when a calendar version is added; kwargs: years (list[int]).
# The accountability app listens and recomputes the due dates of open deadlines in those years.
calendar_changed = Signal()

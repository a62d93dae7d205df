"""Short forms of free text for lists, notices and subject lines."""

from __future__ import annotations

SUMMARY_LINE_CHARS = 80


def first_line(text: str, limit: int = SUMMARY_LINE_CHARS) -> str:
    """The first line of `text`, cut to `limit` characters: the one-line summary a notice or list shows."""
    lines = text.strip().splitlines()
    return lines[0][:limit] if lines else ""
